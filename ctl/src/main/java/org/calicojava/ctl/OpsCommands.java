package org.calicojava.ctl;

import java.util.Map;
import java.util.function.Supplier;

/** The operator tooling's top-level commands (issue 18), registered lazily like every other command. */
final class OpsCommands {
    private OpsCommands() {}

    static void addTo(Map<String, Supplier<Object>> commands) {
        commands.put("checksystem", CheckSystemCommand::new);
        commands.put("diags", DiagsCommand::new);
        commands.put("graph", GraphCommand::new);
        commands.put("datastore", DatastoreCommand::new);
    }
}
