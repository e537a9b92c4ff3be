package org.calicojava.ctl;

import org.calicojava.model.Names;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "config",
        description = "Felix configuration in etcd.",
        subcommands = {ConfigCommand.Felix.class})
final class ConfigCommand {

    @Command(name = "felix", description = "Show, set or --remove a felix setting (global, or one host's with --host).")
    static final class Felix extends Sub {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE")
        String value;

        @Option(names = "--remove")
        boolean remove;

        @Option(names = "--host", paramLabel = "H")
        String host;

        @Override
        public void run() {
            String n = Names.check("config", name);
            String key = host == null ? keys().felixConfig(n) : keys().hostConfig(host, n);
            if (remove && value != null) {
                throw fail("give a VALUE or --remove, not both");
            }
            if (remove) {
                if (!store().delete(key)) {
                    throw fail(n + " is not set");
                }
                out().println("Removed " + n);
            } else if (value == null) {
                out().println(store().get(key).map(kv -> kv.value()).orElse("(not set)"));
            } else {
                store().put(key, value);
                out().println("Set " + n + " = " + value);
            }
        }
    }
}
