package org.calicojava.ctl.graph;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** DOT to SVG through Graphviz's {@code dot}, and the SVG in one self-contained HTML page. */
public final class Pictures {
    private Pictures() {}

    /** Runs {@code dot -Tsvg}; IllegalStateException with one line when dot is missing or fails. */
    public static String svg(String dot) {
        Process p;
        try {
            p = new ProcessBuilder(List.of("dot", "-Tsvg"))
                    .redirectError(ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("--format svg needs Graphviz's dot, which is not on PATH (apt-get install "
                    + "graphviz); --format dot works without it");
        }
        try {
            Thread writer = new Thread(
                    () -> {
                        try (OutputStream in = p.getOutputStream()) {
                            in.write(dot.getBytes(StandardCharsets.UTF_8));
                        } catch (IOException ignored) {
                            // dot failed: its exit code says so
                        }
                    },
                    "dot-input");
            writer.start();
            byte[] out;
            try (InputStream o = p.getInputStream()) {
                out = o.readAllBytes();
            }
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("dot -Tsvg took longer than 60 s");
            }
            writer.join();
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        "dot -Tsvg exited with " + p.exitValue() + ": " + err.replaceAll("\\s+", " "));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("dot -Tsvg: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** One XHTML page (also well-formed XML) with the SVG inline: no script, no external resource. */
    public static String html(String svg, String title) {
        int start = svg.indexOf("<svg");
        String inline = start >= 0 ? svg.substring(start) : svg;
        String t = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
                + "<meta charset=\"utf-8\"/>\n<title>" + t + "</title>\n"
                + "<style>body{font-family:Helvetica,Arial,sans-serif;margin:1em}svg{max-width:100%;height:auto}</style>\n"
                + "</head>\n<body>\n<h1>" + t + "</h1>\n" + inline + "\n</body>\n</html>\n";
    }
}
