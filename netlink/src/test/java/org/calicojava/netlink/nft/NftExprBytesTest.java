package org.calicojava.netlink.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicojava.netlink.nft.Expr.REG_1;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.calicojava.netlink.codec.MessageWriter;
import org.junit.jupiter.api.Test;

/**
 * The fib, range and log-level encodings against NFTA_RULE_EXPRESSIONS as {@code nft -f} (1.0.6) sent them for the
 * same rules (strace capture, one rule each), and back.
 */
class NftExprBytesTest {
    /** {@code iifname "cali*" fib saddr . iif oif missing counter drop}. */
    static final String FIB =
            "ec00048024000180090001006d6574610000000014000280080002000000000608000100000000012c00018008000100636d700020000280080001000000000108000200000000000c0003800800010063616c692800018008000100666962001c0002800800030000000029080002000000000108000100000000012c00018008000100636d700020000280080001000000000108000200000000000c0003800800010000000000140001800c000100636f756e7465720004000280300001800e000100696d6d6564696174650000001c0002800800010000000000100002800c0002800800010000000000";
    /** {@code meta l4proto tcp th dport != { 1-2 } drop}. */
    static final String RANGE =
            "f400048024000180090001006d6574610000000014000280080002000000001008000100000000012c00018008000100636d700020000280080001000000000108000200000000000c0003800500010006000000340001800c0001007061796c6f6164002400028008000100000000010800020000000002080003000000000208000400000000023c0001800a00010072616e67650000002c000280080001000000000108000200000000010c00038006000100000100000c0004800600010000020000300001800e000100696d6d6564696174650000001c0002800800010000000000100002800c0002800800010000000000";
    /** {@code log prefix "calico-packet: " level notice}. */
    static final String LOG =
            "300004802c000180080001006c6f6700200002801400020063616c69636f2d7061636b65743a20000800050000000005";

    /** {@code meta mark set meta mark & 0xfffeffff ^ 0x10000}: a bitwise with NFTA_BITWISE_OP. */
    static final String MARK_SET =
            "9800048024000180090001006d6574610000000014000280080002000000000308000100000000014c0001800c00010062697477697365003c00028008000100000000010800020000000001080006000000000008000300000000040c00048008000100fffffeff0c000580080001000000010024000180090001006d657461000000001400028008000200000000030800030000000001";

    static String encode(List<Expr> exprs) {
        MessageWriter w = new MessageWriter(ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder()));
        ExprCodec.encodeList(w, 4, exprs);
        ByteBuffer b = w.buffer().duplicate().flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return HexFormat.of().formatHex(out);
    }

    static List<Expr> decode(String hex) {
        ByteBuffer b = ByteBuffer.wrap(HexFormat.of().parseHex(hex)).order(ByteOrder.nativeOrder());
        b.position(4); // the attribute's header
        return ExprCodec.decodeList(b.slice().order(ByteOrder.nativeOrder()));
    }

    @Test
    void fibAsNftSendsIt() {
        List<Expr> exprs = List.of(
                new Expr.Meta(Expr.Meta.IIFNAME, REG_1),
                new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.ifnamePrefix("cali")),
                new Expr.Fib(Expr.Fib.F_SADDR | Expr.Fib.F_IIF | Expr.Fib.F_PRESENT, Expr.Fib.RESULT_OIF, REG_1),
                new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.host32(0)),
                Expr.Counter.ZERO,
                new Expr.Decision(Verdict.DROP));
        assertThat(encode(exprs)).isEqualTo(FIB);
        assertThat(decode(FIB)).isEqualTo(exprs);
    }

    @Test
    void rangeAsNftSendsIt() {
        List<Expr> exprs = List.of(
                new Expr.Meta(Expr.Meta.L4PROTO, REG_1),
                new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.u8(6)),
                new Expr.Payload(Expr.Payload.TRANSPORT, 2, 2, REG_1),
                new Expr.Range(Expr.Range.NEQ, REG_1, Bytes.be16(1), Bytes.be16(2)),
                new Expr.Decision(Verdict.DROP));
        assertThat(encode(exprs)).isEqualTo(RANGE);
        assertThat(decode(RANGE)).isEqualTo(exprs);
    }

    @Test
    void logLevelAsNftSendsIt() {
        List<Expr> exprs = List.of(new Expr.Log("calico-packet: ", -1, 5));
        assertThat(encode(exprs)).isEqualTo(LOG);
        assertThat(decode(LOG)).isEqualTo(exprs);
    }

    @Test
    void bitwiseWithExplicitOpAsNftSendsIt() {
        List<Expr> exprs = List.of(
                new Expr.Meta(Expr.Meta.MARK, REG_1),
                new Expr.Bitwise(REG_1, REG_1, Bytes.host32(0xfffeffff), Bytes.host32(0x10000), true),
                new Expr.MetaSet(Expr.Meta.MARK, REG_1));
        assertThat(encode(exprs)).isEqualTo(MARK_SET);
        assertThat(decode(MARK_SET)).isEqualTo(exprs);
    }
}
