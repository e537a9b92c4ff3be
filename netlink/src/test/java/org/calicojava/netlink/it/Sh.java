package org.calicojava.netlink.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command (the real {@code ip}), with a timeout; fails with its stderr on a non-zero exit. */
public final class Sh {
    private Sh() {
    }

    public static String run(String... cmd) {
        Result r = tryRun(cmd);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.err().strip());
        }
        return r.out();
    }

    private static void deleteQuietly(Path p) {
        try {
            if (p != null) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // temp file
        }
    }

    public record Result(int exit, String out, String err) {
    }

    public static Result tryRun(String... cmd) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("sh", ".out");
            err = Files.createTempFile("sh", ".err");
            // output goes to files so a large output cannot block the process on a full pipe
            Process p = new ProcessBuilder(List.of(cmd)).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + ": no exit within 60 s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new AssertionError(cmd[0] + " could not run (is it installed?): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }
}
