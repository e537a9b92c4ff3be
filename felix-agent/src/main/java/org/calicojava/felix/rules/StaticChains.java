package org.calicojava.felix.rules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** The fixed part of Calico's structure: hook targets, dispatch, workload-to-host and NAT outgoing chains. */
public final class StaticChains {
    private StaticChains() {}

    /** Rules inserted at the top of the kernel's built-in chains (table filter or nat) to reach ours. */
    public record Hook(String table, String builtin, Rule rule) {}

    public static List<Hook> hooks() {
        return List.of(
                new Hook("filter", "INPUT", Rule.of(new Action.Jump(ChainNames.INPUT))),
                new Hook("filter", "FORWARD", Rule.of(new Action.Jump(ChainNames.FORWARD))),
                new Hook("filter", "OUTPUT", Rule.of(new Action.Jump(ChainNames.OUTPUT))),
                new Hook("nat", "POSTROUTING", Rule.of(new Action.Jump(ChainNames.POSTROUTING))),
                new Hook("raw", "PREROUTING", Rule.of(new Action.Jump(ChainNames.PREROUTING))));
    }

    /**
     * ICMPv6 types a workload must be able to send to its host whatever its policy (as Calico): MLD query, report,
     * done (130-132), router solicitation (133), neighbour solicitation (135) and advertisement (136).
     */
    public static final List<Integer> NDP_ICMPV6_TYPES = List.of(130, 131, 132, 133, 135, 136);

    /**
     * Anti-spoofing (raw table, both families, as Calico does for IPv6): a packet arriving on a workload interface
     * whose source address would not be routed back out of that same interface (strict reverse path check against
     * the workload's /32 or /128 routes) is dropped before conntrack sees it. A workload can only send from the
     * addresses of its endpoint (link-local and unspecified IPv6 sources pass: rpfilter checks those against the
     * interface itself).
     */
    public static List<Chain> raw(String ifacePrefix) {
        return List.of(new Chain(
                ChainNames.PREROUTING,
                List.of(new Rule(
                        Action.Verdict.DROP,
                        "anti-spoofing: source not routed back to its workload interface",
                        new Match.Iface(true, ifacePrefix + "+", false),
                        new Match.RpFilter(true)))));
    }

    /**
     * The filter chains that do not depend on endpoints (other than by interface prefix) for IP version 4 or 6; for
     * IPv6, workload-to-host neighbour discovery and MLD ({@link #NDP_ICMPV6_TYPES}) is accepted before any policy.
     * Traffic from and to workloads passes the shared tier dispatch ({@link TierChains}, here with no tier) before
     * the dispatch to its interface's chain.
     */
    public static List<Chain> filter(int version, String ifacePrefix, String endpointToHostAction) {
        Match in = new Match.Iface(true, ifacePrefix + "+", false);
        Match out = new Match.Iface(false, ifacePrefix + "+", false);
        String toHost = endpointToHostAction.toUpperCase(Locale.ROOT);
        if (!List.of("DROP", "ACCEPT", "RETURN").contains(toHost)) {
            throw new IllegalArgumentException(
                    "DefaultEndpointToHostAction: '" + endpointToHostAction + "' (expected: DROP, ACCEPT or RETURN)");
        }
        List<Rule> toHostRules = new ArrayList<>();
        if (version == 6) {
            for (int t : NDP_ICMPV6_TYPES) {
                toHostRules.add(new Rule(
                        Action.Verdict.ACCEPT,
                        "NDP/MLD",
                        new Match.Protocol("icmpv6", false),
                        new Match.Icmp(6, t, null, false)));
            }
        }
        toHostRules.add(new Rule(new Action.Jump(ChainNames.TIERS_OUT), "workload outbound policy: tiers"));
        toHostRules.add(new Rule(new Action.Jump(ChainNames.FROM_WL_DISPATCH), "workload outbound policy"));
        toHostRules.add(new Rule(Action.Verdict.valueOf(toHost), "DefaultEndpointToHostAction"));
        List<Chain> chains = new ArrayList<>(List.of(
                new Chain(
                        ChainNames.INPUT,
                        List.of(new Rule(new Action.Goto(ChainNames.WL_TO_HOST), "from workloads to host", in))),
                new Chain(ChainNames.WL_TO_HOST, toHostRules),
                new Chain(
                        ChainNames.FORWARD,
                        List.of(
                                new Rule(new Action.Jump(ChainNames.TIERS_OUT), "from workload: tiers", in),
                                new Rule(new Action.Jump(ChainNames.FROM_WL_DISPATCH), "from workload", in),
                                new Rule(new Action.Jump(ChainNames.TIERS_IN), "to workload: tiers", out),
                                new Rule(new Action.Jump(ChainNames.TO_WL_DISPATCH), "to workload", out),
                                new Rule(Action.Verdict.ACCEPT, "allowed by policy", in),
                                new Rule(Action.Verdict.ACCEPT, "allowed by policy", out))),
                new Chain(
                        ChainNames.OUTPUT,
                        List.of(new Rule(Action.Verdict.ACCEPT, "host to local workload always allowed", out)))));
        chains.addAll(TierChains.inbound(List.of())); // the tier roots with no tier yet: the calculation fills them
        chains.addAll(TierChains.outbound(List.of()));
        return chains;
    }

