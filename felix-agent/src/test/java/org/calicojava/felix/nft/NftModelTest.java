package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dual-stack calculation (IPv4 and IPv6 chains, sets of both families, raw anti-spoofing) through the nft model:
 * chains the families share written once, the others split behind a family dispatcher; expected nft text per chain.
 */
class NftModelTest {
    private static final String ALLOW = "meta mark set meta mark & 0xfffeffff ^ 0x10000";
    private static final String SEL = org.calicojava.felix.rules.ChainNames.selectorSet(
            6, org.calicojava.model.Selector.parse("role == 'web'").canonical());
    private final Keys keys = new Keys();
    private final List<String> problems = new ArrayList<>();
    private final NftModel model = new NftModel();
    private DatastoreState state;
    private Calculator calc;

    @BeforeEach
    void setUp() {
        state = new DatastoreState(keys, "h1");
        calc = new Calculator(problems::add);
        endpoint("h1", "a", "caliA", "10.1.0.1/32", "fd00:1::1/128", "{\"role\":\"web\"}");
        endpoint("h1", "b", "caliB", "10.1.0.2/32", null, "{}");
        endpoint("h2", "c", "caliC", null, "fd00:1::3/128", "{\"role\":\"web\"}");
        state.apply(keys.profileTags("p"), "[\"p\"]");
        profile("{\"protocol\":\"icmp\",\"icmp_type\":8},{\"protocol\":\"icmpv6\",\"icmp_type\":128},"
                + "{\"src_net\":\"10.0.0.0/8\",\"src_tag\":\"p\"},"
                + "{\"src_net\":\"fd00::/8\",\"src_selector\":\"role == 'web'\"},{\"action\":\"deny\"}");
        state.apply(keys.pool(Cidr.parse("fd00:1::/64")), "{\"cidr\":\"fd00:1::/64\",\"masquerade\":true}");
        state.apply(keys.pool(Cidr.parse("10.1.0.0/16")), "{\"cidr\":\"10.1.0.0/16\"}");
    }

    private void endpoint(String host, String id, String iface, String ip4, String ip6, String labels) {
        state.apply(
                keys.endpoint(host, "k8s", "wl-" + id, id),
                "{\"state\":\"active\",\"name\":\"" + iface
                        + "\",\"profile_ids\":[\"p\"],\"ipv4_nets\":[" + (ip4 == null ? "" : "\"" + ip4 + "\"")
                        + "],\"ipv6_nets\":[" + (ip6 == null ? "" : "\"" + ip6 + "\"") + "],\"labels\":" + labels
                        + "}");
    }

    private void profile(String inboundRules) {
        state.apply(keys.profileRules("p"), "{\"inbound_rules\":[" + inboundRules + "],\"outbound_rules\":[{}]}");
    }

    private NftRuleset build(Map<String, String> config) {
        DesiredDataplane d = calc.calculate(state, FelixConfig.of(Map.of(), Map.of(), config));
        return model.build(d);
    }

    private static List<String> rules(NftRuleset r, String chain) {
        assertThat(r.chains()).as(chain + " in " + r.chains().keySet()).containsKey(chain);
        return r.chains().get(chain).rules();
    }

    /** The rules of the shared body an endpoint's chain goes to (its one rule: {@code goto cali-tw/HASH}). */
    private static List<String> body(NftRuleset r, String chain) {
        List<String> stub = rules(r, chain);
        assertThat(stub).hasSize(1);
        assertThat(stub.get(0)).matches("goto cali-[tf]w/[A-Za-z0-9_-]{16}");
        return rules(r, stub.get(0).substring("goto ".length()));
    }

