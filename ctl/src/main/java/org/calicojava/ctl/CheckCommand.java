package org.calicojava.ctl;

import picocli.CommandLine;

/** A check command (checksystem, datastore check, ipam check): exit 1 when it found what it looks for. */
abstract class CheckCommand extends Sub implements CommandLine.IExitCodeGenerator {
    /** 1 when a problem was found: picocli returns it as the exit code. */
    int exitCode;

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
