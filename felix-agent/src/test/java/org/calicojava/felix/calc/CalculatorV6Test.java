package org.calicojava.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.Rule;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CalculatorV6Test {
    private final Keys keys = new Keys();
    private final List<String> problems = new ArrayList<>();
    private DatastoreState state;
    private Calculator calc;

    @BeforeEach
    void setUp() {
        state = new DatastoreState(keys, "h1");
        calc = new Calculator(problems::add);
        endpoint("h1", "a", "caliA", "10.1.0.1/32", "fd00:1::1/128", "p", "{\"role\":\"web\"}");
        endpoint("h1", "b", "caliB", "10.1.0.2/32", null, "p", "{}");
        endpoint("h2", "c", "caliC", null, "fd00:1::3/128", "p", "{\"role\":\"web\"}");
        state.apply(keys.profileTags("p"), "[\"p\"]");
        state.apply(
                keys.profileRules("p"),
                "{\"inbound_rules\":["
                        + "{\"protocol\":\"icmp\",\"icmp_type\":8},"
                        + "{\"protocol\":\"icmpv6\",\"icmp_type\":128},"
                        + "{\"src_net\":\"10.0.0.0/8\",\"src_tag\":\"p\"},"
                        + "{\"src_net\":\"fd00::/8\",\"src_selector\":\"role == 'web'\"},"
                        + "{\"action\":\"deny\"}],\"outbound_rules\":[{}]}");
        state.apply(keys.pool(Cidr.parse("fd00:1::/64")), "{\"cidr\":\"fd00:1::/64\",\"masquerade\":true}");
        state.apply(keys.pool(Cidr.parse("10.1.0.0/16")), "{\"cidr\":\"10.1.0.0/16\"}");
    }

    private void endpoint(String host, String id, String iface, String ip4, String ip6, String profile, String labels) {
        state.apply(
                keys.endpoint(host, "k8s", "wl-" + id, id),
                "{\"state\":\"active\",\"name\":\"" + iface
                        + "\",\"profile_ids\":[\"" + profile + "\"],\"ipv4_nets\":["
                        + (ip4 == null ? "" : "\"" + ip4 + "\"")
                        + "],\"ipv6_nets\":[" + (ip6 == null ? "" : "\"" + ip6 + "\"") + "],\"labels\":" + labels
                        + "}");
    }

    private static List<String> rules(Map<String, Chain> table, String chain) {
        assertThat(table).as(chain).containsKey(chain);
        return table.get(chain).rules().stream().map(Rule::text).toList();
    }

    @Test
    void eachFamilyGetsItsOwnRulesIpsetsAndAntiSpoofing() {
        DesiredDataplane d = calc.calculate(state, FelixConfig.defaults());
        assertThat(d.routes())
                .containsOnly(
                        Map.entry(Cidr.parse("10.1.0.1/32"), "caliA"),
                        Map.entry(Cidr.parse("fd00:1::1/128"), "caliA"),
                        Map.entry(Cidr.parse("10.1.0.2/32"), "caliB"));
        String allow = "-j MARK --set-xmark 0x10000/0x10000";
        assertThat(rules(d.filter(), "cali-pri-p"))
                .filteredOn(r -> !r.startsWith("-m mark"))
                .containsExactly(
                        "-p icmp -m icmp --icmp-type 8 " + allow,
                        "-s 10.0.0.0/8 -m set --match-set cali4-t-p src " + allow,
                        "-j DROP");
        List<String> v6 = rules(d.filter6(), "cali-pri-p");
        assertThat(v6).filteredOn(r -> !r.startsWith("-m mark")).hasSize(3);
        assertThat(v6.get(0)).isEqualTo("-p icmpv6 -m icmp6 --icmpv6-type 128 " + allow);
        assertThat(v6.get(2))
                .startsWith("-s fd00::/8 -m set --match-set cali6-s-")
                .endsWith(" src " + allow);
        String selSet = v6.get(2).split(" ")[5];
        // the same endpoint chains in both families (the backends add the same dispatch to each: DispatchChains)
        assertThat(d.filter6().get("cali-tw-caliA")).isEqualTo(d.filter().get("cali-tw-caliA"));
        assertThat(rules(d.filter6(), "cali-wl-to-host"))
                .first()
                .isEqualTo("-p icmpv6 -m icmp6 --icmpv6-type 130 -j ACCEPT");
        // ipsets: the tag only where a rule uses it (v4 rule), the selector only in v6; v6 members from ipv6_nets
        assertThat(d.ipsets())
                .containsKeys("cali4-t-p", selSet, "cali6-all-ipam-pools", "cali4-all-ipam-pools")
                .doesNotContainKeys("cali6-t-p");
        assertThat(d.ipsets().get(selSet).members()).containsExactlyInAnyOrder("fd00:1::1/128", "fd00:1::3/128");
        assertThat(d.ipsets().get(selSet).family()).isEqualTo("inet6");
        assertThat(d.ipsets().get("cali4-t-p").members()).containsExactlyInAnyOrder("10.1.0.1/32", "10.1.0.2/32");
        assertThat(d.ipsets().get("cali6-masq-ipam-pools").members()).containsExactly("fd00:1::/64");
        assertThat(d.ipsets().get("cali4-masq-ipam-pools").members()).isEmpty();
        assertThat(rules(d.nat6(), "cali-nat-outgoing"))
                .singleElement()
                .asString()
                .contains("cali6-masq-ipam-pools");
        assertThat(rules(d.raw(), "cali-PREROUTING")).containsExactly("-i cali+ -m rpfilter --invert -j DROP");
        assertThat(rules(d.raw6(), "cali-PREROUTING")).containsExactly("-i cali+ -m rpfilter --invert -j DROP");
        assertThat(d.chains(6, "raw")).isSameAs(d.raw6());
        assertThat(problems).isEmpty();
    }

    @Test
    void ipv6SupportOffMeansNoIpv6TablesNorRoutes() {
        DesiredDataplane d =
                calc.calculate(state, FelixConfig.of(Map.of("FELIX_IPV6SUPPORT", "false"), Map.of(), Map.of()));
        assertThat(d.filter6()).isEmpty();
        assertThat(d.nat6()).isEmpty();
        assertThat(d.raw6()).isEmpty();
        assertThat(d.ipsets().keySet()).allMatch(n -> n.startsWith("cali4-"));
        assertThat(d.routes())
                .as("no unpoliced IPv6 routes")
                .containsOnlyKeys(Cidr.parse("10.1.0.1/32"), Cidr.parse("10.1.0.2/32"));
        assertThat(FelixConfig.defaults().ipv6Support()).isTrue();
        assertThat(FelixConfig.of(Map.of(), Map.of("Ipv6Support", "False"), Map.of())
                        .ipv6Support())
                .isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> FelixConfig.of(Map.of(), Map.of(), Map.of("Ipv6Support", "maybe")))
                .hasMessage("Ipv6Support: \"maybe\" (expected: true or false)");
    }
}
