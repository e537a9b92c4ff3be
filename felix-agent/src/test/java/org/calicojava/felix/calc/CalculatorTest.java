package org.calicojava.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.Rule;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.calicojava.model.Selector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CalculatorTest {
    private final Keys keys = new Keys();
    private final List<String> problems = new ArrayList<>();
    private DatastoreState state;
    private Calculator calc;

    @BeforeEach
    void setUp() {
        state = new DatastoreState(keys, "h1");
        calc = new Calculator(problems::add);
    }

    private void endpoint(String host, String id, String iface, String ip, String profile, String labels) {
        state.apply(
                keys.endpoint(host, "k8s", "wl-" + id, id),
                "{\"state\":\"active\",\"name\":\"" + iface + "\",\"profile_ids\":[\"" + profile
                        + "\"],\"ipv4_nets\":[\"" + ip + "\"],\"labels\":" + labels + "}");
    }

    private List<String> rules(DesiredDataplane d, String chain) {
        Chain c = d.filter().get(chain);
        assertThat(c).as(chain).isNotNull();
        return c.rules().stream().map(Rule::text).toList();
    }

    @Test
    void localActiveEndpointsGetRoutesChainsAndDispatch() {
        endpoint("h1", "a", "caliA", "10.1.0.1/32", "p", "{}");
        endpoint("h1", "b", "caliB", "10.1.0.2/32", "p", "{}");
        endpoint("h2", "c", "caliC", "10.1.1.1/32", "p", "{}");
        state.apply(
                keys.endpoint("h1", "k8s", "wl-d", "d"),
                "{\"state\":\"inactive\",\"name\":\"caliD\",\"ipv4_nets\":[\"10.1.0.9/32\"]}");
        state.apply(keys.profileRules("p"), "{\"inbound_rules\":[{\"src_tag\":\"p\"}],\"outbound_rules\":[{}]}");
        state.apply(keys.profileTags("p"), "[\"p\"]");
        DesiredDataplane d = calc.calculate(state, FelixConfig.defaults());
        assertThat(d.routes())
                .containsOnly(
                        java.util.Map.entry(Cidr.parse("10.1.0.1/32"), "caliA"),
                        java.util.Map.entry(Cidr.parse("10.1.0.2/32"), "caliB"));
        assertThat(d.filter())
                .containsKeys("cali-tw-caliA", "cali-fw-caliA", "cali-tw-caliB", "cali-pri-p", "cali-pro-p")
                .doesNotContainKeys("cali-tw-caliC", "cali-tw-caliD");
        assertThat(d.interfaces()).as("the interfaces the backends dispatch to").containsOnlyKeys("caliA", "caliB");
        assertThat(d.filter()).as("the dispatch is the backends' rendering").doesNotContainKey("cali-from-wl-dispatch");
        assertThat(d.ipsets().get("cali4-t-p").members())
                .containsExactlyInAnyOrder("10.1.0.1/32", "10.1.0.2/32", "10.1.1.1/32");
        assertThat(rules(d, "cali-pri-p"))
                .first()
                .isEqualTo("-m set --match-set cali4-t-p src -j MARK --set-xmark 0x10000/0x10000");
        assertThat(problems).isEmpty();
        // endpoints of the same profiles share one rule list per direction (rendered once by the nft model)
        assertThat(d.filter().get("cali-tw-caliA").rules())
                .isSameAs(d.filter().get("cali-tw-caliB").rules())
                .isNotSameAs(d.filter().get("cali-fw-caliA").rules())
                .extracting(Rule::text)
                .contains("-j cali-pri-p");
        assertThat(d.filter().get("cali-fw-caliB").rules())
                .isSameAs(d.filter().get("cali-fw-caliA").rules());
    }

    @Test
    void anEndpointOnTheHostsUplinkGetsNoRouteChainOrSysctlsAndIsReported() {
        endpoint("h1", "a", "caliA", "10.1.0.1/32", "p", "{}");
        endpoint("h1", "u", "eth0", "192.0.2.9/32", "p", "{}");
        state.apply(keys.profileRules("p"), "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        DesiredDataplane d = calc.calculate(state, FelixConfig.defaults());
        assertThat(d.routes()).containsOnly(java.util.Map.entry(Cidr.parse("10.1.0.1/32"), "caliA"));
        assertThat(d.interfaces()).containsOnlyKeys("caliA");
        assertThat(d.filter()).doesNotContainKeys("cali-tw-eth0", "cali-fw-eth0");
        assertThat(state.localInterfaces("cali")).containsExactly("caliA");
        assertThat(problems).singleElement().asString().contains("interface eth0 is not a workload interface");
    }

    @Test
    void tieredPoliciesApplyBySelectorInTierAndPolicyOrder() {
        endpoint("h1", "a", "caliA", "10.1.0.1/32", "p", "{\"role\":\"db\"}");
        endpoint("h1", "b", "caliB", "10.1.0.2/32", "p", "{\"role\":\"web\"}");
        state.apply(keys.profileRules("p"), "{}");
        state.apply(keys.tierMetadata("second"), "{\"order\":20}");
        state.apply(keys.tierMetadata("first"), "{\"order\":10}");
        state.apply(keys.policy("second", "s1"), "{\"selector\":\"all()\",\"inbound_rules\":[{\"action\":\"deny\"}]}");
        state.apply(
                keys.policy("first", "z"),
                "{\"selector\":\"role == 'db'\",\"order\":1,"
                        + "\"inbound_rules\":[{\"src_selector\":\"role == 'web'\"}]}");
        state.apply(keys.policy("first", "a"), "{\"selector\":\"role == 'db'\",\"order\":2}");
        DesiredDataplane d = calc.calculate(state, FelixConfig.defaults());
        String db = ChainNames.selectorSet(4, Selector.parse("role == 'db'").canonical());
        String all = ChainNames.selectorSet(4, Selector.parse("all()").canonical());
        assertThat(rules(d, "cali-tiers-in"))
                .filteredOn(r -> r.contains("-j cali-ti-"))
                .containsExactly("-j cali-ti-first", "-j cali-ti-second");
        assertThat(rules(d, "cali-ti-first"))
                .filteredOn(r -> r.contains("cali-pi-"))
                .containsExactly(
                        "-m set --match-set " + db + " dst -m mark --mark 0x0/0x30000 -j cali-pi-first.z",
                        "-m set --match-set " + db + " dst -m mark --mark 0x0/0x30000 -j cali-pi-first.a");
        assertThat(rules(d, "cali-ti-second"))
                .filteredOn(r -> r.contains("cali-pi-"))
                .containsExactly("-m set --match-set " + all + " dst -m mark --mark 0x0/0x30000 -j cali-pi-second.s1");
        assertThat(d.ipsets().get(db).members()).containsExactly("10.1.0.1/32");
        assertThat(d.ipsets().get(all).members()).containsExactlyInAnyOrder("10.1.0.1/32", "10.1.0.2/32");
        assertThat(rules(d, "cali-tw-caliA")).noneMatch(r -> r.contains("cali-pi-"));
        String set = ChainNames.selectorSet(4, Selector.parse("role == 'web'").canonical());
        assertThat(d.ipsets().get(set).members()).containsExactly("10.1.0.2/32");
        assertThat(rules(d, "cali-pi-first.z")).first().asString().contains("--match-set " + set + " src");
    }

    @Test
    void poolsFeedNatSetsAndConfigChangesWorkloadToHost() {
        state.apply(keys.pool(Cidr.parse("10.1.0.0/16")), "{\"cidr\":\"10.1.0.0/16\",\"masquerade\":true}");
        state.apply(keys.pool(Cidr.parse("10.2.0.0/16")), "{\"cidr\":\"10.2.0.0/16\"}");
        state.apply(keys.felixConfig("DefaultEndpointToHostAction"), "ACCEPT");
        FelixConfig cfg = FelixConfig.of(java.util.Map.of(), state.hostConfig(), state.globalConfig());
        DesiredDataplane d = calc.calculate(state, cfg);
        assertThat(d.ipsets().get("cali4-all-ipam-pools").members())
                .containsExactlyInAnyOrder("10.1.0.0/16", "10.2.0.0/16");
        assertThat(d.ipsets().get("cali4-masq-ipam-pools").members()).containsExactly("10.1.0.0/16");
        assertThat(rules(d, "cali-wl-to-host"))
                .containsExactly("-j cali-tiers-out", "-j cali-from-wl-dispatch", "-j ACCEPT");
        assertThat(d.nat()).containsKeys("cali-POSTROUTING", "cali-nat-outgoing");
    }

    @Test
    void badDataIsRejectedWithOneLineAndLeavesTheKeyAbsent() {
        endpoint("h1", "a", "caliA", "10.1.0.1/32", "p", "{}");
        String key = keys.endpoint("h1", "k8s", "wl-a", "a");
        assertThatThrownBy(() -> state.apply(key, "{\"name\":\"caliA\",\"ipv4_nets\":[\"10.1.0.300/32\"]}"))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("\n");
        assertThat(state.endpoints()).isEmpty();
        assertThatThrownBy(() -> state.apply(keys.policy("t", "bad"), "{\"selector\":\"role ==\"}"))
                .hasMessageContaining("expected a quoted string"); // selectors are parsed with the record
        endpoint("h1", "b", "caliB", "10.1.0.2/32", "p", "{}");
        DesiredDataplane d = calc.calculate(state, FelixConfig.defaults());
        assertThat(d.filter()).containsKey("cali-tw-caliB").doesNotContainKey("cali-pi-t.bad");
        assertThat(problems).anyMatch(p -> p.contains("profile p has no rules"));
        assertThat(state.apply("/calico/v1/unrelated/key", "x")).isFalse();
    }

    @Test
    void unchangedChainsAreTheSameObjectsNextTime() {
        endpoint("h1", "a", "caliA", "10.1.0.1/32", "p", "{}");
        state.apply(keys.profileRules("p"), "{}");
        DesiredDataplane d1 = calc.calculate(state, FelixConfig.defaults());
        endpoint("h1", "b", "caliB", "10.1.0.2/32", "p", "{}");
        DesiredDataplane d2 = calc.calculate(state, FelixConfig.defaults());
        assertThat(d2.filter().get("cali-tw-caliA")).isSameAs(d1.filter().get("cali-tw-caliA"));
    }

    @Test
    void configValidation() {
        assertThatThrownBy(() -> FelixConfig.of(
                        java.util.Map.of("FELIX_HEALTHPORT", "x"), java.util.Map.of(), java.util.Map.of()))
                .hasMessage("HealthPort: \"x\" (expected: a whole number)");
        assertThat(FelixConfig.of(
                                java.util.Map.of("FELIX_IPTABLESREFRESHINTERVAL", "0.5"),
                                java.util.Map.of(),
                                java.util.Map.of("IptablesRefreshInterval", "10"))
                        .refreshInterval()
                        .toMillis())
                .isEqualTo(500);
        assertThat(FelixConfig.defaults().healthPort()).isEqualTo(9099);
        assertThat(FelixConfig.defaults().healthHost())
                .as("health on loopback by default")
                .isEqualTo("127.0.0.1");
        assertThat(FelixConfig.defaults().metricsHost())
                .as("metrics on every address, as Calico")
                .isEqualTo("0.0.0.0");
        assertThat(FelixConfig.of(java.util.Map.of("FELIX_HEALTHHOST", "::"), java.util.Map.of(), java.util.Map.of())
                        .healthHost())
                .isEqualTo("::");
        assertThatThrownBy(() -> FelixConfig.of(
                        java.util.Map.of(),
                        java.util.Map.of(),
                        java.util.Map.of("PrometheusMetricsHost", "evil.example\nx")))
                .hasMessageStartingWith("PrometheusMetricsHost: \"evil.example\\nx\" (expected: an IP address");
    }

    /**
     * A setting the calculation does not read (the refresh interval, the reporting interval) leaves the next run
     * incremental: unchanged chains stay the same objects, where a full run makes new ones. Each one it reads
     * (DefaultEndpointToHostAction, InterfacePrefix, Ipv6Support) is calculated afresh.
     */
    @Test
    void onlyTheSettingsTheCalculationReadsMakeItStartAfresh() {
        endpoint("h1", "a", "caliA", "10.1.0.1/32", "p", "{}");
        state.apply(keys.profileRules("p"), "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        DesiredDataplane first = calc.calculate(state, FelixConfig.defaults());
        DesiredDataplane other = calc.calculate(
                state,
                FelixConfig.of(
                        java.util.Map.of("FELIX_IPTABLESREFRESHINTERVAL", "2", "FELIX_REPORTINGINTERVALSECS", "0"),
                        java.util.Map.of(),
                        java.util.Map.of()));
        assertThat(other.filter().get("cali-tw-caliA")).isSameAs(first.filter().get("cali-tw-caliA"));
        assertThat(other.filter()).isEqualTo(first.filter());
        DesiredDataplane accepting = calc.calculate(
                state,
                FelixConfig.of(
                        java.util.Map.of("FELIX_DEFAULTENDPOINTTOHOSTACTION", "ACCEPT"),
                        java.util.Map.of(),
                        java.util.Map.of()));
        assertThat(rules(accepting, ChainNames.WL_TO_HOST)).last().asString().contains("-j ACCEPT");
        assertThat(rules(first, ChainNames.WL_TO_HOST)).last().asString().contains("-j DROP");
        assertThat(accepting.filter().get("cali-tw-caliA"))
                .isNotSameAs(first.filter().get("cali-tw-caliA"));
        DesiredDataplane tap = calc.calculate( // each run below differs from the one before in one setting
                state,
                FelixConfig.of(
                        java.util.Map.of("FELIX_DEFAULTENDPOINTTOHOSTACTION", "ACCEPT", "FELIX_INTERFACEPREFIX", "tap"),
                        java.util.Map.of(),
                        java.util.Map.of()));
        assertThat(ruleTexts(tap)).anyMatch(r -> r.contains("tap+")).noneMatch(r -> r.contains("cali+"));
        assertThat(ruleTexts(accepting)).anyMatch(r -> r.contains("cali+"));
        DesiredDataplane v4only = calc.calculate(
                state,
                FelixConfig.of(
                        java.util.Map.of(
                                "FELIX_DEFAULTENDPOINTTOHOSTACTION",
                                "ACCEPT",
                                "FELIX_INTERFACEPREFIX",
                                "tap",
                                "FELIX_IPV6SUPPORT",
                                "false"),
                        java.util.Map.of(),
                        java.util.Map.of()));
        assertThat(tap.chains(6, "filter")).isNotEmpty();
        assertThat(v4only.chains(6, "filter")).isEmpty();
    }

    private static List<String> ruleTexts(DesiredDataplane d) {
        return d.filter().values().stream()
                .flatMap(c -> c.rules().stream())
                .map(Rule::text)
                .toList();
    }
}
