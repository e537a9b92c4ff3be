package org.calicojava.ctl;

import java.io.PrintWriter;
import org.calicojava.model.Keys;
import org.calicojava.store.KvStore;
import picocli.CommandLine;

/** Base of every leaf command: access to the root's store, keys, output, and the -o option for show commands. */
abstract class Sub implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    Javactl root() {
        return (Javactl) spec.root().userObject();
    }

    KvStore store() {
        return root().store();
    }

    Keys keys() {
        return root().keys();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Throws a usage-style refusal: printed as one line, exit 1, nothing written. */
    static UserException fail(String message) {
        return new UserException(message);
    }

    /** Mixin for -o table|json|yaml. */
    static final class Format {
        enum Kind {
            table,
            json,
            yaml
        }

        @CommandLine.Option(
                names = {"-o", "--output"},
                defaultValue = "table",
                paramLabel = "FORMAT",
                description = "table, json or yaml (default: table)")
        Kind kind = Kind.table;

        String value() {
            return kind.name();
        }
    }
}
