package org.calicojava.felix.nft;

import static org.calicojava.netlink.nft.Expr.REG_1;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Match;
import org.calicojava.felix.rules.Rule;
import org.calicojava.model.PortRange;
import org.calicojava.netlink.nft.Bytes;
import org.calicojava.netlink.nft.Expr;
import org.calicojava.netlink.nft.Verdict;

/**
 * Pure rendering of one typed {@link Rule} into the netlink expressions {@code nft -f} sends for the statement
 * {@link NftRuleRenderer} writes for it (in our {@code inet} table), expression for expression: the {@code meta
 * nfproto} dependency once per family before the first address match, byte-aligned prefixes compared on their
 * leading bytes, one port a compare, one range two compares (or {@code range} negated), several an anonymous set.
 * Checked against {@code nft}'s own bytes ({@code NftExprsTest}). Set lookups name sets as the batch does: {@link
 * Sets}.
 */
public final class NftExprs {
    /** A set as a lookup names it: its name and, for a set made in the same batch, its transaction id (else 0). */
    public record SetRef(String name, int id) {}

    /** How the batch being built names sets. */
    public interface Sets {
        /** Our named set ({@code cali4-t-web}). */
        SetRef named(String set);

        /**
         * An anonymous constant set of these ports (interval when any is a range), added to the batch before the rule
         * ({@code __set%d} and its id, as nft does); {@code source}: of {@code th sport}, else of {@code th dport}.
         */
        SetRef ports(List<PortRange> ports, boolean source);
    }

    private static final int NFPROTO_IPV4 = 2;
    private static final int NFPROTO_IPV6 = 10;

    private NftExprs() {}

