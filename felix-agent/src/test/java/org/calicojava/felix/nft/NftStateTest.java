package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.EndpointKey;
import org.calicojava.felix.calc.IpSetSpec;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.EndpointChains;
import org.calicojava.felix.rules.StaticChains;
import org.junit.jupiter.api.Test;

/** The model to nft table, and the transactions between states: only what differs, in an order nft accepts. */
class NftStateTest {
    private final NftModel model = new NftModel();

    static DesiredDataplane desired(List<String> ifaces, Set<String> tagMembers) {
        Map<String, Chain> filter = new HashMap<>();
        StaticChains.filter(4, "cali", "DROP").forEach(c -> filter.put(c.name(), c));
        Map<String, EndpointKey> interfaces = new HashMap<>();
        for (String i : ifaces) {
            interfaces.put(i, new EndpointKey("h1", "k8s", i, "eth0"));
            Chain tw = EndpointChains.toWorkload(i, List.of("p"));
            Chain fw = EndpointChains.fromWorkload(i, List.of("p"));
            filter.put(tw.name(), tw);
            filter.put(fw.name(), fw);
        }
        filter.put(
                "cali-pri-p",
                new Chain(
                        "cali-pri-p",
                        List.of(org.calicojava.felix.rules.Rule.of(
                                org.calicojava.felix.rules.Action.Verdict.DROP,
                                new org.calicojava.felix.rules.Match.InSet(
                                        "cali4-t-p", org.calicojava.felix.rules.Match.Dir.SRC, false)))));
        filter.put("cali-pro-p", new Chain("cali-pro-p", List.of()));
        Map<String, Chain> nat = new HashMap<>();
        StaticChains.nat(4).forEach(c -> nat.put(c.name(), c));
        Map<String, IpSetSpec> sets = Map.of(
                "cali4-t-p",
                new IpSetSpec("cali4-t-p", 4, tagMembers),
                "cali4-all-ipam-pools",
                new IpSetSpec("cali4-all-ipam-pools", 4, Set.of("10.65.0.0/16")),
                "cali4-masq-ipam-pools",
                new IpSetSpec("cali4-masq-ipam-pools", 4, Set.of()));
        return both(interfaces, filter, nat, sets);
    }

    /** The same chains (objects) for IPv4 and IPv6: each written once, under its own name. */
    static DesiredDataplane both(Map<String, Chain> filter, Map<String, Chain> nat, Map<String, IpSetSpec> sets) {
        return both(Map.of(), filter, nat, sets);
    }

    /** {@link #both}, with endpoint chains for {@code interfaces} (the dispatch maps lead to them). */
    static DesiredDataplane both(
            Map<String, EndpointKey> interfaces,
            Map<String, Chain> filter,
            Map<String, Chain> nat,
            Map<String, IpSetSpec> sets) {
        return new DesiredDataplane(Map.of(), interfaces, filter, nat, sets, Map.of(), filter, nat, Map.of());
    }

