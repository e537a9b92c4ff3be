package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.calicojava.netlink.nft.Bytes;
import org.calicojava.netlink.nft.Expr;
import org.calicojava.netlink.nft.NftBatch;
import org.calicojava.netlink.nft.NftFamily;
import org.calicojava.netlink.nft.Rule;
import org.calicojava.testing.NftMnlDump;
import org.junit.jupiter.api.Test;

/**
 * The nat expressions, byte for byte against nft: dnat to an address, dnat to an address and port, snat, masquerade
 * (each after a match), as our {@link NftBatch} and as the batch {@code nft --debug=mnl -f} sends for the same text
 * in a namespace of the test's own, message for message. It found that nft marks a dnat to a port with
 * NF_NAT_RANGE_PROTO_SPECIFIED ({@link Expr.Nat#dnat} now does).
 */
class NftNatBytesIT {
    private static final NftFamily F = NftFamily.IP;
    private static final String T = "cjnat";
    private static final int REG_1 = 1;
    private static final int REG_2 = 2;

    private static List<Expr> tcpDport(int port) {
        return List.of(
                new Expr.Meta(Expr.Meta.L4PROTO, REG_1),
                new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.u8(6)),
                new Expr.Payload(Expr.Payload.TRANSPORT, 2, 2, REG_1),
                new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.be16(port)));
    }

    private static List<Expr> plus(List<Expr> a, Expr... b) {
        List<Expr> out = new java.util.ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }

    @Test
    void natRulesAreTheBytesNftSends() throws Exception {
        Bytes server = Bytes.address(InetAddress.getByName("10.0.0.2"));
        Bytes pool = Bytes.address(InetAddress.getByName("192.0.2.1"));
        NftBatch ours = new NftBatch().errorsOnly().withoutHandles();
        ours.addTable(F, T);
        ours.addBaseChain(F, T, "pre", "nat", NftBatch.PREROUTING, -100, true);
        ours.addBaseChain(F, T, "post", "nat", NftBatch.POSTROUTING, 100, true);
        ours.addRule(
                F,
                T,
                "pre",
                new Rule(plus(tcpDport(8080), new Expr.Immediate(REG_1, server), Expr.Nat.dnat(2, REG_1, 0)), null));
        ours.addRule(
                F,
                T,
                "pre",
                new Rule(
                        plus(
                                tcpDport(8081),
                                new Expr.Immediate(REG_1, server),
                                new Expr.Immediate(REG_2, Bytes.be16(80)),
                                Expr.Nat.dnat(2, REG_1, REG_2)),
                        null));
        ours.addRule(
                F,
                T,
                "post",
                new Rule(plus(tcpDport(25), new Expr.Immediate(REG_1, pool), Expr.Nat.snat(2, REG_1)), null));
        ours.addRule(F, T, "post", new Rule(plus(tcpDport(26), new Expr.Masq()), null));
        String script = "add table ip cjnat\n"
                + "add chain ip cjnat pre { type nat hook prerouting priority -100; policy accept; }\n"
                + "add chain ip cjnat post { type nat hook postrouting priority 100; policy accept; }\n"
                + "add rule ip cjnat pre tcp dport 8080 dnat to 10.0.0.2\n"
                + "add rule ip cjnat pre tcp dport 8081 dnat to 10.0.0.2:80\n"
                + "add rule ip cjnat post tcp dport 25 snat to 192.0.2.1\n"
                + "add rule ip cjnat post tcp dport 26 masquerade\n";
        try (TestNs ns = new TestNs()) {
            List<NftMnlDump> nft = NftMnlDump.sent(ns.name, script);
            List<NftMnlDump> mine = NftMnlDump.split(ours.datagram());
            for (int i = 0; i < Math.min(mine.size(), nft.size()); i++) {
                assertThat(mine.get(i)).as("message %d of %d", i, mine.size()).isEqualTo(nft.get(i));
            }
            assertThat(mine).hasSize(9).hasSameSizeAs(nft);
        }
    }
}
