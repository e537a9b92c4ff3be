package org.calicojava.felix.dataplane;

import java.util.List;

/** Runs a command with optional stdin; how felix calls iptables-restore, iptables-save and ipset. */
public interface CommandRunner {
    Result run(List<String> argv, String stdin);

    /** Exit code and output of a finished command. */
    record Result(int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }

        /** The first line of stderr (or stdout), for one-line error messages. */
        public String firstError() {
            String e = err.isBlank() ? out : err;
            String line = e.strip().split("\n", 2)[0];
            return line.isEmpty() ? "exit code " + exit : line;
        }
    }
}
