package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.calicojava.felix.nft.NftBatchSets;
import org.calicojava.felix.nft.NftExprs;
import org.calicojava.felix.nft.NftRuleRenderer;
import org.calicojava.felix.rules.Match;
import org.calicojava.felix.rules.Rule;
import org.calicojava.felix.rules.RuleRenderer;
import org.calicojava.model.Cidr;
import org.calicojava.model.PortRange;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.NfTables;
import org.calicojava.netlink.NftRule;
import org.calicojava.netlink.nft.Expr;
import org.calicojava.netlink.nft.NftBatch;
import org.calicojava.netlink.nft.NftFamily;
import org.calicojava.testing.Sh;

/**
 * Random Calico rules (the etcd model: protocol, nets, tags, selectors, ports, ICMP, each also negated, every action)
 * through felix's producer ({@link RuleRenderer}) into typed rules, then into a namespace of the test's own two ways:
 * chain {@code n} by one netlink batch of {@link NftExprs}' expressions, chain {@code t} by {@code nft -f} of
 * {@link NftRuleRenderer}'s text. Read back from the kernel over netlink, chain {@code n} holds exactly the expressions
 * that were sent, and the same expressions as nft made of the text. (NftExprsIT does this for the fixed corpus.)
 */
class NftRulesPropertyIT {
    private static final String TABLE = "cjp";
    private static final int INET = 1;
    private static String ns;
    private static NfTables nf;

    @BeforeContainer
    static void namespace() {
        Sh.require("ip", "nft");
        ns = "nfp-" + UUID.randomUUID().toString().substring(0, 6);
        Sh.ok("ip", "netns", "add", ns);
        nf = NetNs.run(ns, NfTables::open);
    }

    @AfterContainer
    static void removeNamespace() {
        try {
            if (nf != null) {
                nf.close();
            }
        } finally {
            Sh.run("ip", "netns", "del", ns);
        }
    }

    @Property(tries = 300)
    void randomRulesReadBackAsSentAndAsNftWritesThem(@ForAll("rules") List<Rule> rules) throws Exception {
        TreeSet<String> sets = new TreeSet<>();
        rules.forEach(r -> r.matches().stream()
                .filter(m -> m instanceof Match.InSet)
                .forEach(m -> sets.add(((Match.InSet) m).set())));
        StringBuilder s = new StringBuilder("add table inet " + TABLE + "\ndelete table inet " + TABLE + "\n");
        s.append("add table inet " + TABLE + "\n");
        for (String set : sets) {
            s.append("add set inet " + TABLE + " ")
                    .append(set)
                    .append(set.startsWith("cali4-") ? " { type ipv4_addr; " : " { type ipv6_addr; ")
                    .append("flags interval; }\n");
        }
        s.append("add chain inet " + TABLE + " t\nadd chain inet " + TABLE + " n\n");
        for (Rule r : rules) {
            s.append("add rule inet " + TABLE + " t ")
                    .append(NftRuleRenderer.render(r))
                    .append('\n');
        }
        Path f = Files.createTempFile("nf-prop", ".nft");
        try {
            Files.writeString(f, s.toString());
            Sh.ok("ip", "netns", "exec", ns, "nft", "-f", f.toString());
        } finally {
            Files.deleteIfExists(f);
        }

        NftBatch b = new NftBatch();
        NftBatchSets batchSets = new NftBatchSets(b, NftFamily.INET, TABLE, Map.of(), 1);
        List<List<Expr>> sent = new ArrayList<>();
        for (Rule r : rules) {
            List<Expr> exprs = NftExprs.render(r, batchSets);
            sent.add(exprs);
            b.addRule(NftFamily.INET, TABLE, "n", new org.calicojava.netlink.nft.Rule(exprs, null));
        }
        nf.commit(b);
        List<NftRule> back = nf.rules(INET, TABLE);
        List<List<Expr>> viaNetlink = exprs(back, "n");
        List<List<Expr>> viaText = exprs(back, "t");
        assertThat(viaNetlink)
                .as("read back as sent")
                .isEqualTo(sent.stream()
                        .map(e -> anonymous(e).stream()
                                .map(NftRulesPropertyIT::opShown)
                                .toList())
                        .toList());
        for (int i = 0; i < rules.size(); i++) {
            assertThat(viaNetlink.get(i))
                    .as("as nft makes '%s' (%s)", NftRuleRenderer.render(rules.get(i)), rules.get(i))
                    .isEqualTo(viaText.get(i));
        }
    }

    @Provide
    Arbitrary<List<Rule>> rules() {
        return Combinators.combine(
                        Arbitraries.of(4, 6), model().list().ofMinSize(1).ofMaxSize(5))
                .as((version, models) -> {
                    List<Rule> out = new ArrayList<>();
                    RuleRenderer producer = new RuleRenderer(version);
                    for (org.calicojava.model.Rule m : models) {
                        try {
                            out.addAll(producer.render(m));
                        } catch (IllegalArgumentException e) {
                            // the producer skips such a rule too (RuleRenderer.chain)
                        }
                    }
                    return out;
                })
                .filter(l -> !l.isEmpty());
    }

