package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.NfTables;
import org.calicojava.netlink.NftCommit;
import org.calicojava.netlink.NftRule;
import org.calicojava.netlink.NftTransactionException;
import org.calicojava.netlink.nft.Bytes;
import org.calicojava.netlink.nft.CoveringRuleset;
import org.calicojava.netlink.nft.Expr;
import org.calicojava.netlink.nft.NftBatch;
import org.calicojava.netlink.nft.NftFamily;
import org.calicojava.netlink.nft.NftSet;
import org.calicojava.netlink.nft.Rule;
import org.calicojava.netlink.nft.SetElement;
import org.calicojava.netlink.nft.Verdict;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/**
 * The netlink writer against the kernel and nft: the same ruleset written with {@code nft -f} in one namespace and
 * with {@code NfTables.commit} in another lists the same, expression for expression ({@code nft --debug=netlink list
 * ruleset} prints each rule's expressions as the kernel holds them) and as text; edits by handle; a refused
 * transaction applies nothing.
 */
class NftWriterIT {
    @Test
    void coveringRulesetListsTheSameAsNftsIncludingExpressions() throws IOException {
        try (TestNs a = new TestNs();
                TestNs b = new TestNs();
                NfTables nf = NetNs.run(b.name, NfTables::open)) {
            nftFile(a, resource("/nft/covering.nft"));
            NftCommit c = nf.commit(CoveringRuleset.batch(new NftBatch()));
            assertThat(debugList(b)).isEqualTo(debugList(a)).contains("[ meta load iifname => reg 1 ]", "[ masq ]");
            assertThat(list(b)).isEqualTo(list(a)).contains("comment \"hello world\"", "snat ip to 192.0.2.1");
            assertThat(Sh.ok(Sh.in(b.name, "nft", "-a", "list", "ruleset")))
                    .isEqualTo(Sh.ok(Sh.in(a.name, "nft", "-a", "list", "ruleset")));
            List<NftRule> rules = nf.rules(1, "cjt");
            assertThat(rules).hasSize(8);
            NftBatch again = CoveringRuleset.batch(new NftBatch());
            List<Integer> ruleMessages = again.ruleMessages();
            for (int i = 0; i < rules.size(); i++) {
                assertThat(c.handle(ruleMessages.get(i)))
                        .as("handle of rule %d", i)
                        .isEqualTo(rules.get(i).handle());
            }
            assertThat(rules.get(1).comment()).isEqualTo("hello world");
            assertThat(c.generation()).isEqualTo(nf.generation());
        }
    }