    @Test
    void chainsThatDifferByFamilyAreSplitBehindADispatcherTheOthersWrittenOnce() {
        NftRuleset r = build(Map.of());
        // same in both families: once, under the model's name
        assertThat(body(r, "cali-tw-caliA")).startsWith("meta mark & 0x10000 == 0x10000 return");
        assertThat(rules(r, "cali-tiers-in"))
                .startsWith("ct state related,established accept", "ct state invalid drop");
        assertThat(rules(r, "cali-pro-p")).containsExactly(ALLOW, "meta mark & 0x10000 == 0x10000 return");
        assertThat(rules(r, "cali-FORWARD")).contains("iifname \"cali*\" jump cali-from-wl-dispatch");
        assertThat(r.chains().keySet())
                .noneMatch(c -> c.startsWith("cali-tw-") && c.contains("/"))
                .doesNotContain("cali-FORWARD/4", "cali-pro-p/4", "cali-PREROUTING/4", "cali-POSTROUTING/4");
        // differ: dispatcher + one chain per family
        assertThat(rules(r, "cali-pri-p"))
                .containsExactly("meta nfproto ipv4 goto cali-pri-p/4", "meta nfproto ipv6 goto cali-pri-p/6");
        assertThat(rules(r, "cali-pri-p/4"))
                .containsExactly(
                        "meta l4proto icmp icmp type 8 " + ALLOW,
                        "meta mark & 0x10000 == 0x10000 return",
                        "ip saddr 10.0.0.0/8 ip saddr @cali4-t-p " + ALLOW,
                        "meta mark & 0x10000 == 0x10000 return",
                        "drop");
        assertThat(rules(r, "cali-pri-p/6"))
                .containsExactly(
                        "meta l4proto icmpv6 icmpv6 type 128 " + ALLOW,
                        "meta mark & 0x10000 == 0x10000 return",
                        "ip6 saddr fd00::/8 ip6 saddr @" + SEL + " " + ALLOW,
                        "meta mark & 0x10000 == 0x10000 return",
                        "drop");
        assertThat(rules(r, "cali-wl-to-host"))
                .containsExactly(
                        "meta nfproto ipv4 goto cali-wl-to-host/4", "meta nfproto ipv6 goto cali-wl-to-host/6");
        assertThat(rules(r, "cali-wl-to-host/4"))
                .containsExactly("jump cali-tiers-out", "jump cali-from-wl-dispatch", "drop");
        assertThat(rules(r, "cali-wl-to-host/6"))
                .containsExactly(
                        "meta l4proto icmpv6 icmpv6 type 130 accept",
                        "meta l4proto icmpv6 icmpv6 type 131 accept",
                        "meta l4proto icmpv6 icmpv6 type 132 accept",
                        "meta l4proto icmpv6 icmpv6 type 133 accept",
                        "meta l4proto icmpv6 icmpv6 type 135 accept",
                        "meta l4proto icmpv6 icmpv6 type 136 accept",
                        "jump cali-tiers-out",
                        "jump cali-from-wl-dispatch",
                        "drop");
        // NAT66: the nat chain differs by its sets
        assertThat(rules(r, "cali-nat-outgoing/4"))
                .containsExactly("ip saddr @cali4-masq-ipam-pools ip daddr != @cali4-all-ipam-pools masquerade");
        assertThat(rules(r, "cali-nat-outgoing/6"))
                .containsExactly("ip6 saddr @cali6-masq-ipam-pools ip6 daddr != @cali6-all-ipam-pools masquerade");
        assertThat(rules(r, "nat-POSTROUTING")).containsExactly("jump cali-POSTROUTING");
        // sets of both families
        assertThat(r.sets().get(SEL).type()).isEqualTo("ipv6_addr");
        assertThat(r.sets().get(SEL).members()).containsExactlyInAnyOrder("fd00:1::1", "fd00:1::3");
        assertThat(r.sets().get("cali4-t-p").type()).isEqualTo("ipv4_addr");
        assertThat(r.sets().get("cali6-masq-ipam-pools").members()).containsExactly("fd00:1::/64");
        assertThat(r.sets().get("cali4-masq-ipam-pools").members()).isEmpty();
        // dispatch maps are family-agnostic
        assertThat(r.maps().get(NftNames.FROM_WL_MAP))
                .containsOnly(Map.entry("caliA", "cali-fw-caliA"), Map.entry("caliB", "cali-fw-caliB"));
    }

    @Test
    void antiSpoofingIsAReversePathCheckAtPreroutingPriorityRaw() {
        NftRuleset r = build(Map.of());
        assertThat(r.chains().get("raw-PREROUTING").hook())
                .isEqualTo("type filter hook prerouting priority raw - 5; policy accept;");
        assertThat(rules(r, "raw-PREROUTING")).containsExactly("jump cali-PREROUTING");
        assertThat(rules(r, "cali-PREROUTING"))
                .containsExactly("iifname \"cali*\" fib saddr . iif oif missing counter drop");
        NftRuleset tap = build(Map.of("InterfacePrefix", "tap"));
        assertThat(rules(tap, "cali-PREROUTING"))
                .containsExactly("iifname \"tap*\" fib saddr . iif oif missing counter drop");
        assertThat(rules(tap, "cali-FORWARD")).contains("iifname \"tap*\" jump cali-from-wl-dispatch");
    }