    static List<String> ifaces(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(String.format("cali%011d", i));
        }
        return out;
    }

    @Test
    void interfacesBecomeVerdictMapElementsAndHooksBecomeBaseChains() {
        NftRuleset r = model.build(desired(ifaces(100), Set.of("10.65.0.1/32")));
        assertThat(r.maps().get(NftNames.FROM_WL_MAP))
                .hasSize(100)
                .containsEntry("cali00000000042", "cali-fw-cali00000000042");
        assertThat(r.maps().get(NftNames.TO_WL_MAP)).containsEntry("cali00000000042", "cali-tw-cali00000000042");
        assertThat(r.chains().keySet())
                .noneMatch(c -> c.startsWith("cali-from-wl-dispatch-"))
                .contains(
                        "cali-from-wl-dispatch", "filter-INPUT", "filter-FORWARD", "filter-OUTPUT", "nat-POSTROUTING");
        assertThat(r.chains().get("cali-from-wl-dispatch").rules())
                .containsExactly("iifname vmap @cali-from-wl-map", "drop");
        assertThat(r.chains().get("filter-FORWARD").hook())
                .isEqualTo("type filter hook forward priority filter - 5; policy accept;");
        assertThat(r.chains().get("nat-POSTROUTING").hook())
                .isEqualTo("type nat hook postrouting priority srcnat - 5; policy accept;");
        assertThat(r.chains().get("nat-POSTROUTING").rules()).containsExactly("jump cali-POSTROUTING");
        assertThat(r.sets().get("cali4-t-p").members()).containsExactly("10.65.0.1");
    }

    @Test
    void firstTransactionCreatesEverythingInDependencyOrder() {
        NftRuleset want = model.build(desired(ifaces(2), Set.of("10.65.0.1/32")));
        NftState st = new NftState();
        NftState.Diff d = st.diff(want);
        List<String> lines = d.script().lines().toList();
        assertThat(lines.get(0)).isEqualTo("add table inet calico");
        assertThat(lines)
                .contains(
                        "add set inet calico cali4-t-p { type ipv4_addr; flags interval; }",
                        "add set inet calico cali4-t-p { type ipv4_addr; flags interval; elements = { 10.65.0.1 }; }",
                        "add map inet calico cali-from-wl-map { type ifname : verdict; }",
                        "add chain inet calico filter-FORWARD { type filter hook forward priority filter - 5; policy accept; }");
        assertThat(lines)
                .anyMatch(l ->
                        l.startsWith("add map inet calico cali-from-wl-map { type ifname : verdict; " + "elements = { ")
                                && l.contains("\"cali00000000001\" : goto cali-fw-cali00000000001"));
        assertThat(lines).noneMatch(l -> l.startsWith("delete"));
        assertThat(lines).contains("flush chain inet calico cali-fw-cali00000000001"); // never rules we did not write
        int firstRule = indexOf(lines, "add rule ");
        int firstBlock = indexOf(lines, "add chain inet calico cali-fw-cali00000000001 {");
        assertThat(indexOf(lines, "add set ")).isLessThan(Math.min(firstRule, firstBlock));
        assertThat(lines.indexOf("add chain inet calico cali-fw-cali00000000001"))
                .as("declared before any rule")
                .isLessThan(Math.min(firstRule, firstBlock));
        assertThat(lines.get(firstRule)).matches("add rule inet calico \\S+ .* comment \"cali:[A-Za-z0-9_-]{16}\"");
        assertThat(lines.get(firstBlock))
                .matches("add chain inet calico cali-fw-cali00000000001 \\{ goto cali-fw/[A-Za-z0-9_-]{16}"
                        + " comment \"cali:[A-Za-z0-9_-]{16}\"; \\}");
        assertThat(lines)
                .as("the endpoints' shared body, declared before any rule")
                .anyMatch(l -> l.matches("add chain inet calico cali-fw/[A-Za-z0-9_-]{16} \\{ meta mark & 0x10000"
                        + " == 0x10000 return comment \"cali:[A-Za-z0-9_-]{16}\"; .*; \\}"));
        assertThat(lines)
                .as("rules that name a set: one add rule each (nft fetches the sets for them)")
                .anyMatch(l -> l.startsWith("add rule ") && l.contains("@cali4-t-p"))
                .noneMatch(l -> l.startsWith("add chain ") && l.contains("@"));
        assertThat(Math.max(lastIndexOf(lines, "add rule "), firstBlock))
                .isLessThan(indexOf(lines, "add map inet calico cali-from-wl-map { type ifname : verdict; elements"));
        st.commit(d, want);
        assertThat(st.diff(want).isEmpty()).as("nothing left to do").isTrue();
    }

    @Test
    void addingAnEndpointIsTwoChainsTwoMapElementsAndSetMembers() {
        NftState st = new NftState();
        NftRuleset before = model.build(desired(ifaces(1000), Set.of("10.65.0.1/32")));
        st.commit(st.diff(before), before);
        NftRuleset after = model.build(desired(ifaces(1001), Set.of("10.65.0.1/32", "10.65.0.2/32")));
        NftState.Diff d = st.diff(after);
        assertThat(d.written())
                .extracting(NftChain::name)
                .containsExactlyInAnyOrder("cali-fw-cali00000001000", "cali-tw-cali00000001000");
        assertThat(d.script().lines().filter(l -> l.contains("elements = ")))
                .containsExactlyInAnyOrder(
                        "add set inet calico cali4-t-p { type ipv4_addr; flags interval; elements = { 10.65.0.2 }; }",
                        "add map inet calico cali-from-wl-map { type ifname : verdict; elements = { \"cali00000001000\" : goto cali-fw-cali00000001000 }; }",
                        "add map inet calico cali-to-wl-map { type ifname : verdict; elements = { \"cali00000001000\" : goto cali-tw-cali00000001000 }; }");
        assertThat(d.script())
                .as("only commands nft runs without fetching the table first")
                .doesNotContain("delete", "add rule", "add element")
                .contains("add chain inet calico cali-tw-cali00000001000 { goto cali-tw/");
        st.commit(d, after);
        // and removing it again: elements first, then the chains are flushed and deleted
        NftState.Diff back = st.diff(model.build(desired(ifaces(1000), Set.of("10.65.0.1/32"))));
        List<String> lines = back.script().lines().toList();
        assertThat(lines)
                .containsSubsequence(
                        "delete element inet calico cali4-t-p { 10.65.0.2 }",
                        "delete element inet calico cali-from-wl-map { \"cali00000001000\" }",
                        "flush chain inet calico cali-fw-cali00000001000",
                        "delete chain inet calico cali-fw-cali00000001000");
        assertThat(lines)
                .filteredOn(l -> l.startsWith("flush"))
                .hasSize(2)
                .allMatch(l -> l.contains("cali00000001000"));
        assertThat(lines.stream().filter(l -> l.startsWith("delete chain")).count())
                .isEqualTo(2);
    }

    @Test
    void changedChainIsFlushedAndRewrittenAndUnusedSetsGo() {
        NftState st = new NftState();
        NftRuleset a = model.build(desired(ifaces(2), Set.of("10.65.0.1/32")));
        st.commit(st.diff(a), a);
        DesiredDataplane changed = desired(ifaces(2), Set.of("10.65.0.1/32"));
        Map<String, Chain> filter = new HashMap<>(changed.filter());
        filter.put(
                "cali-pri-p",
                new Chain(
                        "cali-pri-p",
                        List.of(org.calicojava.felix.rules.Rule.of(
                                org.calicojava.felix.rules.Action.Verdict.DROP,
                                new org.calicojava.felix.rules.Match.Protocol("udp", false)))));
        Map<String, IpSetSpec> sets = new HashMap<>(changed.ipsets());
        sets.remove("cali4-t-p");
        NftState.Diff d = st.diff(model.build(both(changed.interfaces(), filter, changed.nat(), sets)));
        assertThat(d.script().lines().toList())
                .containsExactly(
                        "add table inet calico",
                        "add chain inet calico cali-pri-p",
                        "flush chain inet calico cali-pri-p",
                        "add chain inet calico cali-pri-p { meta l4proto udp drop comment \"cali:"
                                + NftModel.of("cali-pri-p", null, List.of("meta l4proto udp drop"))
                                        .hashes()
                                        .get(0) + "\"; }",
                        "delete set inet calico cali4-t-p");
    }

    @Test
    void overlappingMembersAreMergedAndNormalized() {
        assertThat(NftMembers.normalize(List.of("10.0.0.5/32", "10.0.0.0/24", "10.1.2.3/16", "10.2.0.1/32")))
                .containsExactlyInAnyOrder("10.0.0.0/24", "10.1.0.0/16", "10.2.0.1");
        assertThat(NftMembers.normalize(List.of("fd00:0:0:0:0:0:0:1/128", "2001:db8::/32", "2001:db8:1::5/128")))
                .containsExactlyInAnyOrder("fd00::1", "2001:db8::/32");
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(List<String> lines, String prefix) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    /** A ruleset of one text chain {@code cali-pri-p} with {@code rules}. */
    private static NftRuleset pri(String... rules) {
        return new NftRuleset(
                Map.of("cali-pri-p", NftModel.of("cali-pri-p", null, List.of(rules))), Map.of(), Map.of());
    }

    private static List<String> ruleLines(NftState.Diff d) {
        return d.script()
                .lines()
                .filter(l -> l.contains(" rule ") || l.startsWith("flush"))
                .toList();
    }

    /**
     * With the handles of a chain's rules known, a change keeps the rules before the first that differs (their
     * hashes are chained, so from there on every rule differs), replaces the rest by handle, deletes what is left
     * over by handle and appends the new ones; a change of the first rule, or unknown handles, flush and fill.
     */
    @Test
    void aChangedChainWhoseHandlesAreKnownIsEditedFromItsFirstChangedRule() {
        NftRuleset a = pri("tcp dport 22 accept", "tcp dport 80 accept", "drop");
        NftState st = new NftState();
        st.commit(st.diff(a), a, Map.of("cali-pri-p", new long[] {5, 6, 7}));
        NftRuleset b = pri("tcp dport 22 accept", "tcp dport 80 accept", "tcp dport 443 accept", "drop");
        NftState.Diff d = st.diff(b);
        List<String> hb = b.chains().get("cali-pri-p").hashes();
        assertThat(ruleLines(d))
                .containsExactly(
                        "replace rule inet calico cali-pri-p handle 7 tcp dport 443 accept comment \"cali:" + hb.get(2)
                                + "\"",
                        "add rule inet calico cali-pri-p drop comment \"cali:" + hb.get(3) + "\"");
        assertThat(d.ops())
                .filteredOn(op -> op instanceof NftOp.EditChain)
                .singleElement()
                .satisfies(op -> {
                    NftOp.EditChain e = (NftOp.EditChain) op;
                    assertThat(e.keep()).isEqualTo(2);
                    assertThat(e.replaced()).containsExactly(7);
                    assertThat(e.deleted()).isEmpty();
                });
        st.commit(d, b, Map.of("cali-pri-p", new long[] {5, 6, 7, 9}));

        NftState.Diff shorter = st.diff(pri("tcp dport 22 accept"));
        assertThat(ruleLines(shorter))
                .containsExactly(
                        "delete rule inet calico cali-pri-p handle 6",
                        "delete rule inet calico cali-pri-p handle 7",
                        "delete rule inet calico cali-pri-p handle 9");
        assertThat(ruleLines(st.diff(pri("tcp dport 23 accept", "tcp dport 80 accept", "drop"))))
                .as("the first rule changed: nothing to keep")
                .first()
                .isEqualTo("flush chain inet calico cali-pri-p");

        NftState unknown = new NftState();
        unknown.commit(unknown.diff(a), a); // no handles reported (nft -f, or a fresh table's batch)
        assertThat(ruleLines(unknown.diff(b))).first().isEqualTo("flush chain inet calico cali-pri-p");
        NftState wrongLength = new NftState();
        wrongLength.commit(wrongLength.diff(a), a, Map.of("cali-pri-p", new long[] {5, 6}));
        assertThat(ruleLines(wrongLength.diff(b))).first().isEqualTo("flush chain inet calico cali-pri-p");
        st.clear();
        assertThat(st.handles()).isEmpty();
    }
}