    @Test
    void familiesBitwiseAndEditsByHandleMatchNft() {
        try (TestNs a = new TestNs();
                TestNs b = new TestNs();
                NfTables nf = NetNs.run(b.name, NfTables::open)) {
            nftText(
                    a,
                    "table ip t4 {\n chain c {\n  ip saddr 10.16.0.0/12 ip daddr 10.0.0.1 drop\n  tcp dport 22 accept\n }\n}\n"
                            + "table ip6 t6 {\n set s {\n  type ipv6_addr\n  flags interval\n  elements = { fd00::/8 }\n }\n"
                            + " chain c {\n  ip6 saddr @s counter accept comment \"v6\"\n }\n}\n");
            NftBatch batch = new NftBatch();
            batch.addTable(NftFamily.IP, "t4");
            batch.addChain(NftFamily.IP, "t4", "c");
            Rule dropNet = Rule.of(
                    new Expr.Payload(Expr.Payload.NETWORK, 12, 4, 1),
                    new Expr.Bitwise(1, 1, Bytes.hex("fff00000"), Bytes.hex("00000000")),
                    new Expr.Cmp(Expr.Cmp.EQ, 1, Bytes.hex("0a100000")),
                    new Expr.Payload(Expr.Payload.NETWORK, 16, 4, 1),
                    new Expr.Cmp(Expr.Cmp.EQ, 1, Bytes.hex("0a000001")),
                    new Expr.Decision(Verdict.DROP));
            int r1 = batch.addRule(NftFamily.IP, "t4", "c", dropNet);
            int r2 = batch.addRule(
                    NftFamily.IP,
                    "t4",
                    "c",
                    Rule.of(
                            new Expr.Meta(Expr.Meta.L4PROTO, 1),
                            new Expr.Cmp(Expr.Cmp.EQ, 1, Bytes.u8(6)),
                            new Expr.Payload(Expr.Payload.TRANSPORT, 2, 2, 1),
                            new Expr.Cmp(Expr.Cmp.EQ, 1, Bytes.be16(22)),
                            new Expr.Decision(Verdict.ACCEPT)));
            batch.addTable(NftFamily.IP6, "t6");
            batch.addChain(NftFamily.IP6, "t6", "c"); // nft makes chains before sets (same handles)
            batch.addSet(NftFamily.IP6, "t6", NftSet.of("s", NftSet.TYPE_IPV6, 16, true, NftSet.BIG_ENDIAN, 1));
            batch.addElements(NftFamily.IP6, "t6", "s", 1, SetElement.intervals(List.of(IpPrefix.parse("fd00::/8"))));
            batch.addRule(
                    NftFamily.IP6,
                    "t6",
                    "c",
                    new Rule(
                            List.of(
                                    new Expr.Payload(Expr.Payload.NETWORK, 8, 16, 1),
                                    Expr.Lookup.of("s", 1, 1),
                                    Expr.Counter.ZERO,
                                    new Expr.Decision(Verdict.ACCEPT)),
                            "v6"));
            NftCommit c = nf.commit(batch);
            assertThat(debugList(b)).isEqualTo(debugList(a));
            assertThat(list(b)).isEqualTo(list(a));

            long h1 = c.handle(r1);
            long h2 = c.handle(r2);
            assertThat(h1).isPositive();
            assertThat(h2).isGreaterThan(h1);
            nftText(
                    a,
                    "insert rule ip t4 c position " + h2 + " udp dport 53 accept\n" + "replace rule ip t4 c handle "
                            + h1 + " ip saddr 10.16.0.0/12 ip daddr 10.0.0.1 drop comment \"replaced\"\n");
            NftBatch edit = new NftBatch();
            int ins = edit.insertRule(
                    NftFamily.IP,
                    "t4",
                    "c",
                    h2,
                    Rule.of(
                            new Expr.Meta(Expr.Meta.L4PROTO, 1),
                            new Expr.Cmp(Expr.Cmp.EQ, 1, Bytes.u8(17)),
                            new Expr.Payload(Expr.Payload.TRANSPORT, 2, 2, 1),
                            new Expr.Cmp(Expr.Cmp.EQ, 1, Bytes.be16(53)),
                            new Expr.Decision(Verdict.ACCEPT)));
            edit.replaceRule(NftFamily.IP, "t4", "c", h1, dropNet.withComment("replaced"));
            NftCommit e = nf.commit(edit);
            assertThat(e.handle(ins)).isPositive();
            assertThat(list(b)).isEqualTo(list(a)).contains("udp dport 53 accept", "comment \"replaced\"");
            assertThat(listA(b)).isEqualTo(listA(a));

            nftText(a, "delete rule ip t4 c handle " + h2 + "\ndelete element ip6 t6 s { fd00::/8 }\n");
            NftBatch del = new NftBatch();
            del.deleteRule(NftFamily.IP, "t4", "c", h2);
            del.deleteElements(NftFamily.IP6, "t6", "s", SetElement.intervals(List.of(IpPrefix.parse("fd00::/8"))));
            nf.commit(del);
            assertThat(listA(b)).isEqualTo(listA(a)).doesNotContain("dport 22");

            NftBatch gone = new NftBatch();
            gone.deleteTable(NftFamily.IP6, "t6");
            gone.deleteChain(NftFamily.IP, "t4", "c");
            nf.commit(gone);
            assertThat(list(b)).isEqualTo("table ip t4 {\n}\n");
        }
    }

    @Test
    void aRuleJumpingToAMissingChainAbortsTheWholeTransaction() {
        try (TestNs b = new TestNs();
                NfTables nf = NetNs.run(b.name, NfTables::open)) {
            nf.commit(CoveringRuleset.batch(new NftBatch()));
            String before = list(b);
            long gen = nf.generation();
            NftBatch batch = new NftBatch();
            batch.addChain(NftFamily.INET, "cjt", "fresh");
            batch.addRule(NftFamily.INET, "cjt", "fresh", Rule.of(new Expr.Decision(Verdict.ACCEPT)));
            int bad =
                    batch.addRule(NftFamily.INET, "cjt", "fresh", Rule.of(new Expr.Decision(Verdict.jump("nowhere"))));
            batch.deleteRule(
                    NftFamily.INET, "cjt", "ep1", nf.rules(1, "cjt").get(0).handle());
            batch.addTable(NftFamily.IP, "another");
            assertThatThrownBy(() -> nf.commit(batch)).isInstanceOfSatisfying(NftTransactionException.class, e -> {
                assertThat(e.failures()).hasSize(1);
                assertThat(e.failures().get(0).index()).isEqualTo(bad);
                assertThat(e.failures().get(0).error().errno()).isEqualTo(2);
                assertThat(e.failures().get(0).error().errnoName()).isEqualTo("ENOENT");
                assertThat(e.getMessage()).contains("#2 add rule inet cjt fresh");
            });
            NftBatch quiet = new NftBatch().errorsOnly().withoutHandles();
            quiet.addChain(NftFamily.INET, "cjt", "fresh");
            int quietBad =
                    quiet.addRule(NftFamily.INET, "cjt", "fresh", Rule.of(new Expr.Decision(Verdict.goTo("nowhere"))));
            assertThatThrownBy(() -> nf.commit(quiet))
                    .as("without acks (nft's flags) the refusal is still mapped to its message")
                    .isInstanceOfSatisfying(
                            NftTransactionException.class,
                            e -> assertThat(e.failures().get(0).index()).isEqualTo(quietBad));
            assertThat(nf.generation()).as("no commit").isEqualTo(gen);
            assertThat(list(b)).as("nothing applied").isEqualTo(before);
            assertThat(nf.table(2, "another")).isNull();
        }
    }