    @Test
    void aFamilyWhoseRenderingIsEmptyGetsAnEmptyChainAsInIp6tables() {
        profile("{\"src_net\":\"10.0.0.0/8\"}");
        NftRuleset r = build(Map.of());
        assertThat(rules(r, "cali-pri-p"))
                .containsExactly("meta nfproto ipv4 goto cali-pri-p/4", "meta nfproto ipv6 goto cali-pri-p/6");
        assertThat(rules(r, "cali-pri-p/4"))
                .containsExactly("ip saddr 10.0.0.0/8 " + ALLOW, "meta mark & 0x10000 == 0x10000 return");
        assertThat(rules(r, "cali-pri-p/6")).isEmpty(); // goto an empty chain: back to the caller, as in ip6tables
    }

    /**
     * Endpoints whose chains have the same rules (the same profiles) share one body: each endpoint's chain is one
     * goto into it; an endpoint that changes profiles moves to another body, and a body no endpoint goes to is gone.
     */
    @Test
    void endpointChainsOfTheSameRulesShareOneBodyKeptWhileUsed() {
        NftRuleset r = build(Map.of());
        assertThat(rules(r, "cali-tw-caliA")).isEqualTo(rules(r, "cali-tw-caliB"));
        assertThat(rules(r, "cali-fw-caliA"))
                .isEqualTo(rules(r, "cali-fw-caliB"))
                .isNotEqualTo(rules(r, "cali-tw-caliA"));
        assertThat(body(r, "cali-tw-caliA"))
                .containsExactly(
                        "meta mark & 0x10000 == 0x10000 return",
                        "jump cali-pri-p",
                        "meta mark & 0x10000 == 0x10000 return",
                        "drop");
        assertThat(r.chains().keySet().stream().filter(c -> c.startsWith(NftModel.BODY_IN)))
                .hasSize(1);
        String shared = rules(r, "cali-tw-caliB").get(0);
        state.apply(keys.profileRules("q"), "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        state.apply(
                keys.endpoint("h1", "k8s", "wl-b", "b"),
                "{\"state\":\"active\",\"name\":\"caliB\",\"profile_ids\":[\"q\"],\"ipv4_nets\":[\"10.1.0.2/32\"]}");
        NftRuleset moved = model.build(calc.calculate(state, FelixConfig.of(Map.of(), Map.of(), Map.of())));
        assertThat(rules(moved, "cali-tw-caliA")).isEqualTo(List.of(shared));
        assertThat(rules(moved, "cali-tw-caliB")).isNotEqualTo(List.of(shared));
        assertThat(body(moved, "cali-tw-caliB")).contains("jump cali-pri-q");
        assertThat(moved.chains().keySet().stream().filter(c -> c.startsWith(NftModel.BODY_IN)))
                .hasSize(2);
        state.apply(keys.endpoint("h1", "k8s", "wl-a", "a"), null);
        NftRuleset gone = model.build(calc.calculate(state, FelixConfig.of(Map.of(), Map.of(), Map.of())));
        assertThat(gone.chains()).doesNotContainKey("cali-tw-caliA").doesNotContainKey(shared.substring(5));
        assertThat(gone.chains().keySet().stream().filter(c -> c.startsWith(NftModel.BODY_IN)))
                .hasSize(1);
        NftState st = new NftState();
        st.commit(st.diff(moved), moved);
        assertThat(st.diff(gone).deletedChains()).contains("cali-tw-caliA", shared.substring(5));
    }

