package org.calicojava.netlink.nft;

import static org.calicojava.netlink.nft.Expr.REG_1;

import java.util.List;
import org.calicojava.netlink.IpPrefix;

/**
 * src/test/resources/nft/covering.nft as typed rules: every expression kind (meta load/set, payload, cmp, bitwise,
 * lookup in a set / anonymous set / verdict map, ct, counter, immediate data and verdicts incl. jump and goto, log,
 * masq, nat), an interval set of CIDRs, a verdict map, base and regular chains, a comment. The expressions are the
 * ones nft 1.0.6 generates for that text (nft shortens {@code ip saddr 10.0.0.0/8} to a 1-byte compare).
 */
public final class CoveringRuleset {
    public static final NftFamily F = NftFamily.INET;
    public static final String T = "cjt";
    /** nft's KEY_TYPEOF user data for the anonymous set of {@code tcp dport { 80, 443 }}. */
    public static final Bytes DPORT_TYPEOF = Bytes.hex("000407000000010c000408000000010402000000");

    private CoveringRuleset() {}

    /** The same messages, in the same order, as {@code nft -f covering.nft} sends. */
    public static NftBatch batch(NftBatch b) {
        b.addTable(F, T);
        b.addChain(F, T, "ep1");
        b.addBaseChain(F, T, "cali-FORWARD", "filter", NftBatch.FORWARD, 0, true);
        b.addBaseChain(F, T, "cali-POSTROUTING", "nat", NftBatch.POSTROUTING, 100, true);
        b.addSet(F, T, NftSet.of("nets4", NftSet.TYPE_IPV4, 4, true, NftSet.BIG_ENDIAN, 1));
        b.addElements(
                F,
                T,
                "nets4",
                1,
                SetElement.intervals(List.of(
                        IpPrefix.parse("10.0.0.0/8"),
                        IpPrefix.parse("192.168.1.0/24"),
                        IpPrefix.parse("172.16.0.5/32"))));
        b.addSet(F, T, NftSet.verdictMap("disp", NftSet.TYPE_IFNAME, 16, NftSet.HOST_ENDIAN, 2));
        b.addElements(
                F,
                T,
                "disp",
                2,
                List.of(
                        SetElement.mapping(Bytes.ifname("cali0001"), Verdict.jump("ep1")),
                        SetElement.mapping(Bytes.ifname("cali0002"), Verdict.goTo("ep1"))));
        b.addRule(
                F,
                T,
                "ep1",
                Rule.of(
                        new Expr.Immediate(REG_1, Bytes.host32(0x10000)),
                        new Expr.MetaSet(Expr.Meta.MARK, REG_1),
                        new Expr.Decision(Verdict.RETURN)));
        b.addSet(F, T, NftSet.anonymous(NftSet.TYPE_INET_SERVICE, 2, 2, false, 3, DPORT_TYPEOF));
        b.addElements(F, T, "__set%d", 3, List.of(SetElement.of(Bytes.be16(80)), SetElement.of(Bytes.be16(443))));
        b.addRule(
                F,
                T,
                "cali-FORWARD",
                new Rule(
                        List.of(
                                new Expr.Meta(Expr.Meta.IIFNAME, REG_1),
                                new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.ifnamePrefix("cali")),
                                new Expr.Meta(Expr.Meta.NFPROTO, REG_1),
                                new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.u8(2)),
                                new Expr.Payload(Expr.Payload.NETWORK, 12, 1, REG_1),
                                new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.u8(10)),
                                new Expr.Meta(Expr.Meta.L4PROTO, REG_1),
                                new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.u8(6)),
                                new Expr.Payload(Expr.Payload.TRANSPORT, 2, 2, REG_1),
                                Expr.Lookup.of("__set%d", 3, REG_1),
                                new Expr.Ct(Expr.Ct.STATE, REG_1),
                                new Expr.Bitwise(
                                        REG_1,
                                        REG_1,
                                        Bytes.host32(Expr.Ct.ESTABLISHED | Expr.Ct.RELATED),
                                        Bytes.host32(0)),
                                new Expr.Cmp(Expr.Cmp.NEQ, REG_1, Bytes.host32(0)),
                                Expr.Counter.ZERO,
                                new Expr.Decision(Verdict.ACCEPT)),
                        "hello world"));
        b.addRule(
                F,
                T,
                "cali-FORWARD",
                Rule.of(new Expr.Meta(Expr.Meta.IIFNAME, REG_1), Expr.Lookup.vmap("disp", 2, REG_1)));
        b.addRule(
                F,
                T,
                "cali-FORWARD",
                Rule.of(
                        new Expr.Meta(Expr.Meta.NFPROTO, REG_1),
                        new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.u8(2)),
                        new Expr.Payload(Expr.Payload.NETWORK, 16, 4, REG_1),
                        Expr.Lookup.of("nets4", 1, REG_1),
                        new Expr.Log("cj-drop ", 2),
                        new Expr.Decision(Verdict.DROP)));
        b.addRule(
                F,
                T,
                "cali-FORWARD",
                Rule.of(
                        new Expr.Meta(Expr.Meta.OIFNAME, REG_1),
                        new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.ifname("eth0")),
                        new Expr.Decision(Verdict.goTo("ep1"))));
        b.addRule(
                F,
                T,
                "cali-FORWARD",
                Rule.of(
                        new Expr.Meta(Expr.Meta.L4PROTO, REG_1),
                        new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.u8(17)),
                        new Expr.Decision(Verdict.jump("ep1"))));
        b.addRule(
                F,
                T,
                "cali-POSTROUTING",
                Rule.of(
                        new Expr.Meta(Expr.Meta.OIFNAME, REG_1),
                        new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.ifname("eth0")),
                        new Expr.Meta(Expr.Meta.NFPROTO, REG_1),
                        new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.u8(2)),
                        new Expr.Payload(Expr.Payload.NETWORK, 12, 4, REG_1),
                        Expr.Lookup.of("nets4", 1, REG_1),
                        new Expr.Masq()));
        b.addRule(
                F,
                T,
                "cali-POSTROUTING",
                Rule.of(
                        new Expr.Meta(Expr.Meta.NFPROTO, REG_1),
                        new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.u8(2)),
                        new Expr.Payload(Expr.Payload.NETWORK, 12, 2, REG_1),
                        new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.hex("0a01")),
                        new Expr.Immediate(REG_1, Bytes.hex("c0000201")),
                        Expr.Nat.snat(2, REG_1)));
        return b;
    }
}
