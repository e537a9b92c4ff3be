package org.calicojava.ctl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A process's command line from {@code /proc/PID/cmdline}: what a PID read from a file is checked against before it
 * is signalled (a stale PID file may name a PID the kernel has since given to an unrelated process).
 */
record ProcCmdline(long pid, List<String> args) {
    ProcCmdline {
        args = List.copyOf(args);
    }

    /** The command line of a live process; empty if there is none (gone, or a zombie with no command line). */
    static Optional<ProcCmdline> of(long pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            if (raw.length == 0) {
                return Optional.empty();
            }
            String text = new String(raw, StandardCharsets.UTF_8);
            if (text.endsWith("\0")) {
                text = text.substring(0, text.length() - 1);
            }
            return Optional.of(new ProcCmdline(pid, Arrays.asList(text.split("\0", -1))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether this is {@code javactl ... node run ... --name NAME}. */
    boolean isNodeRun(String node) {
        int main = args.indexOf("org.calicojava.ctl.Main");
        if (main < 0) {
            return false;
        }
        List<String> rest = args.subList(main + 1, args.size());
        int n = rest.indexOf("node");
        if (n < 0 || n + 1 >= rest.size() || !rest.get(n + 1).equals("run")) {
            return false;
        }
        int name = rest.indexOf("--name");
        return name >= 0 && name + 1 < rest.size() && rest.get(name + 1).equals(node)
                || rest.contains("--name=" + node);
    }

    /** Whether any argument contains {@code text} (e.g. a daemon's main class). */
    boolean mentions(String text) {
        return args.stream().anyMatch(a -> a.contains(text));
    }

    /** For messages: the command line with spaces, cut at 120 characters. */
    String describe() {
        String s = String.join(" ", args);
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }

    /**
     * Writes a PID file atomically (a temporary file beside it, then a rename), so that a reader never sees it empty
     * or half written.
     */
    static void writePidFile(Path file, long pid) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, pid + "\n");
        Files.move(
                tmp,
                file,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
