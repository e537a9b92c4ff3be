package org.calicojava.felix.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Pure construction of Calico's per-endpoint chains: {@code cali-tw-IFACE} (to the workload: inbound policy) and
 * {@code cali-fw-IFACE} (from the workload: outbound policy). Each: conntrack established accepted, invalid dropped,
 * marks cleared; then per tier: pass mark cleared, each policy chain called while nothing passed, return if accepted,
 * drop if no policy passed the packet; then each profile chain, return if accepted; then drop.
 */
public final class EndpointChains {
    private EndpointChains() {}

    public static Chain toWorkload(String iface, List<TierPolicies> tiers, List<String> profiles) {
        return build(
                ChainNames.of(ChainNames.TO_WL, iface),
                tiers,
                profiles,
                p -> ChainNames.of(ChainNames.POLICY_IN, p),
                p -> ChainNames.of(ChainNames.PROFILE_IN, p));
    }

    public static Chain fromWorkload(String iface, List<TierPolicies> tiers, List<String> profiles) {
        return build(
                ChainNames.of(ChainNames.FROM_WL, iface),
                tiers,
                profiles,
                p -> ChainNames.of(ChainNames.POLICY_OUT, p),
                p -> ChainNames.of(ChainNames.PROFILE_OUT, p));
    }

    private static Chain build(
            String name,
            List<TierPolicies> tiers,
            List<String> profiles,
            Function<String, String> policyChain,
            Function<String, String> profileChain) {
        List<Rule> r = new ArrayList<>();
        r.add(new Rule(
                Action.Verdict.ACCEPT,
                "established",
                new Match.CtState(List.of(Match.State.RELATED, Match.State.ESTABLISHED))));
        r.add(new Rule(Action.Verdict.DROP, "invalid", new Match.CtState(List.of(Match.State.INVALID))));
        r.add(new Rule(Marks.set(0, Marks.ACCEPT | Marks.PASS), "clear marks"));
        for (TierPolicies t : tiers) {
            if (t.policies().isEmpty()) {
                continue;
            }
            r.add(new Rule(Marks.set(0, Marks.PASS), "start of tier " + t.tier()));
            for (String p : t.policies()) {
                r.add(new Rule(
                        new Action.Jump(policyChain.apply(TierPolicies.policyId(t.tier(), p))),
                        "policy " + p,
                        Marks.match(0, Marks.PASS)));
                r.add(new Rule(
                        Action.Verdict.RETURN, "return if policy accepted", Marks.match(Marks.ACCEPT, Marks.ACCEPT)));
            }
            r.add(new Rule(Action.Verdict.DROP, "drop if no policy in tier passed", Marks.match(0, Marks.PASS)));
        }
        for (String p : profiles) {
            r.add(new Rule(new Action.Jump(profileChain.apply(p)), "profile " + p));
            r.add(new Rule(
                    Action.Verdict.RETURN, "return if profile accepted", Marks.match(Marks.ACCEPT, Marks.ACCEPT)));
        }
        r.add(new Rule(Action.Verdict.DROP, "drop if no profile matched"));
        return new Chain(name, r);
    }
}
