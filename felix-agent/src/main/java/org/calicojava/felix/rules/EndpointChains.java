package org.calicojava.felix.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Pure construction of Calico's per-endpoint chains: {@code cali-tw-IFACE} (to the workload: inbound) and {@code
 * cali-fw-IFACE} (from the workload: outbound), reached through the dispatch chains after the shared tier dispatch
 * ({@link TierChains}), which has already accepted established flows, dropped invalid ones and applied the tiers'
 * policies. Each: return if a tier's policy accepted; then each profile chain, return if accepted; then drop. So an
 * endpoint's chain depends only on its interface and its profiles.
 */
public final class EndpointChains {
    private EndpointChains() {}

    public static Chain toWorkload(String iface, List<String> profiles) {
        return build(ChainNames.of(ChainNames.TO_WL, iface), profiles, p -> ChainNames.of(ChainNames.PROFILE_IN, p));
    }

    public static Chain fromWorkload(String iface, List<String> profiles) {
        return build(ChainNames.of(ChainNames.FROM_WL, iface), profiles, p -> ChainNames.of(ChainNames.PROFILE_OUT, p));
    }

    private static Chain build(String name, List<String> profiles, Function<String, String> profileChain) {
        List<Rule> r = new ArrayList<>();
        r.add(new Rule(Action.Verdict.RETURN, "accepted by a tier's policy", Marks.match(Marks.ACCEPT, Marks.ACCEPT)));
        for (String p : profiles) {
            r.add(new Rule(new Action.Jump(profileChain.apply(p)), "profile " + p));
            r.add(new Rule(
                    Action.Verdict.RETURN, "return if profile accepted", Marks.match(Marks.ACCEPT, Marks.ACCEPT)));
        }
        r.add(new Rule(Action.Verdict.DROP, "drop if no profile matched"));
        return new Chain(name, r);
    }
}
