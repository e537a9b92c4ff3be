package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Match;
import org.calicojava.felix.rules.Rule;
import org.calicojava.felix.rules.RuleRenderer;
import org.calicojava.model.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tables: a policy rule's JSON as in etcd, rendered by the rule model ({@link RuleRenderer}) and then to nft
 * (statements joined by " ; "); and the fixed rules of the model's chains, rule by rule.
 */
class NftRuleRendererTest {
    private static final String ALLOW =
            "meta mark set meta mark & 0xfffeffff ^ 0x10000 ; meta mark & 0x10000 == 0x10000 return";

    static String render(int version, String json) {
        return new RuleRenderer(version)
                .render(Json.read(json, org.calicojava.model.Rule.class)).stream()
                        .map(NftRuleRenderer::render)
                        .collect(Collectors.joining(" ; "));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "{}                                          | " + ALLOW,
                "{\"action\":\"deny\"}                       | drop",
                "{\"action\":\"log\"}                        | log prefix \"calico-packet: \" level notice",
                "{\"action\":\"next-tier\"}                  | meta mark set meta mark & 0xfffdffff ^ 0x20000 ; meta mark & 0x20000 == 0x20000 return",
                "{\"action\":\"deny\",\"protocol\":\"tcp\"}  | meta l4proto tcp drop",
                "{\"action\":\"deny\",\"protocol\":\"132\"}  | meta l4proto 132 drop",
                "{\"action\":\"deny\",\"!protocol\":\"udp\"} | meta l4proto != udp drop",
                "{\"action\":\"deny\",\"src_net\":\"10.0.0.0/8\"}   | ip saddr 10.0.0.0/8 drop",
                "{\"action\":\"deny\",\"!src_net\":\"10.0.0.0/8\"}  | ip saddr != 10.0.0.0/8 drop",
                "{\"action\":\"deny\",\"dst_net\":\"10.1.2.3/32\"}  | ip daddr 10.1.2.3/32 drop",
                "{\"action\":\"deny\",\"!dst_net\":\"10.1.0.0/16\"} | ip daddr != 10.1.0.0/16 drop",
                "{\"action\":\"deny\",\"protocol\":\"tcp\",\"dst_ports\":[80,\"8000:8080\"]} | meta l4proto tcp th dport { 80, 8000-8080 } drop",
                "{\"action\":\"deny\",\"protocol\":\"udp\",\"src_ports\":[53]}  | meta l4proto udp th sport { 53 } drop",
                "{\"action\":\"deny\",\"protocol\":\"tcp\",\"!dst_ports\":[22]} | meta l4proto tcp th dport != { 22 } drop",
                "{\"action\":\"deny\",\"protocol\":\"tcp\",\"!src_ports\":[1,\"5:9\"]} | meta l4proto tcp th sport != { 1, 5-9 } drop",
                "{\"action\":\"deny\",\"protocol\":\"icmp\",\"icmp_type\":8}     | meta l4proto icmp icmp type 8 drop",
                "{\"action\":\"deny\",\"protocol\":\"icmp\",\"icmp_type\":3,\"icmp_code\":1} | meta l4proto icmp icmp type 3 icmp code 1 drop",
                "{\"action\":\"deny\",\"protocol\":\"icmp\",\"!icmp_type\":0}    | meta l4proto icmp icmp type != 0 drop",
                "{\"action\":\"deny\",\"protocol\":\"icmp\",\"!icmp_type\":8,\"!icmp_code\":0} | meta l4proto icmp meta l4proto icmp @th,0,16 != 0x0800 drop",
                "{\"action\":\"deny\",\"src_tag\":\"web\"}    | ip saddr @cali4-t-web drop",
                "{\"action\":\"deny\",\"!src_tag\":\"web\"}   | ip saddr != @cali4-t-web drop",
                "{\"action\":\"deny\",\"dst_tag\":\"db\"}     | ip daddr @cali4-t-db drop",
                "{\"action\":\"deny\",\"!dst_tag\":\"db\"}    | ip daddr != @cali4-t-db drop",
                "{\"action\":\"deny\",\"src_selector\":\"role == 'db'\"}  | ip saddr @cali4-s-XEV7lNkbeJSP8ferKdvh drop",
                "{\"action\":\"deny\",\"!src_selector\":\"role == 'db'\"} | ip saddr != @cali4-s-XEV7lNkbeJSP8ferKdvh drop",
                "{\"action\":\"deny\",\"dst_selector\":\"role == 'db'\"}  | ip daddr @cali4-s-XEV7lNkbeJSP8ferKdvh drop",
                "{\"action\":\"deny\",\"!dst_selector\":\"role == 'db'\"} | ip daddr != @cali4-s-XEV7lNkbeJSP8ferKdvh drop",
                "{\"protocol\":\"tcp\",\"src_net\":\"10.0.0.0/8\",\"dst_ports\":[443]} | meta l4proto tcp ip saddr 10.0.0.0/8 th dport { 443 } "
                        + ALLOW,
            })
    void rendersPolicyRule(String json, String expected) {
        assertThat(render(4, json)).isEqualTo(expected.strip());
    }

    @Test
    void ipv6RulesUseIp6AndIcmpv6() {
        assertThat(render(6, "{\"action\":\"deny\",\"protocol\":\"icmpv6\",\"icmp_type\":128}"))
                .isEqualTo("meta l4proto icmpv6 icmpv6 type 128 drop");
        assertThat(render(6, "{\"action\":\"deny\",\"protocol\":\"icmpv6\",\"!icmp_type\":128,\"!icmp_code\":0}"))
                .isEqualTo("meta l4proto icmpv6 meta l4proto ipv6-icmp @th,0,16 != 0x8000 drop");
        assertThat(render(6, "{\"action\":\"deny\",\"!src_net\":\"fd00::/64\",\"dst_tag\":\"t\"}"))
                .isEqualTo("ip6 saddr != fd00::/64 ip6 daddr @cali6-t-t drop");
    }

    @Test
    void rendersModelRule() {
        Match cali = new Match.Iface(true, "cali+", false);
        Match.CtState est = new Match.CtState(List.of(Match.State.RELATED, Match.State.ESTABLISHED));
        Map<Rule, String> cases = new LinkedHashMap<>();
        cases.put(Rule.of(Action.Verdict.ACCEPT, est), "ct state related,established accept");
        cases.put(
                Rule.of(Action.Verdict.DROP, new Match.CtState(List.of(Match.State.INVALID))), "ct state invalid drop");
        cases.put(Rule.of(new Action.SetMark(0, 0x30000)), "meta mark set meta mark & 0xfffcffff");
        cases.put(
                Rule.of(new Action.Jump("cali-pi-t1.p"), new Match.Mark(0, 0x20000, false)),
                "meta mark & 0x20000 == 0x0 jump cali-pi-t1.p");
        cases.put(
                Rule.of(Action.Verdict.DROP, new Match.Mark(0x10000, 0x10000, true)),
                "meta mark & 0x10000 != 0x10000 drop");
        cases.put(Rule.of(new Action.Goto("cali-wl-to-host"), cali), "iifname \"cali*\" goto cali-wl-to-host");
        cases.put(Rule.of(Action.Verdict.ACCEPT, new Match.Iface(false, "cali+", false)), "oifname \"cali*\" accept");
        cases.put(Rule.of(Action.Verdict.DROP, new Match.Iface(false, "eth0", true)), "oifname != \"eth0\" drop");
        cases.put(Rule.of(Action.Verdict.RETURN), "return");
        cases.put(
                Rule.of(
                        new Action.Masquerade(),
                        new Match.InSet("cali4-masq-ipam-pools", Match.Dir.SRC, false),
                        new Match.InSet("cali4-all-ipam-pools", Match.Dir.DST, true)),
                "ip saddr @cali4-masq-ipam-pools ip daddr != @cali4-all-ipam-pools masquerade");
        cases.put(
                Rule.of(
                        Action.Verdict.ACCEPT,
                        new Match.Protocol("icmpv6", false),
                        new Match.Icmp(6, 135, null, false)),
                "meta l4proto icmpv6 icmpv6 type 135 accept");
        cases.put(
                Rule.of(Action.Verdict.DROP, cali, new Match.RpFilter(true)),
                "iifname \"cali*\" fib saddr . iif oif missing counter drop");
        cases.put(
                Rule.of(Action.Verdict.RETURN, new Match.Iface(true, "tap+", false), new Match.RpFilter(false)),
                "iifname \"tap*\" fib saddr . iif oif exists return");
        cases.put(Rule.of(new Action.Log("x: ", -1)), "log prefix \"x: \"");
        cases.forEach((rule, nft) ->
                assertThat(NftRuleRenderer.render(rule)).as(rule.text()).isEqualTo(nft));
    }

    @Test
    void valuesOutsideTheSafeSetAreRefusedWhereTheRuleIsMade() {
        assertThatThrownBy(() -> new Match.InSet("foo", Match.Dir.SRC, false)).hasMessageContaining("ipset name");
        assertThatThrownBy(() -> new Match.Iface(true, "a\"b", false)).hasMessageContaining("interface");
        assertThatThrownBy(() -> new Match.Protocol("tcp; drop", false)).hasMessageContaining("protocol");
        assertThatThrownBy(() -> new Action.Jump("INPUT")).hasMessageContaining("chain name");
        assertThatThrownBy(() -> new Action.Log("a\nb", 5)).hasMessageContaining("log prefix");
        assertThatThrownBy(() -> new Match.CtState(List.of())).hasMessageContaining("ctstate");
        assertThatThrownBy(() -> new Match.Mark(0x3, 0x1, false)).hasMessageContaining("outside mask");
    }
}
