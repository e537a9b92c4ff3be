package org.calicojava.ctl.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.calc.IpSetSpec;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.Match;
import org.calicojava.felix.rules.Rule;
import org.calicojava.model.Cidr;
import org.calicojava.model.PortRange;

/**
 * Follows a {@link Flow}'s first packet through the chains felix's calculation produced (felix's typed rules,
 * evaluated here without a kernel): protocol, nets, set lookups, ports, icmp type/code, marks and conntrack state,
 * each negatable, and the actions (set-mark, RETURN, ACCEPT, DROP, LOG, a jump or goto to another chain). A match or
 * action it cannot evaluate (an interface, rpfilter, masquerade) is an error, never a guess.
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

    /**
     * Walks the chains in turn, as the kernel's rules call them one after the other (felix's shared tier dispatch,
     * then the endpoint's chain): the mark carries over; a verdict other than RETURN ends the walk.
     */
    public Result walk(String... starts) {
        String end = "RETURN";
        for (String start : starts) {
            end = chain(start, 0);
            if (!end.equals("RETURN")) {
                break;
            }
        }
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
            if (!matches(r.matches())) {
                continue;
            }
            steps.add(new Step(depth, name, i, r));
            Action a = r.action();
            if (a instanceof Action.Verdict v) {
                return v.name();
            } else if (a instanceof Action.SetMark m) {
                mark = (mark & ~m.mask()) ^ m.value();
            } else if (a instanceof Action.Jump j) {
                String sub = chain(j.chain(), depth + 1);
                if (!sub.equals("RETURN")) {
                    return sub;
                }
            } else if (a instanceof Action.Goto g) {
                return chain(g.chain(), depth + 1); // its RETURN returns from this chain too
            } else if (!(a instanceof Action.Log)) { // LOG: not terminating
                throw new IllegalArgumentException("cannot evaluate target: " + r.text());
            }
        }
        return "RETURN";
    }

    /** Whether every match of a rule holds for the flow (felix's matches as records; no text parsed). */
    boolean matches(List<Match> matches) {
        for (Match m : matches) {
            if (holds(m) == negated(m)) {
                return false;
            }
        }
        return true;
    }

    private boolean holds(Match m) {
        if (m instanceof Match.Protocol p) {
            return p.number() == flow.protocol();
        } else if (m instanceof Match.Net n) {
            return n.net().contains(n.dir() == Match.Dir.SRC ? flow.src() : flow.dst());
        } else if (m instanceof Match.InSet in) {
            return member(in.set(), in.dir() == Match.Dir.SRC ? flow.src() : flow.dst());
        } else if (m instanceof Match.Ports ps) {
            return flow.hasPorts() && inPorts(ps.ports(), ps.dir() == Match.Dir.SRC ? flow.srcPort() : flow.dstPort());
        } else if (m instanceof Match.Icmp ic) {
            return flow.isIcmp() && ic.type() == flow.icmpType() && (ic.code() == null || ic.code() == flow.icmpCode());
        } else if (m instanceof Match.Mark mk) {
            return (mark & mk.mask()) == mk.value();
        } else if (m instanceof Match.CtState ct) { // the first packet of a flow
            return ct.states().contains(Match.State.NEW);
        }
        throw new IllegalArgumentException("cannot evaluate match " + m);
    }

    private static boolean negated(Match m) {
        if (m instanceof Match.Protocol p) {
            return p.negated();
        } else if (m instanceof Match.Net n) {
            return n.negated();
        } else if (m instanceof Match.InSet in) {
            return in.negated();
        } else if (m instanceof Match.Ports ps) {
            return ps.negated();
        } else if (m instanceof Match.Icmp ic) {
            return ic.negated();
        } else if (m instanceof Match.Mark mk) {
            return mk.negated();
        }
        return false;
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

    private static boolean inPorts(List<PortRange> ports, int port) {
        for (PortRange r : ports) {
            if (port >= r.first() && port <= r.last()) {
                return true;
            }
        }
        return false;
    }
}