    /**
     * The kernel's extended ack names the attribute it refused, and {@code Failure.attribute} maps it back: a handle
     * not in the chain (replace or delete) against a replaced rule's goto to a missing chain, both ENOENT, and a rule
     * for a missing chain.
     */
    @Test
    void theKernelNamesTheAttributeItRefused() {
        try (TestNs b = new TestNs();
                NfTables nf = NetNs.run(b.name, NfTables::open)) {
            nf.commit(CoveringRuleset.batch(new NftBatch()));
            long h = nf.rules(1, "cjt").stream()
                    .filter(r -> r.chain().equals("ep1"))
                    .findFirst()
                    .orElseThrow()
                    .handle();
            Rule accept = Rule.of(new Expr.Decision(Verdict.ACCEPT));
            assertThat(refused(nf, x -> x.replaceRule(NftFamily.INET, "cjt", "ep1", h + 100_000, accept)))
                    .as("replace: the handle (NFTA_RULE_HANDLE)")
                    .isEqualTo(3);
            assertThat(refused(nf, x -> x.deleteRule(NftFamily.INET, "cjt", "ep1", h + 100_000)))
                    .as("delete: the handle")
                    .isEqualTo(3);
            assertThat(refused(
                            nf,
                            x -> x.replaceRule(
                                    NftFamily.INET,
                                    "cjt",
                                    "ep1",
                                    h,
                                    Rule.of(new Expr.Decision(Verdict.goTo("nowhere"))))))
                    .as("a goto to a missing chain: the expressions (NFTA_RULE_EXPRESSIONS), not the handle")
                    .isEqualTo(4);
            assertThat(refused(nf, x -> x.addRule(NftFamily.INET, "cjt", "nochain", accept)))
                    .as("a missing chain (NFTA_RULE_CHAIN)")
                    .isEqualTo(2);

            // many refusals in one transaction, behind messages the kernel took: each mapped to its own message
            NftBatch many = new NftBatch().errorsOnly().withoutHandles();
            many.addChain(NftFamily.INET, "cjt", "fresh");
            many.addRule(NftFamily.INET, "cjt", "fresh", accept);
            for (int i = 0; i < 3000; i++) {
                many.addRule(NftFamily.INET, "cjt", "fresh", Rule.of(new Expr.Decision(Verdict.goTo("nowhere"))));
            }
            many.deleteRule(NftFamily.INET, "cjt", "ep1", h + 100_000);
            assertThatThrownBy(() -> nf.commit(many)).isInstanceOfSatisfying(NftTransactionException.class, e -> {
                assertThat(e.failures()).hasSize(3001);
                assertThat(e.failures().subList(0, 3000))
                        .allSatisfy(f -> assertThat(f.attribute()).isEqualTo(4));
                assertThat(e.failures().get(3000).index()).isEqualTo(3002);
                assertThat(e.failures().get(3000).attribute()).isEqualTo(3);
            });
        }
    }

    /** Commits a batch of one message that the kernel must refuse with ENOENT; the attribute it named. */
    private static int refused(NfTables nf, java.util.function.Consumer<NftBatch> message) {
        NftBatch batch = new NftBatch();
        message.accept(batch);
        try {
            nf.commit(batch);
        } catch (NftTransactionException e) {
            assertThat(e.failures()).hasSize(1);
            assertThat(e.failures().get(0).error().errnoName()).isEqualTo("ENOENT");
            return e.failures().get(0).attribute();
        }
        throw new AssertionError("the kernel took " + batch.describe(0));
    }

    /**
     * {@code nft --debug=netlink list ruleset} with each set's element lines sorted: a hash set (the verdict map)
     * is dumped in the order of its hash, and every namespace seeds its hash differently.
     */
    static String debugList(TestNs ns) {
        List<String> out = new java.util.ArrayList<>();
        List<String> elements = new java.util.ArrayList<>();
        for (String line : Sh.ok(Sh.in(ns.name, "nft", "--debug=netlink", "list", "ruleset"))
                .lines()
                .toList()) {
            if (line.startsWith("\telement ")) {
                elements.add(line);
                continue;
            }
            elements.stream().sorted().forEach(out::add);
            elements.clear();
            out.add(line);
        }
        elements.stream().sorted().forEach(out::add);
        return String.join("\n", out);
    }

    static String list(TestNs ns) {
        return Sh.ok(Sh.in(ns.name, "nft", "list", "ruleset"));
    }

    static String listA(TestNs ns) {
        return Sh.ok(Sh.in(ns.name, "nft", "-a", "list", "ruleset"));
    }

    static void nftText(TestNs ns, String text) {
        try {
            Path f = Files.createTempFile("cj-nft", ".nft");
            try {
                Files.writeString(f, text);
                nftFile(ns, f);
            } finally {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void nftFile(TestNs ns, Path f) {
        Sh.ok(Sh.in(ns.name, "nft", "-f", f.toString()));
    }

    static Path resource(String name) throws IOException {
        Path f = Files.createTempFile("cj-nft", ".nft");
        f.toFile().deleteOnExit();
        try (InputStream in = NftWriterIT.class.getResourceAsStream(name)) {
            Files.writeString(f, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        return f;
    }
}
