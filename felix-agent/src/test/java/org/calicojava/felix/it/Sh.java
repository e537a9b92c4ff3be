package org.calicojava.felix.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Test helpers: run commands, poll for conditions. */
final class Sh {
    private Sh() {
    }

    record Out(int exit, String out) {
    }

    static Out run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] b = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Out(-1, "timeout: " + String.join(" ", cmd));
            }
            return new Out(p.exitValue(), new String(b, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Out(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Out(-1, "interrupted");
        }
    }

    /** Runs and fails with the output if the command fails. */
    static String ok(String... cmd) {
        Out o = run(cmd);
        if (o.exit() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " -> " + o.exit() + ": " + o.out());
        }
        return o.out();
    }

    static String[] in(String ns, String... cmd) {
        List<String> l = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        l.addAll(List.of(cmd));
        return l.toArray(new String[0]);
    }

    /** Polls {@code cond} until true or {@code seconds} pass; returns the elapsed milliseconds or -1. */
    static long waitFor(double seconds, BooleanSupplier cond) {
        long t0 = System.nanoTime();
        long deadline = t0 + (long) (seconds * 1e9);
        while (true) {
            if (cond.getAsBoolean()) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            if (System.nanoTime() > deadline) {
                return -1;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }

    static void require(String... binaries) {
        for (String b : binaries) {
            if (run("sh", "-c", "command -v " + b).exit() != 0) {
                throw new AssertionError(b + " not found: install it (scripts/setup)");
            }
        }
    }
}
