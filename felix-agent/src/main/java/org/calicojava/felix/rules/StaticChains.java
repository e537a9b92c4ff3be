package org.calicojava.felix.rules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** The fixed part of Calico's structure: hook targets, dispatch, workload-to-host and NAT outgoing chains. */
public final class StaticChains {
    private StaticChains() {
    }

    /** Rules inserted at the top of the kernel's built-in chains (table filter or nat) to reach ours. */
    public record Hook(String table, String builtin, Rule rule) {
    }

    public static List<Hook> hooks() {
        return List.of(new Hook("filter", "INPUT", Rule.of("", "-j " + ChainNames.INPUT)),
                new Hook("filter", "FORWARD", Rule.of("", "-j " + ChainNames.FORWARD)),
                new Hook("filter", "OUTPUT", Rule.of("", "-j " + ChainNames.OUTPUT)),
                new Hook("nat", "POSTROUTING", Rule.of("", "-j " + ChainNames.POSTROUTING)));
    }

    /** The filter chains that do not depend on endpoints (other than by interface prefix). */
    public static List<Chain> filter(String ifacePrefix, String endpointToHostAction) {
        String wild = ifacePrefix + "+";
        String toHost = endpointToHostAction.toUpperCase(Locale.ROOT);
        if (!List.of("DROP", "ACCEPT", "RETURN").contains(toHost)) {
            throw new IllegalArgumentException("DefaultEndpointToHostAction: '" + endpointToHostAction
                    + "' (expected: DROP, ACCEPT or RETURN)");
        }
        return List.of(
                new Chain(ChainNames.INPUT, List.of(
                        new Rule("-i " + wild, "-g " + ChainNames.WL_TO_HOST, "from workloads to host"))),
                new Chain(ChainNames.WL_TO_HOST, List.of(
                        new Rule("", "-j " + ChainNames.FROM_WL_DISPATCH, "workload outbound policy"),
                        new Rule("", "-j " + toHost, "DefaultEndpointToHostAction"))),
                new Chain(ChainNames.FORWARD, List.of(
                        new Rule("-i " + wild, "-j " + ChainNames.FROM_WL_DISPATCH, "from workload"),
                        new Rule("-o " + wild, "-j " + ChainNames.TO_WL_DISPATCH, "to workload"),
                        new Rule("-i " + wild, "-j ACCEPT", "allowed by policy"),
                        new Rule("-o " + wild, "-j ACCEPT", "allowed by policy"))),
                new Chain(ChainNames.OUTPUT, List.of(
                        new Rule("-o " + wild, "-j ACCEPT", "host to local workload always allowed"))));
    }

    /** Dispatch by interface: {@code -i IF -g cali-fw-IF} for each, unknown interfaces dropped. */
    public static List<Chain> dispatch(Collection<String> ifaces) {
        List<Rule> from = new ArrayList<>(ifaces.size() + 1);
        List<Rule> to = new ArrayList<>(ifaces.size() + 1);
        for (String i : ifaces) {
            from.add(new Rule("-i " + i, "-g " + ChainNames.of(ChainNames.FROM_WL, i), null));
            to.add(new Rule("-o " + i, "-g " + ChainNames.of(ChainNames.TO_WL, i), null));
        }
        from.add(new Rule("", "-j DROP", "unknown interface"));
        to.add(new Rule("", "-j DROP", "unknown interface"));
        return List.of(new Chain(ChainNames.FROM_WL_DISPATCH, from), new Chain(ChainNames.TO_WL_DISPATCH, to));
    }

    /** NAT outgoing: traffic from masquerade pools to anything outside all pools is masqueraded. */
    public static List<Chain> nat(int version) {
        return List.of(
                new Chain(ChainNames.POSTROUTING, List.of(Rule.of("", "-j " + ChainNames.NAT_OUTGOING))),
                new Chain(ChainNames.NAT_OUTGOING, List.of(new Rule(
                        "-m set --match-set " + ChainNames.masqPoolsSet(version) + " src -m set ! --match-set "
                                + ChainNames.allPoolsSet(version) + " dst", "-j MASQUERADE", "nat outgoing"))));
    }
}
