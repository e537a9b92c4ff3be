package org.calicojava.confd;

import java.time.Duration;

/** Runs check and reload commands; passed in so tests can also use a recording one. */
public interface CommandRunner {
    /** The exit code and combined stdout/stderr of {@code command}, run by /bin/sh -c. */
    Result run(String command, Duration timeout);

    record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The output on one line (newlines become " | "), at most 400 characters, for the log. */
        public String oneLine() {
            String s = output.strip().replaceAll("\\s*\\R\\s*", " | ");
            return s.length() > 400 ? s.substring(0, 400) + "..." : s;
        }
    }
}
