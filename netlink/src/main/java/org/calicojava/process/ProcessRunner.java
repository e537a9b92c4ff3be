package org.calicojava.process;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands as processes, each prefixed by {@code prefix} (e.g. {@code ip netns exec HOST} to act on another
 * namespace; empty to act on the caller's). Stdin and output go through temp files, so large restore inputs and save
 * outputs never deadlock a pipe. A command over its timeout is killed with its descendants (exit 124).
 */
public final class ProcessRunner implements CommandRunner {
    private final List<String> prefix;

    public ProcessRunner(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    /** Runs commands in the caller's namespace. */
    public static ProcessRunner local() {
        return new ProcessRunner(List.of());
    }

    /** Runs commands in named namespace NAME through {@code ip netns exec NAME}. */
    public static ProcessRunner inNetns(String name) {
        return new ProcessRunner(List.of("ip", "netns", "exec", name));
    }

    @Override
    public Result run(List<String> argv, String stdin, Duration timeout) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(argv);
        String what = String.join(" ", argv);
        Path in = null;
        Path out = null;
        Path err = null;
        Process p = null;
        try {
            out = Files.createTempFile("cj-out", ".txt");
            err = Files.createTempFile("cj-err", ".txt");
            ProcessBuilder pb =
                    new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin != null) {
                in = Files.createTempFile("cj-in", ".txt");
                Files.writeString(in, stdin, StandardCharsets.UTF_8);
                pb.redirectInput(in.toFile());
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            try {
                p = pb.start();
            } catch (IOException e) {
                return new Result(Result.NOT_STARTED, "", what + ": " + e.getMessage());
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                return new Result(Result.TIMED_OUT, "", what + ": timed out after " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            return new Result(Result.NOT_STARTED, "", what + ": " + e.getMessage());
        } catch (InterruptedException e) {
            kill(p); // the caller gave up on it
            Thread.currentThread().interrupt();
            return new Result(Result.INTERRUPTED, "", what + ": interrupted");
        } finally {
            for (Path f : new Path[] {in, out, err}) {
                deleteQuietly(f);
            }
        }
    }

    private static void kill(Process p) {
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static void deleteQuietly(Path f) {
        if (f != null) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // a temp file left behind is harmless; the result matters more
            }
        }
    }
}