    @Test
    void ipv6SupportOffLeavesIpv6PacketsFallingThroughEveryChain() {
        NftRuleset r = build(Map.of("Ipv6Support", "false"));
        assertThat(rules(r, "cali-tw-caliA")).singleElement().asString().matches("meta nfproto ipv4 goto cali-tw/\\S+");
        assertThat(rules(r, rules(r, "cali-tw-caliA").get(0).substring("meta nfproto ipv4 goto ".length())))
                .startsWith("meta mark & 0x10000 == 0x10000 return");
        assertThat(rules(r, "cali-PREROUTING")).containsExactly("meta nfproto ipv4 goto cali-PREROUTING/4");
        assertThat(rules(r, "cali-FORWARD")).containsExactly("meta nfproto ipv4 goto cali-FORWARD/4");
        assertThat(rules(r, "filter-FORWARD")).containsExactly("jump cali-FORWARD"); // IPv6: falls through, accepted
        assertThat(r.chains().keySet()).noneMatch(c -> c.endsWith("/6"));
        assertThat(r.sets().keySet()).noneMatch(s -> s.startsWith("cali6-"));
    }

    @Test
    void switchingBetweenSharedAndSplitIsOneTransactionAndUnchangedRebuildsWriteNothing() {
        NftState st = new NftState();
        NftRuleset split = build(Map.of());
        st.commit(st.diff(split), split);
        assertThat(st.diff(build(Map.of())).isEmpty())
                .as("rebuild of the same data")
                .isTrue();
        profile("{\"protocol\":\"tcp\"}"); // the same in both families now
        NftRuleset shared = build(Map.of());
        assertThat(rules(shared, "cali-pri-p"))
                .containsExactly("meta l4proto tcp " + ALLOW, "meta mark & 0x10000 == 0x10000 return");
        NftState.Diff d = st.diff(shared);
        assertThat(d.written()).extracting(NftChain::name).containsExactly("cali-pri-p");
        assertThat(d.deletedChains()).containsExactlyInAnyOrder("cali-pri-p/4", "cali-pri-p/6");
        List<String> lines = d.script().lines().toList();
        assertThat(lines.indexOf("delete chain inet calico cali-pri-p/4"))
                .isGreaterThan(lines.indexOf("flush chain inet calico cali-pri-p/4"))
                .isGreaterThan(lines.indexOf("flush chain inet calico cali-pri-p"));
        st.commit(d, shared);
        assertThat(st.diff(build(Map.of())).isEmpty()).isTrue();
    }

    @Test
    void readBackOfTheFamilyChainsMatchesWhatWasWritten() {
        NftRuleset r = build(Map.of());
        NftState read = NftReadback.parse(NftBackendTest.json(r));
        assertThat(read.chains()).containsKeys("cali-pri-p/4", "cali-pri-p/6", "cali-pri-p", "raw-PREROUTING");
        assertThat(read.diff(r).isEmpty())
                .as("a restart with nothing changed writes nothing")
                .isTrue();
    }

    /**
     * Every rule of every filter chain of the calculation, in either family, with IPv6 on and off: {@link
     * NftPlacement} names a chain of the built table that has it, at the same index, under the same hash (what
     * {@code javactl policy explain --verify} looks up in the live table).
     */
    @Test
    void placementFindsEveryCalculatedRuleWhereTheModelPutIt() {
        for (Map<String, String> config : List.of(Map.<String, String>of(), Map.of("Ipv6Support", "false"))) {
            DesiredDataplane d = calc.calculate(state, FelixConfig.of(Map.of(), Map.of(), config));
            NftRuleset r = new NftModel().build(d);
            int found = 0;
            for (int v : new int[] {4, 6}) {
                for (org.calicojava.felix.rules.Chain c : d.chains(v, "filter").values()) {
                    List<NftChain> places = NftPlacement.candidates(c.name(), v, c.rules());
                    for (int i = 0; i < c.rules().size() && !places.isEmpty(); i++) {
                        int at = i;
                        assertThat(places)
                                .as("rule " + i + " of " + c.name() + " (IPv" + v + ") " + config)
                                .anyMatch(p -> r.chains().containsKey(p.name())
                                        && r.chains().get(p.name()).hashes().size() > at
                                        && r.chains()
                                                .get(p.name())
                                                .hashes()
                                                .get(at)
                                                .equals(p.hashes().get(at))
                                        && r.chains()
                                                .get(p.name())
                                                .rules()
                                                .get(at)
                                                .equals(p.rules().get(at)));
                        found++;
                    }
                }
            }
            assertThat(found).as("rules placed " + config).isGreaterThan(30);
        }
        assertThat(NftPlacement.candidates("cali-tw-caliA", 4, List.of()).get(0).name())
                .startsWith("cali-tw/");
    }
}
