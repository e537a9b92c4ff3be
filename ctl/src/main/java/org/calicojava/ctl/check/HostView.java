package org.calicojava.ctl.check;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the checks read from the host and the commands they run: the real host ({@link LocalHost}) or a fixed picture
 * in unit tests. Every value read here is untrusted text: the checks parse it defensively and quote it in messages.
 */
public interface HostView {
    /** A command's exit code and its output (stdout and stderr together); code -1 if it could not be started. */
    record Run(int code, String out) {
        public boolean ok() {
            return code == 0;
        }
    }

    /** The file's text, empty if it cannot be read (also {@code .gz} files, decompressed). */
    Optional<String> read(Path file);

    boolean exists(Path path);

    /** The executable named {@code name} on this process's PATH. */
    Optional<Path> which(String name);

    /** Runs a command (found on PATH) with a timeout of a few seconds. */
    Run run(List<String> command);

    /** Writes a /proc/sys file; null when it worked, else why not. */
    String write(Path file, String value);

    /** The command lines of every process (pid to NUL-separated words joined with spaces). */
    java.util.Map<Long, String> processes();

    /** The pids whose open files include {@code socket:[inode]}. */
    List<Long> socketOwners(long inode);
}
