package org.calicojava.ctl.diags;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.ctl.check.HostView;

/**
 * Collects the pieces of a diagnostics archive and writes them as one .tar.gz (mode 0600). A piece that cannot be
 * collected (a program missing, a socket absent, etcd down) becomes a file saying why, and a line of manifest.txt:
 * diags never fails for a missing piece. Every piece passes through {@link Secrets} before it is written.
 */
public final class Diags {
    /** One piece's content; may throw: the exception's message is recorded instead. */
    @FunctionalInterface
    public interface Source {
        String get() throws Exception;
    }

    private final HostView host;
    private final Secrets secrets;
    private final Map<String, String> collected = new LinkedHashMap<>();
    private final List<String> manifest = new ArrayList<>();

    public Diags(HostView host, Secrets secrets) {
        this.host = host;
        this.secrets = secrets;
    }

    /** Collects a piece now (pieces are masked only when written, once every secret is known). */
    public void add(String file, Source source) {
        String text;
        try {
            text = source.get();
            if (text == null) {
                text = "";
            }
            manifest.add(String.format("%-44s collected", file));
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            text = "not collected: " + why + "\n";
            manifest.add(String.format("%-44s NOT COLLECTED: %s", file, oneLine(why)));
        }
        collected.put(file, text);
    }

    /** A command's output; a missing program or a non-zero exit is recorded with the output there was. */
    public void addCommand(String file, List<String> command) {
        add(file, () -> {
            HostView.Run r = host.run(command);
            if (r.code() != 0) {
                throw new IllegalStateException(
                        String.join(" ", command) + " exited with " + r.code() + ": " + oneLine(r.out()));
            }
            return "$ " + String.join(" ", command) + "\n" + r.out();
        });
    }

    /** The last {@code lines} lines of a file. */
    public static String tail(Path file, int lines) throws IOException {
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        int from = Math.max(0, all.size() - lines);
        return (from > 0 ? "(last " + lines + " of " + all.size() + " lines)\n" : "")
                + String.join("\n", all.subList(from, all.size())) + "\n";
    }

    /** The run directory: each log's tail, each status and pid file, each rendered config (masked). */
    public void addRunDir(Path dir, int logLines) {
        if (!Files.isDirectory(dir)) {
            add("run/MISSING.txt", () -> {
                throw new IOException("no run directory " + dir + " (is the node run with javactl node run here? "
                        + "give --run-dir)");
            });
            return;
        }
        addCommand(
                "run/ls.txt",
                List.of("ls", "-la", dir.toString(), dir.resolve("confd/conf.d").toString()));
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(files::add);
        } catch (IOException e) {
            add("run/MISSING.txt", () -> {
                throw e;
            });
        }
        Path confd = dir.resolve("confd/conf.d");
        if (Files.isDirectory(confd)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(confd, "*.toml")) {
                ds.forEach(files::add);
            } catch (IOException e) {
                // listed in ls.txt
            }
        }
        files.sort(null);
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (!Files.isRegularFile(f)) {
                continue;
            }
            String entry = "run/" + (f.getParent().equals(dir) ? "" : "confd/") + name;
            if (name.endsWith(".log")) {
                add(entry, () -> tail(f, logLines));
            } else if (name.endsWith(".pid")
                    || name.endsWith(".json")
                    || name.endsWith(".yaml")
                    || name.endsWith(".conf")
                    || name.endsWith(".toml")) {
                add(entry, () -> Files.readString(f));
            }
        }
    }

    /** Writes the archive: every piece under {@code top}/, plus manifest.txt. */
    public void write(Path output, String top) throws IOException {
        Files.deleteIfExists(output);
        Files.createFile(output, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        long now = Instant.now().getEpochSecond();
        try (OutputStream raw = Files.newOutputStream(output, StandardOpenOption.TRUNCATE_EXISTING);
                TarGz tar = new TarGz(raw, now)) {
            StringBuilder m = new StringBuilder("calico-java diagnostics, " + Instant.now() + "\n");
            manifest.forEach(l -> m.append(l).append('\n'));
            tar.add(top + "/manifest.txt", m.toString().getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, String> e : collected.entrySet()) {
                String text =
                        e.getKey().endsWith(".json") ? secrets.maskJson(e.getValue()) : secrets.mask(e.getValue());
                tar.add(top + "/" + e.getKey(), text.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ").trim();
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }
}
