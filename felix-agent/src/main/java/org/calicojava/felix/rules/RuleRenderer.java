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
    static final int MULTIPORT_MAX = Match.Ports.MAX;
    /** What a log rule's packets are logged with (syslog level 5, notice). */
    static final String LOG_PREFIX = "calico-packet: ";

    static final int LOG_LEVEL = 5;

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
        List<Match> m = new ArrayList<>();
        protocol(m, r.protocol(), false);
        protocol(m, r.notProtocol(), true);
        net(m, Match.Dir.SRC, r.srcNet(), false);
        net(m, Match.Dir.SRC, r.notSrcNet(), true);
        net(m, Match.Dir.DST, r.dstNet(), false);
        net(m, Match.Dir.DST, r.notDstNet(), true);
        set(m, tagSet(r.srcTag()), Match.Dir.SRC, false);
        set(m, tagSet(r.notSrcTag()), Match.Dir.SRC, true);
        set(m, selectorSet(r.srcSelector()), Match.Dir.SRC, false);
        set(m, selectorSet(r.notSrcSelector()), Match.Dir.SRC, true);
        set(m, tagSet(r.dstTag()), Match.Dir.DST, false);
        set(m, tagSet(r.notDstTag()), Match.Dir.DST, true);
        set(m, selectorSet(r.dstSelector()), Match.Dir.DST, false);
        set(m, selectorSet(r.notDstSelector()), Match.Dir.DST, true);
        negatedPorts(m, Match.Dir.SRC, r.notSrcPorts());
        negatedPorts(m, Match.Dir.DST, r.notDstPorts());
        icmp(m, r.icmpType(), r.icmpCode(), false);
        icmp(m, r.notIcmpType(), r.notIcmpCode(), true);
        List<Rule> out = new ArrayList<>();
        for (List<Match> sp : portChunks(Match.Dir.SRC, r.srcPorts())) {
            for (List<Match> dp : portChunks(Match.Dir.DST, r.dstPorts())) {
                List<Match> match = new ArrayList<>(m);
                match.addAll(sp);
                match.addAll(dp);
                out.addAll(action(r.action(), match));
            }
        }
        return out;
    }

    private List<Rule> action(String action, List<Match> match) {
        return switch (action) {
            case "allow" ->
                List.of(
                        new Rule(match, Marks.set(Marks.ACCEPT, Marks.ACCEPT), "allow"),
                        new Rule(Action.Verdict.RETURN, "return if allowed", Marks.match(Marks.ACCEPT, Marks.ACCEPT)));
            case "next-tier" ->
                List.of(
                        new Rule(match, Marks.set(Marks.PASS, Marks.PASS), "next-tier"),
                        new Rule(Action.Verdict.RETURN, "return if passed", Marks.match(Marks.PASS, Marks.PASS)));
            case "deny" -> List.of(new Rule(match, Action.Verdict.DROP, "deny"));
            case "log" -> List.of(new Rule(match, new Action.Log(LOG_PREFIX, LOG_LEVEL), "log"));
            default -> throw new IllegalArgumentException("rule action: '" + action + "'");
        };
    }

    private static void protocol(List<Match> m, String p, boolean negated) {
        if (p != null) {
            m.add(new Match.Protocol(p, negated));
        }
    }

    private static void net(List<Match> m, Match.Dir dir, Cidr net, boolean negated) {
        if (net != null) {
            m.add(new Match.Net(dir, net, negated));
        }
    }

    private static void set(List<Match> m, String set, Match.Dir dir, boolean negated) {
        if (set != null) {
            m.add(new Match.InSet(set, dir, negated));
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
    private static void negatedPorts(List<Match> m, Match.Dir dir, List<PortRange> ports) {
        for (List<PortRange> chunk : chunks(ports)) {
            m.add(new Match.Ports(dir, chunk, true));
        }
    }

    /** Positive ports are ORed: one rule per chunk of at most 15 ports; no ports gives one empty chunk. */
    private static List<List<Match>> portChunks(Match.Dir dir, List<PortRange> ports) {
        if (ports.isEmpty()) {
            return List.of(List.of());
        }
        return chunks(ports).stream()
                .map(c -> List.<Match>of(new Match.Ports(dir, c, false)))
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

    private void icmp(List<Match> m, Integer type, Integer code, boolean negated) {
        if (type != null) {
            m.add(new Match.Icmp(version, type, code, negated));
        }
    }
}