    /** Most rules in one dispatch chain before it is split by the next character of the interface names. */
    static final int DISPATCH_LEAF_MAX = 32;

    /**
     * Dispatch by interface: {@code -i IF -g cali-fw-IF} for each, unknown interfaces dropped. With many interfaces
     * the chains form a tree keyed by the characters after the names' common prefix ({@code -i caliab+ -g
     * cali-from-wl-dispatch-ab}), so adding an endpoint rewrites one small leaf chain, not a chain of every endpoint.
     */
    public static List<Chain> dispatch(Collection<String> ifaces) {
        List<String> sorted = ifaces.stream().sorted().toList();
        List<Chain> out = new ArrayList<>();
        tree(
                out,
                ChainNames.FROM_WL_DISPATCH,
                true,
                ChainNames.FROM_WL,
                sorted,
                commonPrefix(sorted).length(),
                "");
        tree(
                out,
                ChainNames.TO_WL_DISPATCH,
                false,
                ChainNames.TO_WL,
                sorted,
                commonPrefix(sorted).length(),
                "");
        return out;
    }

    private static void tree(
            List<Chain> out, String root, boolean in, String target, List<String> ifaces, int pos, String suffix) {
        String name = suffix.isEmpty() ? root : root + "-" + suffix;
        List<Rule> rules = new ArrayList<>();
        boolean canSplit = name.length() + (suffix.isEmpty() ? 2 : 1) <= ChainNames.MAX_LENGTH;
        if (ifaces.size() <= DISPATCH_LEAF_MAX || !canSplit) {
            for (String i : ifaces) {
                rules.add(DispatchTree.leaf(in, i, ChainNames.of(target, i)));
            }
        } else {
            java.util.Map<String, List<String>> groups = new java.util.TreeMap<>();
            List<String> exact = new ArrayList<>();
            for (String i : ifaces) {
                if (i.length() <= pos) {
                    exact.add(i);
                } else {
                    groups.computeIfAbsent(i.substring(0, pos + 1), k -> new ArrayList<>())
                            .add(i);
                }
            }
            for (String i : exact) {
                rules.add(DispatchTree.leaf(in, i, ChainNames.of(target, i)));
            }
            for (java.util.Map.Entry<String, List<String>> g : groups.entrySet()) {
                String sub = suffix + g.getKey().charAt(pos);
                rules.add(DispatchTree.leaf(in, g.getKey() + "+", root + "-" + sub));
                tree(out, root, in, target, g.getValue(), pos + 1, sub);
            }
        }
        rules.add(new Rule(Action.Verdict.DROP, "unknown interface"));
        out.add(0, new Chain(name, rules));
    }

    private static String commonPrefix(List<String> sorted) {
        if (sorted.isEmpty()) {
            return "";
        }
        String a = sorted.get(0);
        String b = sorted.get(sorted.size() - 1);
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return a.substring(0, n);
    }

    /** NAT outgoing: traffic from masquerade pools to anything outside all pools is masqueraded. */
    public static List<Chain> nat(int version) {
        return List.of(
                new Chain(ChainNames.POSTROUTING, List.of(Rule.of(new Action.Jump(ChainNames.NAT_OUTGOING)))),
                new Chain(
                        ChainNames.NAT_OUTGOING,
                        List.of(new Rule(
                                new Action.Masquerade(),
                                "nat outgoing",
                                new Match.InSet(ChainNames.masqPoolsSet(version), Match.Dir.SRC, false),
                                new Match.InSet(ChainNames.allPoolsSet(version), Match.Dir.DST, true)))));
    }
}
