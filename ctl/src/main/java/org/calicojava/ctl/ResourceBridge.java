package org.calicojava.ctl;

import org.calicojava.model.Keys;
import org.calicojava.store.KvStore;
import picocli.CommandLine;

/**
 * What the resource commands (package {@code org.calicojava.ctl.resource}) use of the root command: its store and key
 * layout, and the one-line refusal.
 */
public final class ResourceBridge {
    private ResourceBridge() {}

    public static KvStore store(CommandLine.Model.CommandSpec spec) {
        return ((Javactl) spec.root().userObject()).store();
    }

    public static Keys keys(CommandLine.Model.CommandSpec spec) {
        return ((Javactl) spec.root().userObject()).keys();
    }

    /** A refusal printed as one line ("Error: ..."), exit 1. */
    public static RuntimeException fail(String message) {
        return new UserException(message);
    }
}
