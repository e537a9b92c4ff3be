package org.calicojava.confd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Runs commands with /bin/sh -c, stdout and stderr merged; a command over its timeout is killed with its children (exit 124). */
public final class ShellCommandRunner implements CommandRunner {
    @Override
    public Result run(String command, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(127, "cannot run /bin/sh: " + e.getMessage());
        }
        try (InputStream in = p.getInputStream()) {
            p.getOutputStream().close();
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    out.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the process was killed
                }
            }, "cmd-output");
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                reader.join(1000);
                return new Result(124, "timed out after " + timeout.toSeconds() + " s: " + command);
            }
            reader.join(2000);
            return new Result(p.exitValue(), out.toString());
        } catch (IOException e) {
            return new Result(p.isAlive() ? 1 : p.exitValue(), e.getMessage());
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(130, "interrupted");
        }
    }
}
