package org.calicojava.netlink.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.calicojava.netlink.codec.Attrs;
import org.calicojava.netlink.codec.NlMessage;
import org.junit.jupiter.api.Test;

/**
 * The writer's bytes are nft's bytes: the batch {@code nft -f covering.nft} sent (captured with strace into
 * covering-batch.hex) against the same ruleset built from typed rules, message by message. Without NLM_F_ACK and
 * NLM_F_ECHO (nft sets neither) the datagrams are identical, sequence numbers included.
 */
class NftCodecTest {
    @Test
    void everyMessageIsWhatNftSends() throws IOException {
        List<String> nft = messages(fixture());
        NftBatch b = CoveringRuleset.batch(new NftBatch().errorsOnly().withoutHandles());
        List<String> ours = messages(hex(b.datagram()));
        assertThat(ours).hasSameSizeAs(nft);
        for (int i = 0; i < nft.size(); i++) {
            assertThat(ours.get(i))
                    .as("message %d (%s)", i, i == 0 ? "BEGIN" : "")
                    .isEqualTo(nft.get(i));
        }
    }

    /**
     * The kernel names a refused attribute by its offset in the message (NLMSGERR_ATTR_OFFS): the message's top-level
     * attribute there. A delete of a rule: nlmsghdr (16 bytes), nfgenmsg (4), table "cjt" at 20 (8 bytes), chain "c"
     * at 28 (8), handle at 36 (12).
     */
    @Test
    void anOffsetInAMessageIsItsTopLevelAttribute() {
        NftBatch b = new NftBatch();
        b.addTable(NftFamily.INET, "cjt");
        int del = b.deleteRule(NftFamily.INET, "cjt", "c", 7);
        assertThat(b.attributeAt(del, 20)).as("the table").isEqualTo(1);
        assertThat(b.attributeAt(del, 27)).as("the table's last byte").isEqualTo(1);
        assertThat(b.attributeAt(del, 28)).as("the chain").isEqualTo(2);
        assertThat(b.attributeAt(del, 36)).as("the handle").isEqualTo(3);
        assertThat(b.attributeAt(del, 47)).as("the handle's last byte").isEqualTo(3);
        assertThat(b.attributeAt(del, 48)).as("past the message").isEqualTo(-1);
        assertThat(b.attributeAt(del, 10)).as("in the header").isEqualTo(-1);
        assertThat(b.attributeAt(del, 17)).as("in the nfgenmsg").isEqualTo(-1);
        int rule = b.addRule(NftFamily.INET, "cjt", "c", Rule.of(new Expr.Decision(Verdict.ACCEPT)));
        assertThat(b.attributeAt(rule, 36))
                .as("a message added after the first lookup: its expressions")
                .isEqualTo(4);
        assertThat(b.attributeAt(0, 20)).as("the first message").isEqualTo(1);
        b.datagram();
        assertThat(b.attributeAt(del, 36)).as("once ended").isEqualTo(3);
    }

    @Test
    void acksAndEchoOnlyChangeTheFlags() {
        ByteBuffer plain = CoveringRuleset.batch(new NftBatch().errorsOnly().withoutHandles())
                .datagram();
        ByteBuffer acked = CoveringRuleset.batch(new NftBatch()).datagram();
        List<NlMessage> a = NlMessage.split(plain);
        List<NlMessage> b = NlMessage.split(acked);
        assertThat(b).hasSameSizeAs(a);
        for (int i = 1; i < a.size() - 1; i++) {
            int extra = b.get(i).header().flags() ^ a.get(i).header().flags();
            boolean rule = a.get(i).header().type() == (10 << 8 | NftBatch.NEWRULE);
            assertThat(extra).isEqualTo(rule ? 0x4 | 0x8 : 0x4);
            assertThat(b.get(i).body()).isEqualTo(a.get(i).body());
        }
    }

