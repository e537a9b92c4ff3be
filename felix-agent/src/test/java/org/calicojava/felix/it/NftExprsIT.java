package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.calicojava.felix.nft.NftBatchSets;
import org.calicojava.felix.nft.NftExprs;
import org.calicojava.felix.nft.NftExprsTest;
import org.calicojava.felix.nft.NftRuleRenderer;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.GoldenRulesTest;
import org.calicojava.felix.rules.Match;
import org.calicojava.felix.rules.Rule;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.NfTables;
import org.calicojava.netlink.NftRule;
import org.calicojava.netlink.nft.Expr;
import org.calicojava.netlink.nft.NftBatch;
import org.calicojava.netlink.nft.NftFamily;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/**
 * The typed rule model written both ways into one table in a namespace of its own: chain {@code t} by {@code nft -f}
 * from {@link NftRuleRenderer}'s text, chain {@code n} by one netlink batch of {@link NftExprs}' expressions (anonymous
 * port sets by {@link NftBatchSets}). Every rule the producers make (the golden corpus) and the captured rules read
 * back the same from both chains: {@code nft -j list} gives equal expressions, and the kernel's own expressions
 * (netlink read) are equal too.
 */
class NftExprsIT {
    private static final String TABLE = "cjx";

    @Test
    void netlinkRulesReadBackAsTheNftTextRules() throws Exception {
        Sh.require("ip", "nft");
        Map<String, Rule> byText = new LinkedHashMap<>();
        for (Rule r : GoldenRulesTest.corpus()) {
            byText.putIfAbsent(NftRuleRenderer.render(r), r);
        }
        for (Rule r : NftExprsTest.rules()) {
            byText.putIfAbsent(NftRuleRenderer.render(r), r);
        }
        for (Rule r : joins()) {
            byText.putIfAbsent(NftRuleRenderer.render(r), r);
        }
        List<Rule> rules = new ArrayList<>(byText.values());
        TreeSet<String> sets = new TreeSet<>();
        TreeSet<String> chains = new TreeSet<>();
        for (Rule r : rules) {
            r.matches().stream().filter(m -> m instanceof Match.InSet).forEach(m -> sets.add(((Match.InSet) m).set()));
            if (r.action() instanceof Action.Jump || r.action() instanceof Action.Goto) {
                chains.add(r.target());
            }
        }
        String ns = "nf-" + UUID.randomUUID().toString().substring(0, 6) + "-exp";
        Path f = Files.createTempFile("nf-exprs", ".nft");
        try {
            Sh.ok("ip", "netns", "add", ns);
            StringBuilder s = new StringBuilder("add table inet " + TABLE + "\n");
            for (String set : sets) {
                s.append("add set inet " + TABLE + " ")
                        .append(set)
                        .append(set.startsWith("cali4-") ? " { type ipv4_addr; " : " { type ipv6_addr; ")
                        .append("flags interval; }\n");
            }
            for (String c : chains) {
                s.append("add chain inet " + TABLE + " ").append(c).append('\n');
            }
            s.append("add chain inet " + TABLE + " t\nadd chain inet " + TABLE + " n\n");
            for (Rule r : rules) {
                s.append("add rule inet " + TABLE + " t ")
                        .append(NftRuleRenderer.render(r))
                        .append('\n');
            }
            Files.writeString(f, s.toString());
            Sh.ok("ip", "netns", "exec", ns, "nft", "-f", f.toString());

            try (NfTables nf = NetNs.run(ns, NfTables::open)) {
                NftBatch b = new NftBatch();
                NftBatchSets batchSets = new NftBatchSets(b, NftFamily.INET, TABLE, Map.of(), 1);
                for (Rule r : rules) {
                    b.addRule(
                            NftFamily.INET,
                            TABLE,
                            "n",
                            new org.calicojava.netlink.nft.Rule(NftExprs.render(r, batchSets), null));
                }
                nf.commit(b);
                List<NftRule> back = nf.rules(1, TABLE);
                List<List<Expr>> viaText = exprs(back, "t");
                List<List<Expr>> viaNetlink = exprs(back, "n");
                assertThat(viaText).hasSize(rules.size());
                List<String> differ = new ArrayList<>();
                for (int i = 0; i < rules.size(); i++) {
                    if (!viaNetlink.get(i).equals(viaText.get(i))) {
                        differ.add(NftRuleRenderer.render(rules.get(i)) + "\n  nft:  " + viaText.get(i) + "\n  ours: "
                                + viaNetlink.get(i));
                    }
                }
                assertThat(differ).as("rules whose kernel expressions differ").isEmpty();
            }

            JsonNode listed = new ObjectMapper()
                    .readTree(Sh.ok("ip", "netns", "exec", ns, "nft", "-j", "list", "table", "inet", TABLE));
            List<JsonNode> t = new ArrayList<>();
            List<JsonNode> n = new ArrayList<>();
            for (JsonNode item : listed.path("nftables")) {
                JsonNode r = item.get("rule");
                if (r != null) {
                    (r.path("chain").asText().equals("t") ? t : n).add(r.path("expr"));
                }
            }
            assertThat(t).hasSize(rules.size());
            for (int i = 0; i < rules.size(); i++) {
                assertThat(n.get(i))
                        .as("nft -j of %s", NftRuleRenderer.render(rules.get(i)))
                        .isEqualTo(t.get(i));
            }
        } finally {
            Sh.run("ip", "netns", "del", ns);
            Files.deleteIfExists(f);
        }
    }

