package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.NfTables;
import org.calicojava.netlink.NftRule;
import org.calicojava.netlink.nft.Bytes;
import org.calicojava.netlink.nft.Expr;
import org.calicojava.netlink.nft.NftBatch;
import org.calicojava.netlink.nft.NftFamily;
import org.calicojava.netlink.nft.NftSet;
import org.calicojava.netlink.nft.Rule;
import org.calicojava.netlink.nft.Verdict;

/**
 * Random rules from every expression kind → one transaction (table, sets, chains, rules) → read back from the
 * kernel with {@code NfTables.rules} → the same expressions and comments, in order, and the handles the commit
 * reported. (nft itself is not asked to print these: it gives up on some kernel-valid combinations, e.g. a 1-byte
 * compare of an interface name; NftWriterIT compares with nft on nft's own rules.)
 */
class NftRoundTripIT {
    private static TestNs ns;
    private static NfTables nf;

    @BeforeContainer
    static void namespace() {
        ns = new TestNs();
        nf = NetNs.run(ns.name, NfTables::open);
    }

    @AfterContainer
    static void cleanup() {
        try {
            if (nf != null) {
                nf.close();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    @Property(tries = 300)
    void rulesReadBackAsWritten(@ForAll("rules") List<Rule> rules) {
        NftBatch b = new NftBatch();
        b.addTable(NftFamily.INET, "p");
        b.addSet(NftFamily.INET, "p", NftSet.of("s4", NftSet.TYPE_IPV4, 4, false, NftSet.BIG_ENDIAN, 1));
        b.addSet(NftFamily.INET, "p", NftSet.verdictMap("vm", NftSet.TYPE_IFNAME, 16, NftSet.HOST_ENDIAN, 2));
        b.addChain(NftFamily.INET, "p", "tgt");
        b.addChain(NftFamily.INET, "p", "r");
        List<Integer> idx = new ArrayList<>();
        for (Rule r : rules) {
            idx.add(b.addRule(NftFamily.INET, "p", "r", r));
        }
        var commit = nf.commit(b);
        try {
            List<NftRule> back = nf.rules(1, "p");
            assertThat(back).extracting(NftRule::chain).containsOnly("r");
            assertThat(back)
                    .extracting(NftRule::exprs)
                    .isEqualTo(rules.stream().map(r -> normalized(r.exprs())).toList());
            assertThat(back)
                    .extracting(NftRule::comment)
                    .isEqualTo(rules.stream().map(Rule::comment).toList());
            for (int i = 0; i < rules.size(); i++) {
                assertThat(commit.handle(idx.get(i))).isEqualTo(back.get(i).handle());
            }
        } finally {
            NftBatch del = new NftBatch();
            del.deleteTable(NftFamily.INET, "p");
            nf.commit(del);
        }
    }

    /**
     * What the kernel reports back: no set ids; bitwise with its operation; nat with the range flags it derives from the registers and a
     * missing max register equal to the min one.
     */
    private static List<Expr> normalized(List<Expr> exprs) {
        return exprs.stream()
                .map(e -> {
                    if (e instanceof Expr.Lookup l) {
                        return new Expr.Lookup(l.set(), 0, l.sreg(), l.dreg(), l.invert());
                    }
                    if (e instanceof Expr.Bitwise w) { // the kernel dumps NFTA_BITWISE_OP whether sent or not
                        return new Expr.Bitwise(w.sreg(), w.dreg(), w.mask(), w.xor(), true);
                    }
                    if (e instanceof Expr.Nat n) {
                        int flags = n.flags() | (n.regAddrMin() != 0 ? 1 : 0) | (n.regProtoMin() != 0 ? 2 : 0);
                        return new Expr.Nat(
                                n.type(),
                                n.family(),
                                n.regAddrMin(),
                                n.regAddrMax() == 0 ? n.regAddrMin() : n.regAddrMax(),
                                n.regProtoMin(),
                                n.regProtoMax() == 0 ? n.regProtoMin() : n.regProtoMax(),
                                flags);
                    }
                    return e;
                })
                .toList();
    }

    /**
     * Rules as steps: a store into a register (meta, payload, ct, immediate, fib) optionally followed by an expression
     * that reads it (cmp, bitwise, range, lookup, vmap, meta set, nat): the kernel (6.x) refuses a load from a register
     * nothing stored into earlier in the rule (ENODATA). Standalone counter, log, masq; a verdict or none at the end.
     */
    @Provide
    Arbitrary<List<Rule>> rules() {
        Arbitrary<List<Expr>> step = Arbitraries.oneOf(
                store().flatMap(st ->
                        Arbitraries.oneOf(Arbitraries.just(List.of(st)), read(st).map(r -> List.of(st, r)))),
                Arbitraries.oneOf(
                                Arbitraries.just(Expr.Counter.ZERO),
                                Arbitraries.just(new Expr.Masq()),
                                Combinators.combine(
                                                Arbitraries.strings()
                                                        .alpha()
                                                        .ofMinLength(1)
                                                        .ofMaxLength(20)
                                                        .injectNull(0.3),
                                                Arbitraries.integers().between(0, 65535))
                                        .as(Expr.Log::new),
                                Combinators.combine(
                                                Arbitraries.strings()
                                                        .alpha()
                                                        .ofMinLength(1)
                                                        .ofMaxLength(20),
                                                Arbitraries.integers().between(0, 7))
                                        .as((p, l) -> new Expr.Log(p, -1, l)))
                        .map(List::of));
        Arbitrary<List<Expr>> last = Arbitraries.of(
                        Verdict.ACCEPT, Verdict.DROP, Verdict.RETURN, Verdict.jump("tgt"), Verdict.goTo("tgt"))
                .map(v -> List.<Expr>of(new Expr.Decision(v)))
                .injectNull(0.3);
        Arbitrary<String> comment = Arbitraries.strings()
                .withCharRange('a', 'z')
                .withChars(' ', '-', '.', '"')
                .ofMinLength(1)
                .ofMaxLength(40)
                .injectNull(0.5);
        Arbitrary<Rule> rule = Combinators.combine(step.list().ofMinSize(1).ofMaxSize(5), last, comment)
                .as((steps, l, c) -> {
                    List<Expr> all = new ArrayList<>();
                    steps.forEach(all::addAll);
                    if (l != null) {
                        all.addAll(l);
                    }
                    return new Rule(all, c);
                });
        return rule.list().ofMinSize(1).ofMaxSize(8);
    }

    private static Arbitrary<Integer> reg() {
        return Arbitraries.integers().between(1, 4);
    }

    private static Arbitrary<Bytes> data(int min, int max) {
        return Arbitraries.bytes()
                .array(byte[].class)
                .ofMinSize(min)
                .ofMaxSize(max)
                .map(Bytes::of);
    }

    /** Expressions that store into a register. */
    private static Arbitrary<Expr> store() {
        Arbitrary<Integer> metaKey = Arbitraries.of(
                Expr.Meta.IIFNAME, Expr.Meta.OIFNAME, Expr.Meta.L4PROTO, Expr.Meta.NFPROTO, Expr.Meta.MARK);
        return Arbitraries.oneOf(
                Combinators.combine(metaKey, reg()).as(Expr.Meta::new),
                Combinators.combine(
                                Arbitraries.integers().between(0, 2),
                                Arbitraries.integers().between(0, 64),
                                Arbitraries.integers().between(1, 16),
                                reg())
                        .as(Expr.Payload::new),
                Combinators.combine(Arbitraries.of(Expr.Ct.STATE, Expr.Ct.STATUS, Expr.Ct.MARK), reg())
                        .as(Expr.Ct::new),
                Combinators.combine(reg(), data(1, 16)).as(Expr.Immediate::new),
                reg().map(r ->
                        new Expr.Fib(Expr.Fib.F_SADDR | Expr.Fib.F_IIF | Expr.Fib.F_PRESENT, Expr.Fib.RESULT_OIF, r)));
    }

    /** An expression reading what {@code st} stored (at most as many bytes). */
    private static Arbitrary<Expr> read(Expr st) {
        int reg;
        int len;
        if (st instanceof Expr.Meta m) {
            reg = m.dreg();
            len = m.key() == Expr.Meta.IIFNAME || m.key() == Expr.Meta.OIFNAME ? 16 : m.key() == Expr.Meta.MARK ? 4 : 1;
        } else if (st instanceof Expr.Payload p) {
            reg = p.dreg();
            len = p.len();
        } else if (st instanceof Expr.Fib f) {
            reg = f.dreg();
            len = 4;
        } else if (st instanceof Expr.Ct c) {
            reg = c.dreg();
            len = 4;
        } else {
            Expr.Immediate i = (Expr.Immediate) st;
            reg = i.dreg();
            len = i.data().length();
        }
        List<Arbitrary<Expr>> readers = new ArrayList<>();
        readers.add(Combinators.combine(Arbitraries.integers().between(0, 5), data(1, len))
                .as((op, d) -> new Expr.Cmp(op, reg, d)));
        readers.add(Combinators.combine(reg(), Arbitraries.integers().between(1, len), Arbitraries.randomValue(r -> r))
                .as((d, n, rnd) -> {
                    byte[] m = new byte[n];
                    byte[] x = new byte[n];
                    rnd.nextBytes(m);
                    rnd.nextBytes(x);
                    return new Expr.Bitwise(reg, d, Bytes.of(m), Bytes.of(x), rnd.nextBoolean());
                }));
        readers.add(Combinators.combine(
                        Arbitraries.of(Expr.Range.EQ, Expr.Range.NEQ),
                        Arbitraries.integers().between(1, len),
                        Arbitraries.randomValue(r -> r))
                .as((op, n, rnd) -> {
                    byte[] from = new byte[n];
                    byte[] to = new byte[n];
                    rnd.nextBytes(from);
                    rnd.nextBytes(to);
                    return new Expr.Range(op, reg, Bytes.of(from), Bytes.of(to));
                }));
        if (len >= 4) {
            readers.add(
                    Arbitraries.of(true, false).map(inv -> new Expr.Lookup("s4", 1, reg, Expr.Lookup.NO_DREG, inv)));
            readers.add(Arbitraries.just(new Expr.MetaSet(Expr.Meta.MARK, reg)));
            readers.add(Arbitraries.of(Expr.Nat.SNAT, Expr.Nat.DNAT).map(t -> new Expr.Nat(t, 2, reg, 0, 0, 0, 0)));
        }
        if (len >= 16) {
            readers.add(Arbitraries.just(Expr.Lookup.vmap("vm", 2, reg)));
        }
        return Arbitraries.oneOf(readers);
    }
}