    @Test
    void rulesDecodeToTheirExpressions() throws IOException {
        List<NlMessage> ms = NlMessage.split(ByteBuffer.wrap(fixture()).order(java.nio.ByteOrder.nativeOrder()));
        List<List<Expr>> decoded = new ArrayList<>();
        for (NlMessage m : ms) {
            if (m.header().type() == (10 << 8 | NftBatch.NEWRULE)) {
                Attrs a = Attrs.parse(m.body().duplicate().position(4), "rule");
                decoded.add(ExprCodec.decodeList(a.get(4)));
            }
        }
        List<List<Expr>> built = new ArrayList<>();
        NftBatch b = CoveringRuleset.batch(new NftBatch());
        for (NlMessage m : NlMessage.split(b.datagram())) {
            if (m.header().type() == (10 << 8 | NftBatch.NEWRULE)) {
                built.add(ExprCodec.decodeList(
                        Attrs.parse(m.body().duplicate().position(4), "rule").get(4)));
            }
        }
        assertThat(decoded).hasSize(8).isEqualTo(built);
        assertThat(decoded.get(1)).contains(new Expr.Decision(Verdict.ACCEPT), Expr.Counter.ZERO);
    }

    @Test
    void corruptExpressionsGiveOnlyCodecExceptions() throws IOException {
        List<byte[]> lists = new ArrayList<>();
        for (NlMessage m : NlMessage.split(ByteBuffer.wrap(fixture()).order(java.nio.ByteOrder.nativeOrder()))) {
            if (m.header().type() == (10 << 8 | NftBatch.NEWRULE)) {
                ByteBuffer l =
                        Attrs.parse(m.body().duplicate().position(4), "rule").get(4);
                byte[] raw = new byte[l.remaining()];
                l.get(raw);
                lists.add(raw);
            }
        }
        java.util.Random rnd = new java.util.Random(19);
        int decoded = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] b = lists.get(rnd.nextInt(lists.size())).clone();
            for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            int len = rnd.nextInt(8) == 0 ? rnd.nextInt(b.length + 1) : b.length;
            try {
                ExprCodec.decodeList(ByteBuffer.wrap(b, 0, len).order(java.nio.ByteOrder.nativeOrder()));
                decoded++;
            } catch (org.calicojava.netlink.NetlinkCodecException expected) {
                // a corrupt list is refused with the structure named
            }
        }
        assertThat(decoded).isPositive();
    }

    @Test
    void commentIsNftsUserDataTlv() {
        assertThat(HexFormat.of()
                        .formatHex(Rule.of(new Expr.Masq())
                                .withComment("hello world")
                                .userData()))
                .isEqualTo("000c68656c6c6f20776f726c6400");
    }

    /**
     * A batch encodes an expression list it has seen (the same instance) by copying its first encoding, and may
     * reserve its buffer up front: neither changes a byte, also across the buffer's growth (5,000 rules are well over
     * its first 64 KiB).
     */
    @Test
    void sharedExpressionListsAndReservedRoomGiveTheSameBytes() {
        List<Expr> shared = List.of(
                new Expr.Meta(Expr.Meta.MARK, 1), new Expr.Counter(0, 0), new Expr.Decision(Verdict.goTo("c1")));
        List<NftBatch> batches = List.of(
                new NftBatch().errorsOnly().withoutHandles(),
                new NftBatch().errorsOnly().withoutHandles(),
                new NftBatch().errorsOnly().withoutHandles().reserve(4 << 20));
        for (int k = 0; k < batches.size(); k++) {
            NftBatch b = batches.get(k);
            b.addTable(NftFamily.INET, "t");
            for (int i = 0; i < 5000; i++) {
                List<Expr> exprs = k == 0 ? new ArrayList<>(shared) : shared; // k 0: a fresh list each time
                b.addChain(NftFamily.INET, "t", "c" + i);
                b.addRule(NftFamily.INET, "t", "c" + i, new Rule(exprs, "cali:" + i));
            }
        }
        byte[] fresh = hex(batches.get(0).datagram());
        assertThat(fresh.length).isGreaterThan(5000 * 100);
        assertThat(hex(batches.get(1).datagram())).isEqualTo(fresh);
        assertThat(hex(batches.get(2).datagram())).isEqualTo(fresh);
    }

    static byte[] fixture() throws IOException {
        try (InputStream in = NftCodecTest.class.getResourceAsStream("/nft/covering-batch.hex")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return org.calicojava.netlink.Hex.bytes(text);
        }
    }

    private static byte[] hex(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static List<String> messages(byte[] d) {
        List<String> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(d).order(java.nio.ByteOrder.nativeOrder());
        int off = 0;
        while (off + 16 <= d.length) {
            int len = b.getInt(off);
            out.add(HexFormat.of().formatHex(d, off, off + len));
            off += (len + 3) & ~3;
        }
        return out;
    }
}
