package org.calicojava.felix.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Pure construction of the shared policy dispatch by tier. Each direction has one root chain that every packet to
 * ({@code cali-tiers-in}, inbound policy) or from ({@code cali-tiers-out}, outbound policy) a workload interface
 * passes before its interface's own chain: conntrack established accepted, invalid dropped, marks cleared; then per
 * tier with a policy in use: the pass and matched marks cleared, the tier's chain called, return if a policy
 * accepted, drop if a policy of the tier applied and none passed the packet on; at the end the marks cleared for
 * the profiles in the endpoint's chain. A tier's chain ({@code cali-ti-TIER}
 * inbound, {@code cali-te-TIER} outbound) holds, per policy in order, two rules keyed on the policy's selector ipset
 * (the workload's address: the destination inbound, the source outbound): the matched mark set, and the policy's
 * chain called while no policy has accepted or passed. So which endpoints a policy applies to is the members of one
 * set: a policy that starts applying to every endpoint changes that set and the tier's chain, not each endpoint's.
 */
public final class TierChains {
    private TierChains() {}

    /** A policy in use as the dispatch sees it: its chain id (tier.name), its name, its selector's ipset. */
    public record Applied(String policyId, String policy, String set) {}

    /** A tier's policies in use, in order. */
    public record Tier(String name, List<Applied> policies) {
        public Tier {
            policies = List.copyOf(policies);
        }
    }

    /** The inbound root chain first, then the tiers' chains (the tiers' ipsets are of one IP version). */
    public static List<Chain> inbound(List<Tier> tiers) {
        return build(true, tiers);
    }

    /** The outbound root chain first, then the tiers' chains. */
    public static List<Chain> outbound(List<Tier> tiers) {
        return build(false, tiers);
    }

    private static List<Chain> build(boolean in, List<Tier> tiers) {
        List<Chain> out = new ArrayList<>();
        List<Rule> root = new ArrayList<>();
        root.add(new Rule(
                Action.Verdict.ACCEPT,
                "established",
                new Match.CtState(List.of(Match.State.RELATED, Match.State.ESTABLISHED))));
        root.add(new Rule(Action.Verdict.DROP, "invalid", new Match.CtState(List.of(Match.State.INVALID))));
        root.add(new Rule(Marks.set(0, Marks.ACCEPT | Marks.PASS | Marks.MATCHED), "clear marks"));
        Match.Dir workload = in ? Match.Dir.DST : Match.Dir.SRC;
        for (Tier t : tiers) {
            if (t.policies().isEmpty()) {
                continue;
            }
            String chain = ChainNames.of(in ? ChainNames.TIER_IN : ChainNames.TIER_OUT, t.name());
            root.add(new Rule(Marks.set(0, Marks.PASS | Marks.MATCHED), "start of tier " + t.name()));
            root.add(new Rule(new Action.Jump(chain), "tier " + t.name()));
            root.add(new Rule(
                    Action.Verdict.RETURN, "return if policy accepted", Marks.match(Marks.ACCEPT, Marks.ACCEPT)));
            root.add(new Rule(
                    Action.Verdict.DROP,
                    "drop if no policy in tier passed",
                    Marks.match(Marks.MATCHED, Marks.MATCHED | Marks.PASS)));
            List<Rule> rules = new ArrayList<>();
            for (Applied p : t.policies()) {
                Match member = new Match.InSet(p.set(), workload, false);
                rules.add(
                        new Rule(Marks.set(Marks.MATCHED, Marks.MATCHED), "policy " + p.policy() + " applies", member));
                rules.add(new Rule(
                        new Action.Jump(ChainNames.of(in ? ChainNames.POLICY_IN : ChainNames.POLICY_OUT, p.policyId())),
                        "policy " + p.policy(),
                        member,
                        Marks.match(0, Marks.ACCEPT | Marks.PASS)));
            }
            out.add(new Chain(chain, rules));
        }
        if (root.size() > 3) { // the profiles after the tiers start with no pass mark
            root.add(new Rule(Marks.set(0, Marks.PASS | Marks.MATCHED), "end of tiers"));
        }
        out.add(0, new Chain(in ? ChainNames.TIERS_IN : ChainNames.TIERS_OUT, root));
        return out;
    }
}