    /** The rule's expressions: matches in order, then the action. */
    public static List<Expr> render(Rule rule, Sets sets) {
        List<Expr> out = new ArrayList<>();
        int family = 0; // the nfproto already checked in this rule
        int l4 = -1; // the l4proto already checked
        Map<Integer, List<TransportMerge.Piece>> pieces = pieces(rule.matches());
        Map<TransportMerge.Piece, TransportMerge.Piece> plan = Map.of(); // most rules: no ports, no ICMP
        if (!pieces.isEmpty()) {
            List<TransportMerge.Piece> all = new ArrayList<>();
            pieces.values().forEach(all::addAll);
            plan = TransportMerge.plan(all);
        }
        for (int idx = 0; idx < rule.matches().size(); idx++) {
            Match m = rule.matches().get(idx);
            if (m instanceof Match.Protocol p) {
                cmp(out, Expr.Meta.L4PROTO, p.negated(), Bytes.u8(p.number()));
                l4 = p.negated() ? l4 : p.number(); // nft's protocol context: only a match sets it
            } else if (m instanceof Match.Net n) {
                family = family(out, family, n.net().version());
                net(out, n);
            } else if (m instanceof Match.InSet s) {
                family = family(out, family, s.version());
                out.add(address(s.version(), s.dir(), s.version() == 4 ? 4 : 16));
                SetRef ref = sets.named(s.set());
                out.add(new Expr.Lookup(ref.name(), ref.id(), REG_1, Expr.Lookup.NO_DREG, s.negated()));
            } else if (m instanceof Match.Ports p) {
                ports(out, p, sets, pieces.get(idx), plan);
            } else if (m instanceof Match.Icmp i) {
                icmp(out, i, l4, pieces.get(idx), plan);
            } else if (m instanceof Match.Mark k) {
                out.add(new Expr.Meta(Expr.Meta.MARK, REG_1));
                out.add(new Expr.Bitwise(REG_1, REG_1, Bytes.host32(k.mask()), Bytes.host32(0), true));
                out.add(new Expr.Cmp(k.negated() ? Expr.Cmp.NEQ : Expr.Cmp.EQ, REG_1, Bytes.host32(k.value())));
            } else if (m instanceof Match.CtState c) {
                int bits = 0;
                for (Match.State s : c.states()) {
                    bits |= s.bit;
                }
                out.add(new Expr.Ct(Expr.Ct.STATE, REG_1));
                out.add(new Expr.Bitwise(REG_1, REG_1, Bytes.host32(bits), Bytes.host32(0)));
                out.add(new Expr.Cmp(Expr.Cmp.NEQ, REG_1, Bytes.host32(0)));
            } else if (m instanceof Match.Iface f) {
                if (f.stem().isEmpty()) {
                    throw new IllegalArgumentException("nft expressions of '" + rule.text() + "': interface '+'");
                }
                cmp(
                        out,
                        f.in() ? Expr.Meta.IIFNAME : Expr.Meta.OIFNAME,
                        f.negated(),
                        f.wildcard() ? Bytes.ifnamePrefix(f.stem()) : Bytes.ifname(f.name()));
            } else if (m instanceof Match.RpFilter r) {
                int flags = Expr.Fib.F_SADDR | Expr.Fib.F_IIF | Expr.Fib.F_PRESENT;
                out.add(new Expr.Fib(flags, Expr.Fib.RESULT_OIF, REG_1));
                out.add(new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.host32(r.invert() ? 0 : 1)));
                if (r.invert()) {
                    out.add(Expr.Counter.ZERO);
                }
            } else {
                throw new IllegalArgumentException("nft expressions of '" + rule.text() + "': match " + m);
            }
        }
        action(out, rule.action());
        return out;
    }

    /**
     * The transport-header compares of each match that nft may join with others ({@link TransportMerge}): a single
     * port; an ICMP type; a type and code (two compares, as "icmp type T icmp code C" is written); a negated type and
     * code (one 2-byte compare).
     */
    private static Map<Integer, List<TransportMerge.Piece>> pieces(List<Match> matches) {
        Map<Integer, List<TransportMerge.Piece>> out = null; // in rule order: ties sort as written
        for (int i = 0; i < matches.size(); i++) {
            Match m = matches.get(i);
            List<TransportMerge.Piece> ps = null;
            if (m instanceof Match.Ports p
                    && p.ports().size() == 1
                    && p.ports().get(0).first() == p.ports().get(0).last()) {
                int offset = p.dir() == Match.Dir.SRC ? 0 : 2;
                ps = List.of(piece(i, offset, p.negated(), be16(p.ports().get(0).first())));
            } else if (m instanceof Match.Icmp c && c.code() == null) {
                ps = List.of(piece(i, 0, c.negated(), new byte[] {(byte) c.type()}));
            } else if (m instanceof Match.Icmp c && !c.negated()) {
                byte[] code = {(byte) (int) c.code()};
                ps = List.of(piece(i, 0, false, new byte[] {(byte) c.type()}), piece(i, 1, false, code));
            } else if (m instanceof Match.Icmp c) {
                ps = List.of(piece(i, 0, true, new byte[] {(byte) c.type(), (byte) (int) c.code()}));
            }
            if (ps != null) {
                out = out == null ? new TreeMap<>() : out;
                out.put(i, ps);
            }
        }
        return out == null ? Map.of() : out;
    }

    private static TransportMerge.Piece piece(int match, int offset, boolean neq, byte[] value) {
        return new TransportMerge.Piece(match, offset, value.length, neq, value);
    }

    private static byte[] be16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    /** A match's compares as nft leaves them after joining ({@link TransportMerge#plan}). */
    private static void emit(
            List<Expr> out, List<TransportMerge.Piece> pieces, Map<TransportMerge.Piece, TransportMerge.Piece> plan) {
        for (TransportMerge.Piece p : pieces) {
            TransportMerge.Piece e = plan.get(p);
            if (e != null) {
                out.add(new Expr.Payload(Expr.Payload.TRANSPORT, e.offset(), e.len(), REG_1));
                out.add(new Expr.Cmp(e.neq() ? Expr.Cmp.NEQ : Expr.Cmp.EQ, REG_1, Bytes.of(e.value())));
            }
        }
    }

    private static void action(List<Expr> out, Action a) {
        if (a instanceof Action.Verdict v) {
            out.add(new Expr.Decision(
                    switch (v) {
                        case ACCEPT -> Verdict.ACCEPT;
                        case DROP -> Verdict.DROP;
                        case RETURN -> Verdict.RETURN;
                    }));
        } else if (a instanceof Action.Jump j) {
            out.add(new Expr.Decision(Verdict.jump(j.chain())));
        } else if (a instanceof Action.Goto g) {
            out.add(new Expr.Decision(Verdict.goTo(g.chain())));
        } else if (a instanceof Action.SetMark s) {
            out.add(new Expr.Meta(Expr.Meta.MARK, REG_1));
            out.add(new Expr.Bitwise(REG_1, REG_1, Bytes.host32(~s.mask()), Bytes.host32(s.value()), true));
            out.add(new Expr.MetaSet(Expr.Meta.MARK, REG_1));
        } else if (a instanceof Action.Log l) {
            out.add(new Expr.Log(l.prefix(), -1, l.level()));
        } else if (a instanceof Action.Masquerade) {
            out.add(new Expr.Masq());
        } else {
            throw new IllegalArgumentException("nft expressions: action " + a);
        }
    }

    private static void cmp(List<Expr> out, int metaKey, boolean negated, Bytes value) {
        out.add(new Expr.Meta(metaKey, REG_1));
        out.add(new Expr.Cmp(negated ? Expr.Cmp.NEQ : Expr.Cmp.EQ, REG_1, value));
    }

    /** The {@code meta nfproto} check nft puts before the first address match of a family. */
    private static int family(List<Expr> out, int have, int version) {
        if (have != version) {
            cmp(out, Expr.Meta.NFPROTO, false, Bytes.u8(version == 4 ? NFPROTO_IPV4 : NFPROTO_IPV6));
        }
        return version;
    }

    private static Expr.Payload address(int version, Match.Dir dir, int len) {
        int offset = version == 4 ? (dir == Match.Dir.SRC ? 12 : 16) : (dir == Match.Dir.SRC ? 8 : 24);
        return new Expr.Payload(Expr.Payload.NETWORK, offset, len, REG_1);
    }

    /** A byte-aligned prefix compares its leading bytes; any other loads the address and masks it. */
    private static void net(List<Expr> out, Match.Net n) {
        byte[] a = n.net().addressBytes();
        int prefix = n.net().prefixLength();
        int op = n.negated() ? Expr.Cmp.NEQ : Expr.Cmp.EQ;
        if (prefix > 0 && prefix % 8 == 0) {
            out.add(address(n.net().version(), n.dir(), prefix / 8));
            out.add(new Expr.Cmp(op, REG_1, Bytes.of(java.util.Arrays.copyOf(a, prefix / 8))));
            return;
        }
        byte[] mask = new byte[a.length];
        byte[] masked = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - 8 * i));
            mask[i] = (byte) (0xff << (8 - bits));
            masked[i] = (byte) (a[i] & mask[i]);
        }
        out.add(address(n.net().version(), n.dir(), a.length));
        out.add(new Expr.Bitwise(REG_1, REG_1, Bytes.of(mask), Bytes.of(new byte[a.length])));
        out.add(new Expr.Cmp(op, REG_1, Bytes.of(masked)));
    }

    private static void ports(
            List<Expr> out,
            Match.Ports p,
            Sets sets,
            List<TransportMerge.Piece> single,
            Map<TransportMerge.Piece, TransportMerge.Piece> plan) {
        if (single != null) { // one port: a compare, perhaps joined with another
            emit(out, single, plan);
            return;
        }
        out.add(new Expr.Payload(Expr.Payload.TRANSPORT, p.dir() == Match.Dir.SRC ? 0 : 2, 2, REG_1));
        if (p.ports().size() > 1) {
            SetRef ref = sets.ports(p.ports(), p.dir() == Match.Dir.SRC);
            out.add(new Expr.Lookup(ref.name(), ref.id(), REG_1, Expr.Lookup.NO_DREG, p.negated()));
            return;
        }
        PortRange r = p.ports().get(0);
        if (p.negated()) {
            out.add(new Expr.Range(Expr.Range.NEQ, REG_1, Bytes.be16(r.first()), Bytes.be16(r.last())));
        } else {
            out.add(new Expr.Cmp(Expr.Cmp.GTE, REG_1, Bytes.be16(r.first())));
            out.add(new Expr.Cmp(Expr.Cmp.LTE, REG_1, Bytes.be16(r.last())));
        }
    }

    /**
     * As {@link NftRuleRenderer} writes it: type, type and code, or a negated pair ("meta l4proto icmp @th,0,16 !=
     * TTCC"); the compares perhaps joined ({@link TransportMerge}).
     */
    private static void icmp(
            List<Expr> out,
            Match.Icmp i,
            int l4,
            List<TransportMerge.Piece> pieces,
            Map<TransportMerge.Piece, TransportMerge.Piece> plan) {
        int proto = i.version() == 4 ? 1 : 58;
        if (l4 != proto || i.code() != null && i.negated()) { // nft's dependency: the protocol before its header
            cmp(out, Expr.Meta.L4PROTO, false, Bytes.u8(proto));
        }
        emit(out, pieces, plan);
    }
}
