package org.calicojava.bgp.interop;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A real routing daemon started by a test in its own temp dir, stopped by its PID (never by name). */
abstract class Daemon implements AutoCloseable {
    final Path dir;
    Process process;

    Daemon(String prefix) {
        try {
            dir = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String binary(String path) {
        if (!new File(path).canExecute()) {
            throw new IllegalStateException(path + " not installed (apt-get install bird2 gobgpd)");
        }
        return path;
    }

    void start(List<String> command) {
        try {
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("daemon.out").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command + ": " + e.getMessage());
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGSTOP / SIGCONT by PID. */
    void freeze(boolean frozen) {
        run(List.of("kill", frozen ? "-STOP" : "-CONT", Long.toString(pid())));
    }

    String output() {
        try {
            return Files.readString(dir.resolve("daemon.out"));
        } catch (IOException e) {
            return "";
        }
    }

    static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command);
        }
    }

    static List<String> cmd(String... parts) {
        return new ArrayList<>(List.of(parts));
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            freeze(false);
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir cleanup is best effort
        }
    }
}
