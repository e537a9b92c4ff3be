package org.calicojava.process;

import java.time.Duration;
import java.util.List;

/**
 * Runs a command with optional stdin and a timeout: how felix calls iptables-restore, ipset and nft, and how confd runs
 * its check and reload commands. An interface so unit tests can answer for the kernel; {@link ProcessRunner} is the
 * one real implementation.
 */
public interface CommandRunner {
    /** Used by {@link #run(List, String)}. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    /** Runs {@code argv} with {@code stdin} (null: /dev/null); never throws, a failure to start is a Result. */
    Result run(List<String> argv, String stdin, Duration timeout);

    default Result run(List<String> argv, String stdin) {
        return run(argv, stdin, DEFAULT_TIMEOUT);
    }

    /** {@code command} run by {@code /bin/sh -c} (confd's check_cmd and reload_cmd are shell lines). */
    default Result shell(String command, Duration timeout) {
        return run(List.of("/bin/sh", "-c", command), null, timeout);
    }

    /**
     * Exit code and output of a finished command. Exit codes of our own: 124 timed out (killed with its children, as
     * coreutils' timeout), 127 could not be started, 130 interrupted.
     */
    record Result(int exit, String out, String err) {
        public static final int TIMED_OUT = 124;
        public static final int NOT_STARTED = 127;
        public static final int INTERRUPTED = 130;

        public boolean ok() {
            return exit == 0;
        }

        /** The first line of stderr (or stdout), for one-line error messages. */
        public String firstError() {
            String e = err.isBlank() ? out : err;
            String line = e.strip().split("\n", 2)[0];
            return line.isEmpty() ? "exit code " + exit : line;
        }

        /** Stdout then stderr on one line (newlines become " | "), at most 400 characters, for a log line. */
        public String oneLine() {
            String s = (out.strip() + "\n" + err.strip()).strip().replaceAll("\\s*\\R\\s*", " | ");
            return s.length() > 400 ? s.substring(0, 400) + "..." : s;
        }
    }
}
