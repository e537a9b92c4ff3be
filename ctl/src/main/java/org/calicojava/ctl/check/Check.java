package org.calicojava.ctl.check;

/**
 * The outcome of one host check: its status, what was found, what to do about it (empty for PASS), and the safe fix
 * {@code checksystem --fix} may apply (null when there is none, or when it is not safe to automate).
 */
public record Check(Status status, String name, String detail, String todo, Fix fix) {
    /** PASS: fine; WARN: works, with a limitation or a risk; FAIL: calico-java will not work as configured. */
    public enum Status {
        PASS,
        WARN,
        FAIL
    }

    /** A safe fix: a sysctl write or a modprobe. Returns null when it worked, else why not (one line). */
    @FunctionalInterface
    public interface Fix {
        String apply();
    }

    public Check {
        if (todo == null) {
            todo = "";
        }
    }

    public static Check pass(String name, String detail) {
        return new Check(Status.PASS, name, detail, "", null);
    }

    public static Check warn(String name, String detail, String todo) {
        return new Check(Status.WARN, name, detail, todo, null);
    }

    public static Check fail(String name, String detail, String todo) {
        return new Check(Status.FAIL, name, detail, todo, null);
    }

    public Check withFix(Fix f) {
        return new Check(status, name, detail, todo, f);
    }

    /** One line: {@code FAIL  name  detail; fix: todo}. */
    public String line() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-4s  %-36s %s", status, name, detail));
        if (!todo.isEmpty()) {
            b.append(" -> ").append(todo);
        }
        return b.toString();
    }
}
