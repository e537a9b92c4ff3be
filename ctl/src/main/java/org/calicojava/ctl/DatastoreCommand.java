package org.calicojava.ctl;

import java.util.List;
import org.calicojava.model.LogText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code javactl datastore check}: the keys the daemons would refuse ({@link DatastoreCheck}). */
@Command(
        name = "datastore",
        description = "The datastore as a whole: check.",
        subcommands = {DatastoreCommand.Check.class})
final class DatastoreCommand {

    @Command(
            name = "check",
            description = "List every key that felix, confd or IPAM would refuse (each daemon skips such a key with "
                    + "one log line); read-only. Exit 1 when any is found.")
    static final class Check extends CheckCommand {
        @Mixin
        Format format;

        @Override
        public void run() {
            Snapshot s = Snapshot.of(store(), keys());
            List<DatastoreCheck.Finding> found = DatastoreCheck.run(keys(), s.kv());
            boolean table = format.value().equals("table");
            Table t = new Table("Key", "Refused by", "Problem");
            for (DatastoreCheck.Finding f : found) {
                // a key is untrusted text: quoted in the table (one line each), as is in JSON and YAML
                t.row(table ? LogText.quote(f.key()) : f.key(), f.readers(), LogText.oneLine(f.problem()));
            }
            s.print(
                    t,
                    format.value(),
                    out(),
                    s.kv().size() + " keys checked at revision " + s.revision() + ": "
                            + (found.isEmpty() ? "none refused" : found.size() + " refused"));
            exitCode = found.isEmpty() ? 0 : 1;
        }
    }
}
