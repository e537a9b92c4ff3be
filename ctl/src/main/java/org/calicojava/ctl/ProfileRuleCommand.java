package org.calicojava.ctl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.calicojava.model.Json;
import org.calicojava.model.ProfileRules;
import org.calicojava.model.Rule;
import org.calicojava.store.KeyValue;
import org.calicojava.store.RevisionConflictException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "rule",
        description = "Show, add, remove, dump (json) or replace (update, JSON on stdin) a profile's rules.",
        subcommands = {
            ProfileRuleCommand.Show.class,
            ProfileRuleCommand.Add.class,
            ProfileRuleCommand.Remove.class,
            ProfileRuleCommand.JsonCmd.class,
            ProfileRuleCommand.Update.class
        })
final class ProfileRuleCommand {

    abstract static class RuleSub extends Sub {
        String profile() {
            return profileOf(this);
        }

        ProfileRules rules(String profile) {
            return store().get(keys().profileRules(profile))
                    .map(kv -> Json.read(kv.value(), ProfileRules.class))
                    .orElse(new ProfileRules(List.of(), List.of()));
        }
    }

    /** The profile named before "rule"; it must exist. */
    static String profileOf(Sub cmd) {
        return ProfileCommand.existing(
                cmd, (ProfileCommand) cmd.spec.parent().parent().userObject());
    }

    /** Read-modify-write of the rules key with compare-and-swap, retried on conflict. */
    static void change(Sub cmd, String profile, UnaryOperator<ProfileRules> f) {
        for (int attempt = 0; attempt < 10; attempt++) {
            Optional<KeyValue> kv = cmd.store().get(cmd.keys().profileRules(profile));
            ProfileRules cur = kv.map(k -> Json.read(k.value(), ProfileRules.class))
                    .orElse(new ProfileRules(List.of(), List.of()));
            ProfileRules next = f.apply(cur);
            try {
                if (kv.isPresent()) {
                    cmd.store()
                            .update(
                                    cmd.keys().profileRules(profile),
                                    Json.write(next),
                                    kv.get().modRevision());
                } else {
                    cmd.store().create(cmd.keys().profileRules(profile), Json.write(next));
                }
                return;
            } catch (RevisionConflictException | org.calicojava.store.KeyExistsException e) {
                // changed meanwhile: read again
            }
        }
        throw Sub.fail("profile " + profile + " rules kept changing; try again");
    }

    /** The profile named before "rule" as the shared add/remove commands edit it. */
    static RuleEdits.Holder<ProfileRules> holder(Sub cmd) {
        String p = profileOf(cmd);
        return new RuleEdits.Holder<>() {
            @Override
            public String name() {
                return "profile " + p;
            }

            @Override
            public List<Rule> rules(ProfileRules r, boolean inbound) {
                return inbound ? r.inboundRules() : r.outboundRules();
            }

            @Override
            public ProfileRules with(ProfileRules r, boolean inbound, List<Rule> list) {
                return inbound ? new ProfileRules(list, r.outboundRules()) : new ProfileRules(r.inboundRules(), list);
            }

            @Override
            public void change(UnaryOperator<ProfileRules> f) {
                ProfileRuleCommand.change(cmd, p, f);
            }
        };
    }

    @Command(name = "show", description = "Show the profile's rules, numbered.")
    static final class Show extends RuleSub {
        @Mixin
        Format format;

        @Override
        public void run() {
            ProfileRules r = rules(profile());
            if (!format.value().equals("table")) {
                out().println(format.value().equals("json") ? Output.json(r) : Output.yaml(r));
                return;
            }
            RuleEdits.print(out(), r.inboundRules(), r.outboundRules());
        }
    }

    @Command(
            name = "add",
            description =
                    "Add a rule: [--at=POS] (inbound|outbound) (allow|deny|log|next-tier) "
                            + "[PROTOCOL] [type N [code N]] [from [ports P] [tag T] [cidr C] [selector S]] [to ...]; '!' negates.")
    static final class Add extends RuleEdits.Add<ProfileRules> {
        @Override
        RuleEdits.Holder<ProfileRules> holder() {
            return ProfileRuleCommand.holder(this);
        }
    }

    @Command(name = "remove", description = "Remove a rule: (inbound|outbound) (--at=POS | RULE WORDS)")
    static final class Remove extends RuleEdits.Remove<ProfileRules> {
        @Override
        RuleEdits.Holder<ProfileRules> holder() {
            return ProfileRuleCommand.holder(this);
        }
    }

    @Command(name = "json", description = "Print the profile's rules as JSON (input for 'update').")
    static final class JsonCmd extends RuleSub {
        @Override
        public void run() {
            out().println(Output.json(rules(profile())));
        }
    }

    @Command(name = "update", description = "Replace the profile's rules with JSON read from stdin.")
    static final class Update extends RuleSub {
        @Override
        public void run() {
            String p = profile();
            String json;
            try {
                json = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw fail("cannot read stdin: " + e.getMessage());
            }
            if (json.isBlank()) {
                throw fail("no JSON on stdin (expected: {\"inbound_rules\":[...],\"outbound_rules\":[...]})");
            }
            ProfileRules next = Json.read(json, ProfileRules.class);
            change(this, p, r -> next);
            out().println("Rules of profile " + p + " updated");
        }
    }
}
