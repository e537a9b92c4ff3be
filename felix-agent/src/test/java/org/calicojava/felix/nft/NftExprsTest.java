package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Match;
import org.calicojava.felix.rules.Rule;
import org.calicojava.model.Cidr;
import org.calicojava.model.PortRange;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.nft.Expr;
import org.calicojava.netlink.nft.ExprCodec;
import org.junit.jupiter.api.Test;

/**
 * The netlink renderer's bytes are nft's: for each typed rule, {@link NftRuleRenderer}'s statement is the one in
 * {@code golden/nft-exprs.txt} and {@link NftExprs}' expressions encode to the NFTA_RULE_EXPRESSIONS {@code nft -f}
 * sent for that statement (strace capture of {@code golden/nft-exprs.nft}; sets resolved as nft numbered them).
 */
public class NftExprsTest {
    private static final Match.Dir SRC = Match.Dir.SRC;
    private static final Match.Dir DST = Match.Dir.DST;
    private static final Action DROP = Action.Verdict.DROP;

    private static Match proto(String p) {
        return new Match.Protocol(p, false);
    }

    private static Match ports(Match.Dir d, boolean neg, PortRange... p) {
        return new Match.Ports(d, List.of(p), neg);
    }

    private static PortRange port(int p) {
        return new PortRange(p, p);
    }

    private static Match set(String s, Match.Dir d, boolean neg) {
        return new Match.InSet(s, d, neg);
    }

    private static Match net(Match.Dir d, String cidr, boolean neg) {
        return new Match.Net(d, Cidr.parse(cidr), neg);
    }

    /** In the order of golden/nft-exprs.nft. */
    public static List<Rule> rules() {
        String web4 = "cali4-t-web";
        Match cali = new Match.Iface(true, "cali+", false);
        return List.of(
                Rule.of(DROP, proto("tcp"), ports(DST, false, port(80), new PortRange(8000, 8080))),
                Rule.of(DROP, proto("tcp"), ports(DST, true, port(22))),
                Rule.of(DROP, proto("udp"), ports(SRC, false, port(53)), ports(DST, false, new PortRange(1, 2))),
                Rule.of(DROP, set(web4, SRC, false)),
                Rule.of(DROP, set(web4, SRC, true), set(web4, DST, false)),
                Rule.of(DROP, set("cali6-t-web", SRC, false)),
                Rule.of(
                        Action.Verdict.ACCEPT,
                        new Match.CtState(List.of(Match.State.RELATED, Match.State.ESTABLISHED))),
                Rule.of(DROP, new Match.CtState(List.of(Match.State.INVALID))),
                Rule.of(new Action.SetMark(0x10000, 0x10000)),
                Rule.of(new Action.SetMark(0, 0x30000)),
                Rule.of(new Action.Jump("cali-x"), new Match.Mark(0, 0x20000, false)),
                Rule.of(Action.Verdict.RETURN, new Match.Mark(0x10000, 0x10000, false)),
                Rule.of(new Action.Goto("cali-x"), cali),
                Rule.of(new Action.Goto("cali-x"), new Match.Iface(false, "cali12345678901", false)),
                Rule.of(DROP, new Match.Iface(false, "eth0", true)),
                Rule.of(new Action.Log("calico-packet: ", 5)),
                Rule.of(DROP, new Match.Protocol("udp", true)),
                Rule.of(DROP, net(SRC, "10.0.0.0/8", false)),
                Rule.of(DROP, net(SRC, "10.16.0.0/12", true)),
                Rule.of(DROP, net(DST, "10.1.2.3/32", false)),
                Rule.of(DROP, net(SRC, "fd00:10::/64", false)),
                Rule.of(DROP, net(DST, "fd00::5/128", true)),
                Rule.of(DROP, proto("icmp"), new Match.Icmp(4, 8, null, false)),
                Rule.of(DROP, proto("icmp"), new Match.Icmp(4, 3, 1, false)),
                Rule.of(DROP, proto("icmp"), new Match.Icmp(4, 0, null, true)),
                Rule.of(DROP, proto("icmp"), new Match.Icmp(4, 8, 0, true)),
                Rule.of(DROP, proto("icmpv6"), new Match.Icmp(6, 128, null, false)),
                Rule.of(DROP, proto("icmpv6"), new Match.Icmp(6, 128, 0, true)),
                Rule.of(DROP, cali, new Match.RpFilter(true)),
                Rule.of(Action.Verdict.RETURN, new Match.Iface(true, "tap+", false), new Match.RpFilter(false)),
                Rule.of(new Action.Masquerade(), set(web4, SRC, false), set(web4, DST, true)),
                Rule.of(DROP, proto("4"), set(web4, SRC, true)),
                Rule.of(DROP, proto("tcp"), ports(DST, true, new PortRange(1, 2))),
                Rule.of(DROP, proto("tcp"), ports(DST, true, port(1), new PortRange(5, 9))),
                Rule.of(DROP, proto("tcp"), ports(SRC, false, port(1), port(2))),
                Rule.of(DROP, net(SRC, "fd00:10::/60", false)),
                Rule.of(DROP, net(SRC, "0.0.0.0/0", false)),
                Rule.of(DROP, new Match.Mark(5, 0xffffffff, false)),
                Rule.of(DROP, new Match.Mark(0x10000, 0x10000, true)),
                Rule.of(DROP, new Match.Iface(true, "cali+", true)),
                Rule.of(new Action.Log("x: ", -1)));
    }

