package org.calicojava.felix.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Commands for the benchmark: fail loudly with the output. */
final class BenchSh {
    private BenchSh() {}

    static String run(String... cmd) {
        return input(null, cmd);
    }

    static String input(String stdin, String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            Path in = null;
            if (stdin != null) {
                in = Files.createTempFile("felix-bench", ".in");
                Files.writeString(in, stdin);
                pb.redirectInput(in.toFile());
            }
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            if (in != null) {
                Files.deleteIfExists(in);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", cmd) + ": " + out.lines().findFirst().orElse(""));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
