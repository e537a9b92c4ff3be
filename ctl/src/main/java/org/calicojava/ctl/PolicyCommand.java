package org.calicojava.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.calicojava.model.Json;
import org.calicojava.model.KeyPath;
import org.calicojava.model.Names;
import org.calicojava.model.Policy;
import org.calicojava.model.Rule;
import org.calicojava.store.Compare;
import org.calicojava.store.KeyValue;
import org.calicojava.store.Op;
import org.calicojava.store.RevisionConflictException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Tiered policies in the v0 command style (the resource form is {@code apply -f} with kind Policy):
 * {@code policy add NAME [--tier T] [--order N] [--selector S] | remove NAME [--tier T] | show [--tier T]} and
 * {@code policy NAME [--tier T] rule show|add|remove ...} with the profile rule grammar. A policy lives at
 * {@code /v1/policy/tier/<tier>/policy/<name>}; a tier other than {@code default} must exist (kind Tier).
 */
@Command(
        name = "policy",
        description = "Manage tiered policies: policy add|remove|show, policy NAME rule ...",
        subcommands = {
            PolicyCommand.Add.class,
            PolicyCommand.Remove.class,
            PolicyCommand.Show.class,
            PolicyCommand.RuleCmd.class,
            PolicyExplain.class
        })
public final class PolicyCommand implements Runnable {
    static final String DEFAULT_TIER = "default";

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "the policy, for its rule commands")
    String name;

    @Option(names = "--tier", paramLabel = "T", description = "the policy's tier (default: default)")
    String tier;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand (expected: add, remove, show, explain, or NAME rule ...)");
    }

    static String tier(Sub cmd, String tier) {
        String t = Names.check("tier", tier == null ? DEFAULT_TIER : tier);
        if (!t.equals(DEFAULT_TIER)
                && cmd.store().get(cmd.keys().tierMetadata(t)).isEmpty()) {
            throw Sub.fail("tier " + t + " does not exist (create it: javactl apply -f with kind Tier)");
        }
        return t;
    }

    @Command(name = "add", description = "Add a policy without rules (add them with: policy NAME rule add ...).")
    static final class Add extends Sub {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--tier", paramLabel = "T", description = "the tier (default: default)")
        String tier;

        @Option(names = "--order", paramLabel = "N", description = "order within the tier (lower first; none: last)")
        Double order;

        @Option(names = "--selector", paramLabel = "S", description = "the endpoints it applies to (default: all())")
        String selector;

        @Override
        public void run() {
            String n = Names.check("policy", name);
            String t = tier(this, tier);
            Policy p = new Policy(selector, order, List.of(), List.of());
            String key = keys().policy(t, n);
            if (!store().txn(List.of(Compare.absent(key)), List.of(Op.put(key, Json.write(p))))) {
                throw fail("policy " + t + "/" + n + " already exists");
            }
            out().println("Created policy " + t + "/" + n);
        }
    }

    @Command(name = "remove", description = "Remove a policy.")
    static final class Remove extends Sub {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--tier", paramLabel = "T", description = "the tier (default: default)")
        String tier;

        @Override
        public void run() {
            String n = Names.check("policy", name);
            String t = Names.check("tier", tier == null ? DEFAULT_TIER : tier);
            if (!store().delete(keys().policy(t, n))) {
                throw fail("policy " + t + "/" + n + " does not exist");
            }
            out().println("Removed policy " + t + "/" + n);
        }
    }

    @Command(name = "show", description = "Show policies in the order felix applies them.")
    static final class Show extends Sub {
        @Option(names = "--tier", paramLabel = "T", description = "only this tier")
        String tier;

        @Mixin
        Format format;

        @Override
        public void run() {
            String only = tier == null ? null : Names.check("tier", tier);
            record Row(String tier, Double tierOrder, String name, Policy policy, String error) {}
            java.util.Map<String, Double> tierOrders = new java.util.HashMap<>();
            List<Row> rows = new ArrayList<>();
            for (KeyValue kv : store().list(keys().tiers()).kvs()) {
                KeyPath p;
                try {
                    p = KeyPath.parse(keys(), kv.key());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (p instanceof KeyPath.Tier k) {
                    try {
                        tierOrders.put(k.tier(), k.decode(kv.value()).order());
                    } catch (IllegalArgumentException e) {
                        // felix skips it too: the tier sorts last
                    }
                } else if (p instanceof KeyPath.TierPolicy k && (only == null || only.equals(k.tier()))) {
                    try {
                        rows.add(new Row(k.tier(), null, k.name(), k.decode(kv.value()), null));
                    } catch (IllegalArgumentException e) {
                        rows.add(new Row(k.tier(), null, k.name(), null, e.getMessage()));
                    }
                }
            }
            // felix's order: tier order (none last), tier name, policy order (none last), policy name
            java.util.Comparator<Double> nullsLast =
                    java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder());
            rows.sort(java.util.Comparator.comparing((Row r) -> tierOrders.get(r.tier()), nullsLast)
                    .thenComparing(Row::tier)
                    .thenComparing(r -> r.policy() == null ? null : r.policy().order(), nullsLast)
                    .thenComparing(Row::name));
            Table t = new Table("Tier", "Name", "Order", "Selector", "Inbound rules", "Outbound rules");
            for (Row r : rows) {
                Policy pol = r.policy();
                if (pol == null) {
                    t.row(r.tier(), r.name(), "", "(invalid: " + r.error() + ")", "", "");
                } else {
                    t.row(
                            r.tier(),
                            r.name(),
                            pol.order() == null ? "" : order(pol.order()),
                            pol.selector(),
                            pol.inboundRules().size(),
                            pol.outboundRules().size());
                }
            }
            t.print(out(), format.value());
        }

        static String order(double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
        }
    }

    /** {@code policy NAME [--tier T] rule show|add|remove}: the profile rule grammar on a policy's rules. */
    @Command(
            name = "rule",
            description = "Show, add or remove a policy's rules (the profile rule grammar).",
            subcommands = {RuleCmd.RuleShow.class, RuleCmd.RuleAdd.class, RuleCmd.RuleRemove.class})
    static final class RuleCmd {
        /** tier/name of the policy named before "rule"; it must exist. */
        static String[] policy(Sub cmd) {
            PolicyCommand parent = (PolicyCommand) cmd.spec.parent().parent().userObject();
            if (parent.name == null) {
                throw Sub.fail("which policy? (usage: javactl policy NAME [--tier T] rule ...)");
            }
            String n = Names.check("policy", parent.name);
            String t = Names.check("tier", parent.tier == null ? DEFAULT_TIER : parent.tier);
            if (cmd.store().get(cmd.keys().policy(t, n)).isEmpty()) {
                throw Sub.fail("policy " + t + "/" + n + " does not exist (add it: javactl policy add " + n
                        + (t.equals(DEFAULT_TIER) ? "" : " --tier " + t) + ")");
            }
            return new String[] {t, n};
        }

        /** The policy named before "rule" as the shared add/remove commands edit it. */
        static RuleEdits.Holder<Policy> holder(Sub cmd) {
            String[] tn = policy(cmd);
            return new RuleEdits.Holder<>() {
                @Override
                public String name() {
                    return "policy " + tn[0] + "/" + tn[1];
                }

                @Override
                public List<Rule> rules(Policy p, boolean inbound) {
                    return inbound ? p.inboundRules() : p.outboundRules();
                }

                @Override
                public Policy with(Policy p, boolean inbound, List<Rule> list) {
                    return inbound
                            ? new Policy(p.selector(), p.order(), list, p.outboundRules())
                            : new Policy(p.selector(), p.order(), p.inboundRules(), list);
                }

                /** Read-modify-write of the policy key with compare-and-swap, retried on conflict. */
                @Override
                public void change(UnaryOperator<Policy> f) {
                    String key = cmd.keys().policy(tn[0], tn[1]);
                    for (int attempt = 0; attempt < 10; attempt++) {
                        Optional<KeyValue> kv = cmd.store().get(key);
                        if (kv.isEmpty()) {
                            throw Sub.fail(name() + " does not exist");
                        }
                        Policy next = f.apply(Json.read(kv.get().value(), Policy.class));
                        try {
                            cmd.store().update(key, Json.write(next), kv.get().modRevision());
                            return;
                        } catch (RevisionConflictException e) {
                            // changed meanwhile: read again
                        }
                    }
                    throw Sub.fail(name() + " kept changing; try again");
                }
            };
        }

        @Command(name = "show", description = "Show the policy's rules, numbered.")
        static final class RuleShow extends Sub {
            @Override
            public void run() {
                String[] tn = policy(this);
                Policy p = Json.read(
                        store().get(keys().policy(tn[0], tn[1])).orElseThrow().value(), Policy.class);
                out().println("Policy " + tn[0] + "/" + tn[1] + ", selector " + p.selector()
                        + (p.order() == null ? "" : ", order " + Show.order(p.order())));
                RuleEdits.print(out(), p.inboundRules(), p.outboundRules());
            }
        }

        @Command(name = "add", description = "Add a rule: [--at=POS] (inbound|outbound) (allow|deny|log|next-tier) ...")
        static final class RuleAdd extends RuleEdits.Add<Policy> {
            @Override
            RuleEdits.Holder<Policy> holder() {
                return RuleCmd.holder(this);
            }
        }

        @Command(name = "remove", description = "Remove a rule: (inbound|outbound) (--at=POS | RULE WORDS)")
        static final class RuleRemove extends RuleEdits.Remove<Policy> {
            @Override
            RuleEdits.Holder<Policy> holder() {
                return RuleCmd.holder(this);
            }
        }
    }
}