    /**
     * Where nft joins adjacent transport-header compares and where it does not, and its protocol context (found by
     * NftRulesPropertyIT): a negated protocol does not undo the protocol matched before it.
     */
    static List<Rule> joins() {
        Match icmp = new Match.Protocol("icmp", false);
        Match udp = new Match.Protocol("udp", false);
        return List.of(
                Rule.of(Action.Verdict.DROP, icmp, new Match.Protocol("tcp", true), new Match.Icmp(4, 0, null, false)),
                Rule.of(Action.Verdict.DROP, icmp, new Match.Icmp(4, 0, 0, false), new Match.Icmp(4, 0, null, true)),
                Rule.of(Action.Verdict.DROP, icmp, new Match.Icmp(4, 3, 1, false), new Match.Icmp(4, 3, 2, true)),
                Rule.of(Action.Verdict.DROP, udp, port(Match.Dir.SRC, 53, false), port(Match.Dir.DST, 90, false)),
                Rule.of(
                        Action.Verdict.DROP,
                        udp,
                        port(Match.Dir.SRC, 80, true),
                        port(Match.Dir.SRC, 53, false),
                        port(Match.Dir.DST, 90, false)),
                Rule.of(
                        Action.Verdict.DROP,
                        udp,
                        port(Match.Dir.DST, 80, true),
                        port(Match.Dir.SRC, 53, false),
                        port(Match.Dir.DST, 90, false)),
                Rule.of(Action.Verdict.DROP, udp, port(Match.Dir.SRC, 53, true), port(Match.Dir.DST, 90, true)),
                longRule(udp));
    }

    /** Ports at match indexes 15, 16 and 17 (past a hash map's first 16 buckets): ties still sort in rule order. */
    private static Rule longRule(Match udp) {
        List<Match> m = new ArrayList<>(List.of(udp));
        for (int i = 1; i < 15; i++) {
            m.add(new Match.Mark(1, 1, false));
        }
        m.add(port(Match.Dir.SRC, 80, true));
        m.add(port(Match.Dir.SRC, 53, false));
        m.add(port(Match.Dir.DST, 90, false));
        return new Rule(m, Action.Verdict.DROP, null);
    }

    private static Match port(Match.Dir dir, int port, boolean negated) {
        return new Match.Ports(dir, List.of(new org.calicojava.model.PortRange(port, port)), negated);
    }

    /** One chain's rules' expressions, anonymous set names (numbered per table) made alike. */
    private static List<List<Expr>> exprs(List<NftRule> rules, String chain) {
        return rules.stream()
                .filter(r -> r.chain().equals(chain))
                .map(r -> r.exprs().stream()
                        .map(e -> e instanceof Expr.Lookup l && l.set().startsWith("__set")
                                ? new Expr.Lookup("__set", 0, l.sreg(), l.dreg(), l.invert())
                                : e)
                        .toList())
                .toList();
    }
}
