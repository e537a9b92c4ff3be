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
                new Hook("filter", "INPUT", Rule.of("", "-j " + ChainNames.INPUT)),
                new Hook("filter", "FORWARD", Rule.of("", "-j " + ChainNames.FORWARD)),
                new Hook("filter", "OUTPUT", Rule.of("", "-j " + ChainNames.OUTPUT)),
                new Hook("nat", "POSTROUTING", Rule.of("", "-j " + ChainNames.POSTROUTING)),
                new Hook("raw", "PREROUTING", Rule.of("", "-j " + ChainNames.PREROUTING)));
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
                        "-i " + ifacePrefix + "+ -m rpfilter --invert",
                        "-j DROP",
                        "anti-spoofing: source not routed back to its workload interface"))));
    }

    /**
     * The filter chains that do not depend on endpoints (other than by interface prefix) for IP version 4 or 6; for
     * IPv6, workload-to-host neighbour discovery and MLD ({@link #NDP_ICMPV6_TYPES}) is accepted before any policy.
     */
    public static List<Chain> filter(int version, String ifacePrefix, String endpointToHostAction) {
        String wild = ifacePrefix + "+";
        String toHost = endpointToHostAction.toUpperCase(Locale.ROOT);
        if (!List.of("DROP", "ACCEPT", "RETURN").contains(toHost)) {
            throw new IllegalArgumentException(
                    "DefaultEndpointToHostAction: '" + endpointToHostAction + "' (expected: DROP, ACCEPT or RETURN)");
        }
        List<Rule> toHostRules = new ArrayList<>();
        if (version == 6) {
            for (int t : NDP_ICMPV6_TYPES) {
                toHostRules.add(new Rule("-p icmpv6 -m icmp6 --icmpv6-type " + t, "-j ACCEPT", "NDP/MLD"));
            }
        }
        toHostRules.add(new Rule("", "-j " + ChainNames.FROM_WL_DISPATCH, "workload outbound policy"));
        toHostRules.add(new Rule("", "-j " + toHost, "DefaultEndpointToHostAction"));
        return List.of(
                new Chain(
                        ChainNames.INPUT,
                        List.of(new Rule("-i " + wild, "-g " + ChainNames.WL_TO_HOST, "from workloads to host"))),
                new Chain(ChainNames.WL_TO_HOST, toHostRules),
                new Chain(
                        ChainNames.FORWARD,
                        List.of(
                                new Rule("-i " + wild, "-j " + ChainNames.FROM_WL_DISPATCH, "from workload"),
                                new Rule("-o " + wild, "-j " + ChainNames.TO_WL_DISPATCH, "to workload"),
                                new Rule("-i " + wild, "-j ACCEPT", "allowed by policy"),
                                new Rule("-o " + wild, "-j ACCEPT", "allowed by policy"))),
                new Chain(
                        ChainNames.OUTPUT,
                        List.of(new Rule("-o " + wild, "-j ACCEPT", "host to local workload always allowed"))));
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
                "-i ",
                ChainNames.FROM_WL,
                sorted,
                commonPrefix(sorted).length(),
                "");
        tree(
                out,
                ChainNames.TO_WL_DISPATCH,
                "-o ",
                ChainNames.TO_WL,
                sorted,
                commonPrefix(sorted).length(),
                "");
        return out;
    }

    private static void tree(
            List<Chain> out, String root, String flag, String target, List<String> ifaces, int pos, String suffix) {
        String name = suffix.isEmpty() ? root : root + "-" + suffix;
        List<Rule> rules = new ArrayList<>();
        boolean canSplit = name.length() + (suffix.isEmpty() ? 2 : 1) <= ChainNames.MAX_LENGTH;
        if (ifaces.size() <= DISPATCH_LEAF_MAX || !canSplit) {
            for (String i : ifaces) {
                rules.add(new Rule(flag + i, "-g " + ChainNames.of(target, i), null));
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
                rules.add(new Rule(flag + i, "-g " + ChainNames.of(target, i), null));
            }
            for (java.util.Map.Entry<String, List<String>> g : groups.entrySet()) {
                String sub = suffix + g.getKey().charAt(pos);
                rules.add(new Rule(flag + g.getKey() + "+", "-g " + root + "-" + sub, null));
                tree(out, root, flag, target, g.getValue(), pos + 1, sub);
            }
        }
        rules.add(new Rule("", "-j DROP", "unknown interface"));
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
                new Chain(ChainNames.POSTROUTING, List.of(Rule.of("", "-j " + ChainNames.NAT_OUTGOING))),
                new Chain(
                        ChainNames.NAT_OUTGOING,
                        List.of(new Rule(
                                "-m set --match-set " + ChainNames.masqPoolsSet(version) + " src -m set ! --match-set "
                                        + ChainNames.allPoolsSet(version) + " dst",
                                "-j MASQUERADE",
                                "nat outgoing"))));
    }
}
