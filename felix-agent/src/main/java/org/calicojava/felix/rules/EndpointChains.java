package org.calicojava.felix.rules;

import java.util.ArrayList;
import java.util.List;

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
        return new Chain(ChainNames.of(ChainNames.TO_WL, iface), rules(true, profiles));
    }

    public static Chain fromWorkload(String iface, List<String> profiles) {
        return new Chain(ChainNames.of(ChainNames.FROM_WL, iface), rules(false, profiles));
    }

    /**
     * The rules of an endpoint chain of this direction ({@code inbound}: {@code cali-tw-}) and these profiles, as an
     * unmodifiable list: they do not depend on the interface, so endpoints with the same profiles can share one list
     * ({@link Chain} keeps an unmodifiable list as given).
     */
    public static List<Rule> rules(boolean inbound, List<String> profiles) {
        List<Rule> r = new ArrayList<>();
        r.add(new Rule(Action.Verdict.RETURN, "accepted by a tier's policy", Marks.match(Marks.ACCEPT, Marks.ACCEPT)));
        for (String p : profiles) {
            String chain = ChainNames.of(inbound ? ChainNames.PROFILE_IN : ChainNames.PROFILE_OUT, p);
            r.add(new Rule(new Action.Jump(chain), "profile " + p));
            r.add(new Rule(
                    Action.Verdict.RETURN, "return if profile accepted", Marks.match(Marks.ACCEPT, Marks.ACCEPT)));
        }
        r.add(new Rule(Action.Verdict.DROP, "drop if no profile matched"));
        return List.copyOf(r);
    }
}
