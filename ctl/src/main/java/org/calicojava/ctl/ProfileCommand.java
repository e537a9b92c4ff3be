package org.calicojava.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.calicojava.model.Json;
import org.calicojava.model.Names;
import org.calicojava.model.ProfileRules;
import org.calicojava.store.KeyValue;
import org.calicojava.store.Op;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "profile",
        description = "Manage security profiles: profile add|remove|show, profile NAME tag ..., profile NAME rule ...",
        subcommands = {
            ProfileCommand.Add.class,
            ProfileCommand.Remove.class,
            ProfileCommand.Show.class,
            ProfileTagCommand.class,
            ProfileRuleCommand.class
        })
final class ProfileCommand implements Runnable {
    @Parameters(arity = "0..1", paramLabel = "NAME", description = "the profile, for its tag and rule commands")
    String name;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand (expected: add, remove, show, or NAME tag|rule ...)");
    }

    /** The profile named before a tag/rule subcommand; it must exist. */
    static String existing(Sub cmd, ProfileCommand parent) {
        if (parent.name == null) {
            throw Sub.fail("which profile? (usage: javactl profile NAME " + cmd.spec.name() + " ...)");
        }
        String n = Names.check("profile", parent.name);
        if (cmd.store().list(cmd.keys().profile(n) + "/").kvs().isEmpty()) {
            throw Sub.fail("profile " + n + " does not exist (add it: javactl profile add " + n + ")");
        }
        return n;
    }

    @Command(name = "add", description = "Add a profile (members may talk to each other; egress allowed).")
    static final class Add extends Sub {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public void run() {
            String n = Names.check("profile", name);
            boolean ok = store().txn(
                            List.of(org.calicojava.store.Compare.absent(keys().profileRules(n))),
                            List.of(
                                    Op.put(keys().profileRules(n), Json.write(ProfileRules.defaultFor(n))),
                                    Op.put(keys().profileTags(n), Json.write(List.of(n))),
                                    Op.put(keys().profileLabels(n), "{}")));
            if (!ok) {
                throw fail("profile " + n + " already exists");
            }
            out().println("Created profile " + n);
        }
    }

    @Command(name = "remove", description = "Remove a profile (refused while endpoints use it, unless --no-check).")
    static final class Remove extends Sub {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--no-check", description = "remove even if endpoints still use it")
        boolean noCheck;

        @Override
        public void run() {
            String n = Names.check("profile", name);
            if (store().list(keys().profile(n) + "/").kvs().isEmpty()) {
                throw fail("profile " + n + " does not exist");
            }
            if (!noCheck) {
                long users = Endpoints.list(store(), keys(), null).stream()
                        .filter(e -> e.endpoint() != null
                                && e.endpoint().profileIds().contains(n))
                        .count();
                if (users > 0) {
                    throw fail("profile " + n + " is used by " + users + " endpoint" + (users == 1 ? "" : "s")
                            + " (remove them first, or use --no-check)");
                }
            }
            store().deletePrefix(keys().profile(n) + "/");
            out().println("Removed profile " + n);
        }
    }

    @Command(name = "show", description = "Show profiles.")
    static final class Show extends Sub {
        @Option(names = "--detailed", description = "also list the endpoints using each profile")
        boolean detailed;

        @Mixin
        Format format;

        @Override
        public void run() {
            Map<String, Map<String, String>> profiles = new TreeMap<>();
            String base = keys().profiles();
            for (KeyValue kv : store().list(base).kvs()) {
                String[] p = kv.key().substring(base.length()).split("/");
                if (p.length == 2) {
                    profiles.computeIfAbsent(p[0], k -> new TreeMap<>()).put(p[1], kv.value());
                }
            }
            Map<String, List<String>> users = new TreeMap<>();
            if (detailed) {
                for (Endpoints.Entry e : Endpoints.list(store(), keys(), null)) {
                    if (e.endpoint() != null) {
                        for (String pid : e.endpoint().profileIds()) {
                            users.computeIfAbsent(pid, k -> new ArrayList<>())
                                    .add(e.host() + "/" + e.orchestrator() + "/" + e.workload() + "/" + e.id());
                        }
                    }
                }
            }
            Table t = detailed
                    ? new Table("Name", "Tags", "Inbound rules", "Outbound rules", "Endpoints")
                    : new Table("Name");
            for (var entry : profiles.entrySet()) {
                if (!detailed) {
                    t.row(entry.getKey());
                    continue;
                }
                String tags = "";
                int in = 0;
                int outb = 0;
                try {
                    Map<String, String> parts = entry.getValue();
                    if (parts.containsKey("tags")) {
                        tags = String.join(",", new TreeSet<>(List.of(Json.read(parts.get("tags"), String[].class))));
                    }
                    if (parts.containsKey("rules")) {
                        ProfileRules r = Json.read(parts.get("rules"), ProfileRules.class);
                        in = r.inboundRules().size();
                        outb = r.outboundRules().size();
                    }
                } catch (IllegalArgumentException e) {
                    tags = "(invalid: " + e.getMessage() + ")";
                }
                t.row(entry.getKey(), tags, in, outb, String.join("\n", users.getOrDefault(entry.getKey(), List.of())));
            }
            t.print(out(), format.value());
        }
    }
}
