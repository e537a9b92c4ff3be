package org.calicojava.felix.rules;

import java.util.List;
import org.calicojava.model.PortRange;

/**
 * Renders a {@link Rule} into iptables command-line text (what iptables-restore gets after {@code -A CHAIN}): the match
 * part ({@code -p tcp -m multiport --dports 80,90:99}) and the target part ({@code -j DROP}). Pure; the values were
 * checked when the rule was made, and {@link RestoreScript} checks the text again where it writes it.
 */
public final class IptablesRender {
    private IptablesRender() {}

    /** The match part ("" without matches). */
    public static String matches(List<Match> matches) {
        return matches(new StringBuilder(64), matches).toString();
    }

    /** The whole rule: match part, a space, target part. */
    public static String text(Rule r) {
        StringBuilder b = matches(new StringBuilder(96), r.matches());
        return (b.length() > 0 ? b.append(' ') : b).append(action(r.action())).toString();
    }

    private static StringBuilder matches(StringBuilder b, List<Match> matches) {
        for (Match m : matches) {
            if (b.length() > 0) {
                b.append(' ');
            }
            match(b, m);
        }
        return b;
    }

    private static void match(StringBuilder b, Match m) {
        if (m instanceof Match.Protocol p) {
            b.append(not(p.negated())).append("-p ").append(p.name());
        } else if (m instanceof Match.Net n) {
            b.append(not(n.negated()))
                    .append(n.dir() == Match.Dir.SRC ? "-s " : "-d ")
                    .append(n.net());
        } else if (m instanceof Match.InSet s) {
            b.append("-m set ")
                    .append(not(s.negated()))
                    .append("--match-set ")
                    .append(s.set())
                    .append(s.dir() == Match.Dir.SRC ? " src" : " dst");
        } else if (m instanceof Match.Ports p) {
            b.append("-m multiport ")
                    .append(not(p.negated()))
                    .append(p.dir() == Match.Dir.SRC ? "--sports " : "--dports ");
            for (int i = 0; i < p.ports().size(); i++) {
                PortRange r = p.ports().get(i);
                b.append(i == 0 ? "" : ",").append(r.first());
                if (r.first() != r.last()) {
                    b.append(':').append(r.last());
                }
            }
        } else if (m instanceof Match.Icmp i) {
            b.append(i.version() == 4 ? "-m icmp " : "-m icmp6 ")
                    .append(not(i.negated()))
                    .append(i.version() == 4 ? "--icmp-type " : "--icmpv6-type ")
                    .append(i.type())
                    .append(i.code() == null ? "" : "/" + i.code());
        } else if (m instanceof Match.Mark k) {
            b.append("-m mark ")
                    .append(not(k.negated()))
                    .append("--mark ")
                    .append(Marks.hex(k.value()))
                    .append('/')
                    .append(Marks.hex(k.mask()));
        } else if (m instanceof Match.CtState c) {
            b.append("-m conntrack --ctstate ");
            for (int i = 0; i < c.states().size(); i++) {
                b.append(i == 0 ? "" : ",").append(c.states().get(i).name());
            }
        } else if (m instanceof Match.Iface f) {
            b.append(not(f.negated())).append(f.in() ? "-i " : "-o ").append(f.name());
        } else if (m instanceof Match.RpFilter r) {
            b.append(r.invert() ? "-m rpfilter --invert" : "-m rpfilter");
        } else {
            throw new IllegalArgumentException("match " + m + ": no iptables rendering");
        }
    }

    /** The target part ("-j ACCEPT", "-g cali-fw-cali1", "-j MARK --set-xmark 0x10000/0x10000"). */
    public static String action(Action a) {
        if (a instanceof Action.Verdict v) {
            return "-j " + v.name();
        } else if (a instanceof Action.Jump j) {
            return "-j " + j.chain();
        } else if (a instanceof Action.Goto g) {
            return "-g " + g.chain();
        } else if (a instanceof Action.SetMark s) {
            return "-j MARK --set-xmark " + Marks.hex(s.value()) + "/" + Marks.hex(s.mask());
        } else if (a instanceof Action.Log l) {
            return "-j LOG --log-prefix \"" + l.prefix() + "\"" + (l.level() < 0 ? "" : " --log-level " + l.level());
        } else if (a instanceof Action.Masquerade) {
            return "-j MASQUERADE";
        }
        throw new IllegalArgumentException("action " + a + ": no iptables rendering");
    }

    private static String not(boolean negated) {
        return negated ? "! " : "";
    }
}
