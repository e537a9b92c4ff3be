package org.calicojava.netlink.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

    public record Result(int exit, String out, String err) {
    }

    public static Result tryRun(String... cmd) {
        try {
            Process p = new ProcessBuilder(List.of(cmd)).start();
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + ": no exit within 60 s");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(cmd[0] + " could not run (is it installed?): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
