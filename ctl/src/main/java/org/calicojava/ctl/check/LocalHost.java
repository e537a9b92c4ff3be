package org.calicojava.ctl.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/** The host this process runs on, in the network namespace it runs in (/proc/sys/net and /proc/net follow it). */
public final class LocalHost implements HostView {
    /** Reads at most this much of a file or a command's output. */
    private static final int MAX = 4 * 1024 * 1024;

    private final String path;

    public LocalHost(String path) {
        this.path = path == null ? "" : path;
    }

    @Override
    public Optional<String> read(Path file) {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return Optional.of(new String(in.readNBytes(MAX), StandardCharsets.UTF_8));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean exists(Path p) {
        return Files.exists(p);
    }

    @Override
    public Optional<Path> which(String name) {
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public Run run(List<String> command) {
        if (which(command.get(0)).isEmpty()) {
            return new Run(-1, command.get(0) + ": not found on PATH");
        }
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            byte[] out = p.getInputStream().readNBytes(MAX);
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Run(-1, command.get(0) + ": no answer within 10 s");
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Run(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Run(-1, "interrupted");
        }
    }

    @Override
    public String write(Path file, String value) {
        try {
            Files.writeString(file, value);
            return null;
        } catch (IOException | SecurityException e) {
            return "cannot write " + file + ": " + e.getMessage();
        }
    }

    @Override
    public Map<Long, String> processes() {
        Map<Long, String> out = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : ds) {
                try {
                    byte[] b = Files.readAllBytes(p.resolve("cmdline"));
                    out.put(
                            Long.parseLong(p.getFileName().toString()),
                            new String(b, StandardCharsets.UTF_8)
                                    .replace('\0', ' ')
                                    .trim());
                } catch (IOException | NumberFormatException e) {
                    // gone, or not ours to read
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to report
        }
        return out;
    }

    @Override
    public List<Long> socketOwners(long inode) {
        String want = "socket:[" + inode + "]";
        List<Long> out = new ArrayList<>();
        for (Long pid : processes().keySet()) {
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", pid.toString(), "fd"))) {
                for (Path fd : fds) {
                    try {
                        if (Files.readSymbolicLink(fd).toString().equals(want)) {
                            out.add(pid);
                            break;
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            } catch (IOException | SecurityException e) {
                // not ours to read
            }
        }
        return out;
    }
}
