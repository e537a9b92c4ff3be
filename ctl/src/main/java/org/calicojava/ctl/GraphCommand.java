package org.calicojava.ctl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.calicojava.ctl.graph.DotWriter;
import org.calicojava.ctl.graph.Fabric;
import org.calicojava.ctl.graph.FabricLoader;
import org.calicojava.ctl.graph.Pictures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code javactl graph [--format dot|svg|html] [--output FILE]}: the fabric in etcd as a picture (see
 * {@link DotWriter}): DOT from Java, SVG through Graphviz's {@code dot}, HTML as one page with the SVG inline.
 */
@Command(
        name = "graph",
        description = "Draw the fabric: nodes, BGP sessions and their state, external peers, route "
                + "reflectors, workloads and profiles (dot, svg or html).")
final class GraphCommand extends Sub {
    @Option(names = "--format", defaultValue = "dot", paramLabel = "dot|svg|html", description = "default: dot")
    String format;

    @Option(names = "--output", paramLabel = "FILE", description = "write here (default: stdout)")
    Path output;

    @Override
    public void run() {
        if (!format.equals("dot") && !format.equals("svg") && !format.equals("html")) {
            throw fail("--format: '" + format + "' (expected: dot, svg or html)");
        }
        Fabric f = FabricLoader.load(store(), keys());
        String dot = DotWriter.render(f);
        String text;
        try {
            text = switch (format) {
                case "svg" -> Pictures.svg(dot);
                case "html" ->
                    Pictures.html(
                            Pictures.svg(dot),
                            "calico-java fabric (" + f.nodes().size() + " nodes)");
                default -> dot;
            };
        } catch (IllegalStateException e) {
            throw fail(e.getMessage());
        }
        if (output == null) {
            out().print(text);
            out().flush();
            return;
        }
        try {
            Path abs = output.toAbsolutePath();
            Path tmp = Files.createTempFile(abs.getParent(), ".graph", ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            out().println("Graph written to " + abs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + output + ": " + e.getMessage(), e);
        }
    }
}