    /** A model rule as etcd may hold it: random fields, invalid combinations (the model's own check) left out. */
    private static Arbitrary<org.calicojava.model.Rule> model() {
        Arbitrary<String> protocol = Arbitraries.of("tcp", "udp", "sctp", "udplite", "icmp", "icmpv6", "6", "17", "47")
                .injectNull(0.3);
        Arbitrary<String> tag = Arbitraries.of("web", "db").injectNull(0.8);
        Arbitrary<String> selector =
                Arbitraries.of("role == 'db'", "has(app)", "tier in {'a', 'b'}").injectNull(0.85);
        Arbitrary<Cidr> net = Arbitraries.oneOf(net(4), net(6)).injectNull(0.6);
        Arbitrary<List<PortRange>> ports =
                port().list().ofMinSize(1).ofMaxSize(20).injectNull(0.6);
        Arbitrary<Integer> icmp = Arbitraries.integers().between(0, 255).injectNull(0.6);
        Arbitrary<org.calicojava.model.Rule.Builder> fields = Combinators.combine(
                        Arbitraries.of("allow", "deny", "log", "next-tier"),
                        protocol,
                        protocol.injectNull(0.8),
                        Combinators.combine(tag, tag, selector, selector).as(java.util.Arrays::asList),
                        Combinators.combine(net, net, net.injectNull(0.5), net.injectNull(0.5))
                                .as(java.util.Arrays::asList),
                        Combinators.combine(ports, ports, ports.injectNull(0.7), ports.injectNull(0.7))
                                .as(java.util.Arrays::asList),
                        Combinators.combine(icmp, icmp, icmp.injectNull(0.7), icmp.injectNull(0.7))
                                .as(java.util.Arrays::asList))
                .as((action, p, notP, names, nets, portLists, icmps) -> {
                    org.calicojava.model.Rule.Builder b = org.calicojava.model.Rule.builder();
                    b.action = action;
                    b.protocol = p;
                    b.notProtocol = notP;
                    b.srcTag = names.get(0);
                    b.notDstTag = names.get(1);
                    b.srcSelector = names.get(2);
                    b.dstSelector = names.get(3);
                    b.srcNet = nets.get(0);
                    b.dstNet = nets.get(1);
                    b.notSrcNet = nets.get(2);
                    b.notDstNet = nets.get(3);
                    b.srcPorts = portLists.get(0);
                    b.dstPorts = portLists.get(1);
                    b.notSrcPorts = portLists.get(2);
                    b.notDstPorts = portLists.get(3);
                    b.icmpType = icmps.get(0);
                    b.icmpCode = icmps.get(0) == null ? null : icmps.get(1);
                    b.notIcmpType = icmps.get(2);
                    b.notIcmpCode = icmps.get(2) == null ? null : icmps.get(3);
                    return b;
                });
        return fields.map(NftRulesPropertyIT::built).filter(java.util.Objects::nonNull);
    }

    private static org.calicojava.model.Rule built(org.calicojava.model.Rule.Builder b) {
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            return null; // e.g. ports without a port protocol: the model refuses it, as it does from etcd
        }
    }

    private static Arbitrary<Cidr> net(int version) {
        int bytes = version == 4 ? 4 : 16;
        return Combinators.combine(
                        Arbitraries.bytes().array(byte[].class).ofSize(bytes),
                        Arbitraries.integers().between(1, bytes * 8))
                .as((addr, prefix) -> {
                    try {
                        return Cidr.of(java.net.InetAddress.getByAddress(addr), prefix);
                    } catch (java.net.UnknownHostException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    private static Arbitrary<PortRange> port() {
        Arbitrary<Integer> p = Arbitraries.integers().between(0, 65535);
        return Combinators.combine(
                        p,
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 500))
                .as((first, kind, span) -> new PortRange(first, kind == 0 ? Math.min(65535, first + span) : first));
    }

    /**
     * A bitwise expression as the kernel lists it: with its operation (NFT_BITWISE_BOOL, the kernel's default), which
     * nft, and so {@link NftExprs}, leaves out of a masked compare's message.
     */
    private static Expr opShown(Expr e) {
        return e instanceof Expr.Bitwise b ? new Expr.Bitwise(b.sreg(), b.dreg(), b.mask(), b.xor(), true) : e;
    }

    /** One chain's rules' expressions, with anonymous sets' names (numbered per table) made alike. */
    private static List<List<Expr>> exprs(List<NftRule> rules, String chain) {
        return rules.stream()
                .filter(r -> r.chain().equals(chain))
                .map(r -> anonymous(r.exprs()))
                .toList();
    }

    private static List<Expr> anonymous(List<Expr> exprs) {
        return exprs.stream()
                .map(e -> e instanceof Expr.Lookup l && l.set().startsWith("__set")
                        ? new Expr.Lookup("__set", 0, l.sreg(), l.dreg(), l.invert())
                        : e)
                .toList();
    }
}
