package org.calicojava.felix.nft;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Marks;
import org.calicojava.felix.rules.Match;
import org.calicojava.felix.rules.Rule;
import org.calicojava.model.PortRange;

/**
 * Pure rendering of one typed {@link Rule} into the nft statement that does what iptables does with the same rule,
 * e.g. ports {@code ! --dports 80,90:99} with DROP to {@code meta l4proto tcp th dport != { 80, 90-99 } drop} (for
 * the nft-text backend, tests and diagnostics; {@link NftExprs} renders the same rule as netlink expressions). Every
 * value goes through {@link NftText}; a combination nft cannot express (negated conntrack state) is an
 * {@link IllegalArgumentException}, never a silently different rule.
 */
public final class NftRuleRenderer {
    private NftRuleRenderer() {}

    /** The nft statement (match expressions then verdict), without comment. */
    public static String render(Rule rule) {
        List<String> out = new ArrayList<>(rule.matches().size() + 1);
        for (Match m : rule.matches()) {
            out.add(match(m, rule));
        }
        out.add(action(rule.action()));
        return String.join(" ", out);
    }

    private static String match(Match m, Rule rule) {
        if (m instanceof Match.Protocol p) {
            return "meta l4proto " + op(p.negated()) + NftText.word(p.name().toLowerCase(Locale.ROOT));
        } else if (m instanceof Match.Net n) {
            String net = n.net().toString();
            return family(n.net().version()) + addr(n.dir()) + op(n.negated()) + NftText.address(net);
        } else if (m instanceof Match.InSet s) {
            return family(s.version()) + addr(s.dir()) + op(s.negated()) + "@" + NftText.identifier(s.set());
        } else if (m instanceof Match.Ports p) {
            return "th " + (p.dir() == Match.Dir.SRC ? "sport " : "dport ") + op(p.negated()) + ports(p.ports());
        } else if (m instanceof Match.Icmp i) {
            return icmp(i);
        } else if (m instanceof Match.Mark k) {
            return "meta mark & " + Marks.hex(k.mask()) + (k.negated() ? " != " : " == ") + Marks.hex(k.value());
        } else if (m instanceof Match.CtState c) {
            List<String> states = new ArrayList<>();
            c.states().forEach(s -> states.add(s.name().toLowerCase(Locale.ROOT)));
            return "ct state " + NftText.word(String.join(",", states));
        } else if (m instanceof Match.Iface f) {
            String name = f.wildcard() ? f.stem() + "*" : f.name();
            return (f.in() ? "iifname " : "oifname ") + op(f.negated()) + NftText.string(name);
        } else if (m instanceof Match.RpFilter r) {
            return "fib saddr . iif oif " + (r.invert() ? "missing counter" : "exists");
        }
        throw new IllegalArgumentException("nft rendering of '" + rule.text() + "': unsupported match " + m);
    }

    private static String action(Action a) {
        if (a instanceof Action.Verdict v) {
            return v.name().toLowerCase(Locale.ROOT);
        } else if (a instanceof Action.Jump j) {
            return "jump " + NftText.identifier(j.chain());
        } else if (a instanceof Action.Goto g) {
            return "goto " + NftText.identifier(g.chain());
        } else if (a instanceof Action.SetMark s) {
            long keep = ~s.mask() & 0xffffffffL;
            return "meta mark set meta mark & 0x" + Long.toHexString(keep)
                    + (s.value() == 0 ? "" : " ^ 0x" + Integer.toHexString(s.value()));
        } else if (a instanceof Action.Log l) {
            return "log prefix " + NftText.string(l.prefix())
                    + (l.level() < 0 ? "" : " level " + LEVELS.get(l.level()));
        } else if (a instanceof Action.Masquerade) {
            return "masquerade";
        }
        throw new IllegalArgumentException("nft rendering: unsupported action " + a);
    }

    /** nft's names of the syslog levels 0..7. */
    static final List<String> LEVELS = List.of("emerg", "alert", "crit", "err", "warn", "notice", "info", "debug");

    /** Type only, or type/code; a negated type/code pair compares the first 16 bits of the ICMP header at once. */
    private static String icmp(Match.Icmp i) {
        String proto = i.version() == 4 ? "icmp" : "icmpv6";
        if (i.code() == null) {
            return proto + " type " + op(i.negated()) + i.type();
        }
        if (!i.negated()) {
            return proto + " type " + i.type() + " " + proto + " code " + i.code();
        }
        return "meta l4proto " + (i.version() == 4 ? "icmp" : "ipv6-icmp") + " @th,0,16 != 0x"
                + String.format("%04x", i.type() << 8 | i.code());
    }

    /** "{ 80, 90-99 }". */
    private static String ports(List<PortRange> ports) {
        StringBuilder b = new StringBuilder("{ ");
        for (int i = 0; i < ports.size(); i++) {
            PortRange p = ports.get(i);
            b.append(i == 0 ? "" : ", ").append(p.first()).append(p.first() == p.last() ? "" : "-" + p.last());
        }
        return b.append(" }").toString();
    }

    private static String family(int version) {
        return version == 4 ? "ip" : "ip6";
    }

    private static String addr(Match.Dir dir) {
        return dir == Match.Dir.SRC ? " saddr " : " daddr ";
    }

    private static String op(boolean negated) {
        return negated ? "!= " : "";
    }
}
