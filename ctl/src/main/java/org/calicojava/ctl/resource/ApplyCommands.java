package org.calicojava.ctl.resource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.ctl.ResourceBridge;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code javactl apply|create|replace|delete -f FILE|-}: the documents of the file in order, each written in one
 * transaction ({@link Applier}). The first document that fails stops the run: the ones before it stay written,
 * nothing of it or of later ones is, and the error names it.
 */
public final class ApplyCommands {
    private ApplyCommands() {}

    abstract static class FileCommand implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = {"-f", "--filename"},
                paramLabel = "FILE",
                description = "the resources (YAML or JSON; - for stdin)")
        String file;

        abstract Applier.Mode mode();

        Kind.Ctx ctx() {
            return new Kind.Ctx(ResourceBridge.store(spec), ResourceBridge.keys(spec));
        }

        String readInput() {
            if (file == null) {
                throw ResourceBridge.fail("give the resources: -f FILE (or -f - for stdin)");
            }
            try {
                if (file.equals("-")) {
                    InputStream in = System.in;
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                Path p = Path.of(file);
                if (Files.size(p) > org.calicojava.model.Json.MAX_VALUE * 8L) {
                    throw ResourceBridge.fail(file + ": too large");
                }
                return Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException | java.nio.file.InvalidPathException e) {
                throw ResourceBridge.fail("cannot read " + file + ": " + e.getMessage());
            }
        }

        @Override
        public void run() {
            String text = readInput();
            List<Documents.Chunk> chunks = new ArrayList<>();
            for (Documents.Chunk c : Documents.split(text)) {
                chunks.addAll(Documents.expand(c, chunks.size() + 1));
            }
            if (chunks.isEmpty()) {
                throw ResourceBridge.fail((file.equals("-") ? "stdin" : file) + ": no resources");
            }
            Kind.Ctx ctx = ctx();
            int done = 0;
            for (Documents.Chunk c : chunks) {
                try {
                    out().println(one(Documents.read(c), ctx));
                    done++;
                } catch (IllegalArgumentException e) {
                    String where = e instanceof Documents.DocumentException
                            ? e.getMessage()
                            : "document " + c.index() + ", line " + Documents.lineOf(c, e.getMessage()) + ": "
                                    + e.getMessage();
                    throw ResourceBridge.fail((file.equals("-") ? "stdin" : file) + ": " + where + " ("
                            + (done == 0
                                    ? "nothing written"
                                    : (done == 1 ? "document 1" : "documents 1-" + done)
                                            + " " + verb() + "; nothing of document " + c.index()
                                            + (c.index() < chunks.size() ? " or later" : "") + " written")
                            + ")");
                }
            }
        }

        String verb() {
            return switch (mode()) {
                case APPLY -> "applied";
                case CREATE -> "created";
                case REPLACE -> "replaced";
                case DELETE -> "deleted";
            };
        }

        private String one(Documents.Doc d, Kind.Ctx ctx) {
            Kind k = d.kind();
            if (!k.writable()) {
                throw new IllegalArgumentException(k.kind() + " is shown only (javactl get " + k.kind() + ")");
            }
            Footprint f = mode() == Applier.Mode.DELETE
                    ? k.deletion(d.meta(), d.spec(), ctx).deleted()
                    : k.footprint(d.meta(), d.spec(), ctx);
            Applier.Outcome o = Applier.write(ctx.store(), mode(), f);
            return switch (o) {
                case CREATED -> "Created " + f.kind() + " " + f.name();
                case CHANGED -> (mode() == Applier.Mode.REPLACE ? "Replaced " : "Updated ") + f.kind() + " " + f.name();
                case UNCHANGED -> "Unchanged " + f.kind() + " " + f.name();
                case DELETED -> "Deleted " + f.kind() + " " + f.name();
            };
        }

        java.io.PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    /** {@code apply -f}: create or update. */
    @Command(name = "apply", description = "Create or update resources from a file (YAML/JSON, '-' for stdin).")
    public static final class Apply extends FileCommand {
        @Override
        Applier.Mode mode() {
            return Applier.Mode.APPLY;
        }
    }

    /** {@code create -f}: refused for a resource that exists. */
    @Command(name = "create", description = "Create resources from a file; refused for one that exists.")
    public static final class Create extends FileCommand {
        @Override
        Applier.Mode mode() {
            return Applier.Mode.CREATE;
        }
    }

    /** {@code replace -f}: refused for a resource that does not exist. */
    @Command(name = "replace", description = "Replace resources from a file; refused for one that does not exist.")
    public static final class Replace extends FileCommand {
        @Override
        Applier.Mode mode() {
            return Applier.Mode.REPLACE;
        }
    }

    /** {@code delete -f FILE} or {@code delete KIND NAME}. */
    @Command(name = "delete", description = "Delete the resources named in a file, or one: delete KIND NAME.")
    public static final class Delete extends FileCommand {
        @Parameters(arity = "0..2", paramLabel = "KIND NAME")
        List<String> words;

        @Override
        Applier.Mode mode() {
            return Applier.Mode.DELETE;
        }

        @Override
        public void run() {
            if (words == null || words.isEmpty()) {
                super.run();
                return;
            }
            if (file != null || words.size() != 2) {
                throw ResourceBridge.fail("delete: give -f FILE, or KIND NAME");
            }
            Kind k = GetCommand.kind(words.get(0));
            if (!k.writable()) {
                throw ResourceBridge.fail(k.kind() + " is shown only (javactl get " + k.kind() + ")");
            }
            Kind.Ctx ctx = ctx();
            List<Kind.Resource> found = GetCommand.find(k, ctx, words.get(1));
            if (found.size() > 1) {
                throw ResourceBridge.fail(found.size() + " " + k.kind() + " resources are named " + words.get(1)
                        + " (delete -f with the one you mean)");
            }
            Kind.Resource r = found.get(0);
            Footprint f = k.deletion(r.metadata(), r.spec(), ctx).deleted();
            Applier.write(ctx.store(), Applier.Mode.DELETE, f);
            out().println("Deleted " + f.kind() + " " + f.name());
        }
    }
}