    /** Named sets as the capture's batch made them; anonymous sets numbered on from there. */
    static final class CaptureSets implements NftExprs.Sets {
        private final Map<String, Integer> named;
        private int next;

        CaptureSets(Map<String, Integer> named) {
            this.named = named;
            this.next = named.values().stream().mapToInt(i -> i).max().orElse(0) + 1;
        }

        @Override
        public NftExprs.SetRef named(String set) {
            return new NftExprs.SetRef(set, named.get(set));
        }

        @Override
        public NftExprs.SetRef ports(List<PortRange> ports, boolean source) {
            return new NftExprs.SetRef("__set%d", next++);
        }
    }

    static String encode(List<Expr> exprs) {
        MessageWriter w = new MessageWriter(ByteBuffer.allocate(8192).order(ByteOrder.nativeOrder()));
        ExprCodec.encodeList(w, 4, exprs);
        ByteBuffer b = w.buffer().duplicate().flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return HexFormat.of().formatHex(out);
    }

    static List<String[]> golden(String file) throws IOException {
        try (InputStream in = NftExprsTest.class.getClassLoader().getResourceAsStream(file)) {
            List<String[]> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList()) {
                if (!line.startsWith("#")) {
                    out.add(line.split("\t", 2));
                }
            }
            return out;
        }
    }

    @Test
    void expressionsAreTheOnesNftSendsForTheSameStatement() throws IOException {
        List<String[]> golden = golden("golden/nft-exprs.txt");
        List<Rule> rules = rules();
        assertThat(rules).hasSameSizeAs(golden);
        CaptureSets sets = new CaptureSets(Map.of("cali4-t-web", 1, "cali6-t-web", 2));
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            assertThat(NftRuleRenderer.render(r)).as("rule %d text", i).isEqualTo(golden.get(i)[0]);
            assertThat(encode(NftExprs.render(r, sets)))
                    .as("rule %d: %s", i, golden.get(i)[0])
                    .isEqualTo(golden.get(i)[1]);
        }
    }

    /** Every rule the producers make (the golden corpus): the expressions nft sent for its statement. */
    @Test
    void everyProducerRuleEncodesAsNftDid() throws IOException {
        Map<String, Rule> byText = new java.util.HashMap<>();
        for (Rule r : org.calicojava.felix.rules.GoldenRulesTest.corpus()) {
            byText.putIfAbsent(NftRuleRenderer.render(r), r);
        }
        Map<String, Integer> named = new java.util.HashMap<>();
        String header;
        try (InputStream in = NftExprsTest.class.getClassLoader().getResourceAsStream("golden/nft-corpus.txt")) {
            header = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> l.startsWith("# sets: "))
                    .findFirst()
                    .orElseThrow();
        }
        for (String kv : header.substring(8).split(" ")) {
            String[] p = kv.split("=");
            named.put(p[0], Integer.parseInt(p[1]));
        }
        CaptureSets sets = new CaptureSets(named);
        List<String[]> golden = golden("golden/nft-corpus.txt");
        assertThat(golden).hasSize(byText.size());
        List<String> differ = new ArrayList<>();
        for (String[] g : golden) {
            Rule r = byText.get(g[0]);
            assertThat(r).as(g[0]).isNotNull();
            if (!encode(NftExprs.render(r, sets)).equals(g[1])) {
                differ.add(g[0]);
            }
        }
        assertThat(differ).as("rules encoded unlike nft").isEmpty();
    }
}
