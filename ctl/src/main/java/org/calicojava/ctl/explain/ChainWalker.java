package org.calicojava.ctl.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.calc.IpSetSpec;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.Rule;
import org.calicojava.model.Cidr;
import org.calicojava.model.PortRange;

/**
 * Follows a {@link Flow}'s first packet through the iptables chains felix's calculation produced (felix's rules as
 * data, evaluated here without a kernel): the match vocabulary felix renders ({@code -p}, {@code -s}/{@code -d},
 * {@code -m set --match-set}, {@code -m multiport --sports/--dports}, {@code -m icmp --icmp-type},
 * {@code -m mark --mark}, {@code -m conntrack --ctstate}, each with {@code !}) and its targets (MARK --set-xmark,
 * RETURN, ACCEPT, DROP, LOG, a jump or goto to another chain). A token it does not know is an error, never a guess.
 * Pure: no I/O.
 */
public final class ChainWalker {
    /** A rule whose match held: where, and what it did. */
    public record Step(int depth, String chain, int index, Rule rule) {}

    /** The end of the walk: ACCEPT, DROP, or RETURN (from the start chain) with the packet's mark. */
    public record Result(String verdict, int mark, List<Step> steps) {}

    private final Map<String, Chain> chains;
    private final Map<String, IpSetSpec> ipsets;
    private final Flow flow;
    private final List<Step> steps = new ArrayList<>();
    private int mark;

    public ChainWalker(Map<String, Chain> chains, Map<String, IpSetSpec> ipsets, Flow flow) {
        this.chains = chains;
        this.ipsets = ipsets;
        this.flow = flow;
    }

    public Result walk(String start) {
        String end = chain(start, 0);
        return new Result(end, mark, List.copyOf(steps));
    }

    /** ACCEPT, DROP or RETURN. */
    private String chain(String name, int depth) {
        Chain c = chains.get(name);
        if (c == null) {
            throw new IllegalArgumentException("chain " + name + " is not in felix's calculation");
        }
        if (depth > 50) {
            throw new IllegalArgumentException("chains nested deeper than 50 at " + name);
        }
        List<Rule> rules = c.rules();
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (!matches(r.match())) {
                continue;
            }
            steps.add(new Step(depth, name, i, r));
            String[] a = r.action().split(" ");
            switch (a[1]) {
                case "ACCEPT", "DROP" -> {
                    return a[1];
                }
                case "RETURN" -> {
                    return "RETURN";
                }
                case "LOG" -> {
                    // not terminating
                }
                case "MARK" -> {
                    if (!a[2].equals("--set-xmark")) {
                        throw new IllegalArgumentException("cannot evaluate target: " + r.action());
                    }
                    int[] vm = valueMask(a[3]);
                    mark = (mark & ~vm[1]) ^ vm[0];
                }
                default -> {
                    String sub = chain(a[1], depth + 1);
                    if (!sub.equals("RETURN")) {
                        return sub;
                    }
                    if (a[0].equals("-g")) {
                        return "RETURN";
                    }
                }
            }
        }
        return "RETURN";
    }

    boolean matches(String match) {
        if (match.isEmpty()) {
            return true;
        }
        String[] t = match.split(" ");
        boolean negate = false;
        for (int i = 0; i < t.length; i++) {
            boolean cond;
            switch (t[i]) {
                case "!" -> {
                    negate = true;
                    continue;
                }
                case "-m" -> {
                    i++; // the module's options follow
                    continue;
                }
                case "-p" -> cond = Flow.protocol(t[++i]) == flow.protocol();
                case "-s" -> cond = Cidr.parse(t[++i]).contains(flow.src());
                case "-d" -> cond = Cidr.parse(t[++i]).contains(flow.dst());
                case "--match-set" -> {
                    String set = t[++i];
                    String dir = t[++i];
                    cond = member(set, dir.equals("src") ? flow.src() : flow.dst());
                }
                case "--sports" -> cond = flow.hasPorts() && inPorts(t[++i], flow.srcPort());
                case "--dports" -> cond = flow.hasPorts() && inPorts(t[++i], flow.dstPort());
                case "--icmp-type", "--icmpv6-type" -> cond = flow.isIcmp() && icmp(t[++i]);
                case "--mark" -> {
                    int[] vm = valueMask(t[++i]);
                    cond = (mark & vm[1]) == vm[0];
                }
                case "--ctstate" -> cond = List.of(t[++i].split(",")).contains("NEW");
                default ->
                    throw new IllegalArgumentException("cannot evaluate match token '" + t[i] + "' in: " + match);
            }
            if (cond == negate) {
                return false;
            }
            negate = false;
        }
        return true;
    }

    private boolean member(String set, Cidr ip) {
        IpSetSpec s = ipsets.get(set);
        if (s == null) {
            return false;
        }
        for (String m : s.members()) {
            if (Cidr.parse(m).contains(ip)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inPorts(String list, int port) {
        for (String p : list.split(",")) {
            PortRange r = PortRange.parse(p);
            if (port >= r.first() && port <= r.last()) {
                return true;
            }
        }
        return false;
    }

    private boolean icmp(String typeCode) {
        int slash = typeCode.indexOf('/');
        if (slash < 0) {
            return Integer.parseInt(typeCode) == flow.icmpType();
        }
        return Integer.parseInt(typeCode.substring(0, slash)) == flow.icmpType()
                && Integer.parseInt(typeCode.substring(slash + 1)) == flow.icmpCode();
    }

    private static int[] valueMask(String vm) {
        String[] p = vm.split("/");
        return new int[] {
            (int) Long.decode(p[0]).longValue(),
            p.length > 1 ? (int) Long.decode(p[1]).longValue() : -1
        };
    }
}
