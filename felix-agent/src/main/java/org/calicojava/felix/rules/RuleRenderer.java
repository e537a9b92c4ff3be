package org.calicojava.felix.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.calicojava.model.Cidr;
import org.calicojava.model.PortRange;
import org.calicojava.model.Selector;

/**
 * Pure rendering of datastore policy rules ({@link org.calicojava.model.Rule}) into iptables rules for one IP
 * version. allow sets the accept mark and returns; next-tier sets the pass mark and returns; deny drops; log logs.
 * Tags and selectors become {@code -m set} matches on the ipsets named by {@link ChainNames}. A rule limited to the
 * other IP version renders to nothing.
 */
public final class RuleRenderer {
    /** multiport takes at most 15 ports, a range counting as two. */
    static final int MULTIPORT_MAX = 15;

    private final int version;

    public RuleRenderer(int version) {
        if (version != 4 && version != 6) {
            throw new IllegalArgumentException("IP version: " + version + " (expected: 4 or 6)");
        }
        this.version = version;
    }

    /** A policy or profile chain; a rule that cannot be rendered (bad selector) is reported and left out. */
    public Chain chain(String name, List<org.calicojava.model.Rule> rules, Consumer<String> onBadRule) {
        List<Rule> out = new ArrayList<>();
        for (org.calicojava.model.Rule r : rules) {
            try {
                out.addAll(render(r));
            } catch (IllegalArgumentException e) {
                onBadRule.accept(name + ": rule skipped: " + e.getMessage());
            }
        }
        return new Chain(name, out);
    }

    public List<Rule> render(org.calicojava.model.Rule r) {
        if (r.ipVersion() != 0 && r.ipVersion() != version) {
            return List.of();
        }
        StringBuilder m = new StringBuilder();
        protocol(m, r.protocol(), false);
        protocol(m, r.notProtocol(), true);
        net(m, "-s", r.srcNet(), false);
        net(m, "-s", r.notSrcNet(), true);
        net(m, "-d", r.dstNet(), false);
        net(m, "-d", r.notDstNet(), true);
        set(m, tagSet(r.srcTag()), "src", false);
        set(m, tagSet(r.notSrcTag()), "src", true);
        set(m, selectorSet(r.srcSelector()), "src", false);
        set(m, selectorSet(r.notSrcSelector()), "src", true);
        set(m, tagSet(r.dstTag()), "dst", false);
        set(m, tagSet(r.notDstTag()), "dst", true);
        set(m, selectorSet(r.dstSelector()), "dst", false);
        set(m, selectorSet(r.notDstSelector()), "dst", true);
        negatedPorts(m, "--sports", r.notSrcPorts());
        negatedPorts(m, "--dports", r.notDstPorts());
        icmp(m, r.icmpType(), r.icmpCode(), false);
        icmp(m, r.notIcmpType(), r.notIcmpCode(), true);
        List<Rule> out = new ArrayList<>();
        for (String sp : portChunks("--sports", r.srcPorts())) {
            for (String dp : portChunks("--dports", r.dstPorts())) {
                String match = (m + sp + dp).strip();
                out.addAll(action(r.action(), match));
            }
        }
        return out;
    }

    private List<Rule> action(String action, String match) {
        return switch (action) {
            case "allow" ->
                List.of(
                        new Rule(match, Marks.set(Marks.ACCEPT, Marks.ACCEPT), "allow"),
                        new Rule(Marks.match(Marks.ACCEPT, Marks.ACCEPT), "-j RETURN", "return if allowed"));
            case "next-tier" ->
                List.of(
                        new Rule(match, Marks.set(Marks.PASS, Marks.PASS), "next-tier"),
                        new Rule(Marks.match(Marks.PASS, Marks.PASS), "-j RETURN", "return if passed"));
            case "deny" -> List.of(new Rule(match, "-j DROP", "deny"));
            case "log" -> List.of(new Rule(match, "-j LOG --log-prefix \"calico-packet: \" --log-level 5", "log"));
            default -> throw new IllegalArgumentException("rule action: '" + action + "'");
        };
    }

    private static void protocol(StringBuilder m, String p, boolean negated) {
        if (p != null) {
            m.append(negated ? " ! -p " : " -p ").append(p);
        }
    }

    private void net(StringBuilder m, String flag, Cidr net, boolean negated) {
        if (net != null) {
            m.append(negated ? " ! " : " ").append(flag).append(' ').append(net);
        }
    }

    private static void set(StringBuilder m, String set, String dir, boolean negated) {
        if (set != null) {
            m.append(" -m set")
                    .append(negated ? " ! " : " ")
                    .append("--match-set ")
                    .append(set)
                    .append(' ')
                    .append(dir);
        }
    }

    private String tagSet(String tag) {
        return tag == null ? null : ChainNames.tagSet(version, tag);
    }

    private String selectorSet(String selector) {
        return selector == null
                ? null
                : ChainNames.selectorSet(version, Selector.parse(selector).canonical());
    }

    /** Negated ports are ANDed: several multiport matches in one rule. */
    private static void negatedPorts(StringBuilder m, String flag, List<PortRange> ports) {
        for (List<PortRange> chunk : chunks(ports)) {
            m.append(" -m multiport ! ").append(flag).append(' ').append(join(chunk));
        }
    }

    /** Positive ports are ORed: one rule per chunk of at most 15 ports; no ports gives one empty chunk. */
    private static List<String> portChunks(String flag, List<PortRange> ports) {
        if (ports.isEmpty()) {
            return List.of("");
        }
        return chunks(ports).stream()
                .map(c -> " -m multiport " + flag + " " + join(c))
                .toList();
    }

    private static List<List<PortRange>> chunks(List<PortRange> ports) {
        List<List<PortRange>> out = new ArrayList<>();
        List<PortRange> cur = new ArrayList<>();
        int used = 0;
        for (PortRange p : ports) {
            int cost = p.first() == p.last() ? 1 : 2;
            if (used + cost > MULTIPORT_MAX) {
                out.add(cur);
                cur = new ArrayList<>();
                used = 0;
            }
            cur.add(p);
            used += cost;
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }

    private static String join(List<PortRange> ports) {
        StringBuilder b = new StringBuilder();
        for (PortRange p : ports) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(p);
        }
        return b.toString();
    }

    private void icmp(StringBuilder m, Integer type, Integer code, boolean negated) {
        if (type == null) {
            return;
        }
        String v = code == null ? type.toString() : type + "/" + code;
        m.append(version == 4 ? " -m icmp" : " -m icmp6")
                .append(negated ? " ! " : " ")
                .append(version == 4 ? "--icmp-type " : "--icmpv6-type ")
                .append(v);
    }
}
