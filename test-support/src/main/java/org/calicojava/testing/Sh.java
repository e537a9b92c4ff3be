package org.calicojava.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Tests' way to run commands (the real {@code ip}, {@code iptables-save}, {@code docker}, ...) and to poll for a
 * condition. Output goes through temp files, so a large output never blocks the command on a full pipe; a command
 * over its timeout is killed with its children and answers exit 124.
 */
public final class Sh {
    /** Default timeout of the short forms. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Sh() {}

    /** Exit code, stdout and stderr of a finished command. */
    public record Result(int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }

        /** Stdout then stderr, as a terminal shows them. */
        public String text() {
            return out + err;
        }

        /** The same with stdout and stderr stripped of surrounding white space. */
        public Result trimmed() {
            return new Result(exit, out.strip(), err.strip());
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    /** Runs {@code cmd} with {@code stdin} (null: nothing) for at most {@code timeout}. */
    public static Result run(List<String> cmd, Path stdin, Duration timeout) {
        File out = null;
        File err = null;
        Process p = null;
        try {
            out = File.createTempFile("cj-sh", ".out");
            err = File.createTempFile("cj-sh", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err);
            pb.redirectInput(
                    stdin == null
                            ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                            : ProcessBuilder.Redirect.from(stdin.toFile()));
            try {
                p = pb.start();
            } catch (IOException e) {
                return new Result(127, "", cmd.get(0) + ": cannot run (is it installed?): " + e.getMessage());
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new Result(
                        124,
                        Files.readString(out.toPath(), StandardCharsets.UTF_8),
                        "timed out after " + timeout.toSeconds() + " s: " + String.join(" ", cmd));
            }
            return new Result(
                    p.exitValue(),
                    Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(127, "", String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            if (p != null) {
                p.destroyForcibly();
            }
            Thread.currentThread().interrupt();
            return new Result(130, "", "interrupted: " + String.join(" ", cmd));
        } finally {
            if (out != null) {
                out.delete();
            }
            if (err != null) {
                err.delete();
            }
        }
    }

    /**
     * Stops a process the test started, by its PID: SIGTERM, then SIGKILL if it has not exited within {@code seconds}
     * (a daemon started through {@code nsenter}, which execs it, is that PID itself). Null or already gone: nothing.
     */
    public static void stop(Process p, int seconds) {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static Result run(String... cmd) {
        return run(List.of(cmd), null, TIMEOUT);
    }

    public static Result run(List<String> cmd, int timeoutSeconds) {
        return run(cmd, null, Duration.ofSeconds(timeoutSeconds));
    }

    public static Result run(List<String> cmd, Path stdin, int timeoutSeconds) {
        return run(cmd, stdin, Duration.ofSeconds(timeoutSeconds));
    }

    /** Runs and fails the test (with stdout and stderr) unless the command exits 0; returns stdout. */
    public static String ok(List<String> cmd, int timeoutSeconds) {
        Result r = run(cmd, timeoutSeconds);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + r);
        }
        return r.out();
    }

    public static String ok(String... cmd) {
        return ok(List.of(cmd), (int) TIMEOUT.toSeconds());
    }

    /** {@code cmd} run inside named network namespace {@code ns} ({@code ip netns exec NS ...}). */
    public static String[] in(String ns, String... cmd) {
        List<String> l = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        l.addAll(List.of(cmd));
        return l.toArray(new String[0]);
    }

    /** Polls {@code cond} every 50 ms until true or {@code seconds} pass; returns the elapsed milliseconds or -1. */
    public static long waitFor(double seconds, BooleanSupplier cond) {
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

    /** Fails the test, naming the package to install, unless every binary is on the PATH (or an executable path). */
    public static void require(String... binaries) {
        List<String> path = List.of(System.getenv()
                .getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
                .split(":"));
        for (String b : binaries) {
            boolean found = b.startsWith("/")
                    ? Files.isExecutable(Path.of(b))
                    : path.stream().anyMatch(d -> Files.isExecutable(Path.of(d, b)));
            if (!found) {
                throw new AssertionError(b + " is not installed: run scripts/setup");
            }
        }
    }
}
