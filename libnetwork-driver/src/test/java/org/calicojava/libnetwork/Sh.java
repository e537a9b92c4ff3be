package org.calicojava.libnetwork;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Running commands in tests: output captured, a timeout (the process is killed by its PID), clear failures. */
final class Sh {
    private Sh() {
    }

    record Result(int exit, String out, String err) {
        boolean ok() {
            return exit == 0;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    static Result run(List<String> cmd, int timeoutSeconds) {
        return run(cmd, null, timeoutSeconds);
    }

    static Result run(List<String> cmd, Path stdin, int timeoutSeconds) {
        try {
            File out = File.createTempFile("cj-sh", ".out");
            File err = File.createTempFile("cj-sh", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err);
                if (stdin != null) {
                    pb.redirectInput(stdin.toFile());
                }
                Process p = pb.start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd));
                }
                return new Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8).trim(),
                        Files.readString(err.toPath(), StandardCharsets.UTF_8).trim());
            } finally {
                out.delete();
                err.delete();
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + cmd);
        }
    }

    /** Runs and expects exit 0; returns stdout. */
    static String ok(List<String> cmd, int timeoutSeconds) {
        Result r = run(cmd, timeoutSeconds);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + r);
        }
        return r.out();
    }

    static void require(String... binaries) {
        for (String b : binaries) {
            boolean found = b.startsWith("/") ? Files.isExecutable(Path.of(b))
                    : List.of(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")).stream()
                    .anyMatch(d -> Files.isExecutable(Path.of(d, b)));
            if (!found) {
                throw new AssertionError(b + " is not installed (apt-get install -y docker.io busybox-static etcd-server)");
            }
        }
    }

    /** Polls {@code condition} every 200 ms until it holds or {@code seconds} pass; returns whether it held. */
    static boolean waitFor(int seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
