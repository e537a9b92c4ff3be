package org.calicojava.felix.dataplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands as processes, each prefixed by {@code prefix} (e.g. {@code ip netns exec HOST} to act on another
 * namespace; empty to act on the caller's). Stdin and output go through temp files, so large restore inputs and
 * save outputs never deadlock a pipe.
 */
public final class ProcessRunner implements CommandRunner {
    private final List<String> prefix;
    private final Duration timeout;

    public ProcessRunner(List<String> prefix, Duration timeout) {
        this.prefix = List.copyOf(prefix);
        this.timeout = timeout;
    }

    public static ProcessRunner local() {
        return new ProcessRunner(List.of(), Duration.ofSeconds(120));
    }

    /** Runs commands in named namespace NAME through {@code ip netns exec NAME}. */
    public static ProcessRunner inNetns(String name) {
        return new ProcessRunner(List.of("ip", "netns", "exec", name), Duration.ofSeconds(120));
    }

    @Override
    public Result run(List<String> argv, String stdin) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(argv);
        Path in = null;
        Path out = null;
        Path err = null;
        Process p = null;
        try {
            out = Files.createTempFile("felix-out", ".txt");
            err = Files.createTempFile("felix-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin != null) {
                in = Files.createTempFile("felix-in", ".txt");
                Files.writeString(in, stdin, StandardCharsets.UTF_8);
                pb.redirectInput(in.toFile());
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "", String.join(" ", argv) + ": timed out after " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            return new Result(-1, "", String.join(" ", argv) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroyForcibly(); // the caller gave up on it
            Thread.currentThread().interrupt();
            return new Result(-1, "", String.join(" ", argv) + ": interrupted");
        } finally {
            for (Path f : new Path[]{in, out, err}) {
                if (f != null) {
                    try {
                        Files.deleteIfExists(f);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
    }
}
