package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Collectors;
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

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "-m conntrack --ctstate RELATED,ESTABLISHED | -j ACCEPT          | ct state related,established accept",
                "-m conntrack --ctstate INVALID             | -j DROP            | ct state invalid drop",
                "``                                         | -j MARK --set-xmark 0x0/0x30000 | meta mark set meta mark & 0xfffcffff",
                "-m mark --mark 0x0/0x20000                 | -j cali-pi-t1.p    | meta mark & 0x20000 == 0x0 jump cali-pi-t1.p",
                "-i cali+                                   | -g cali-wl-to-host | iifname \"cali*\" goto cali-wl-to-host",
                "-o cali+                                   | -j ACCEPT          | oifname \"cali*\" accept",
                "-i cali12345678901                         | -g cali-fw-cali12345678901 | iifname \"cali12345678901\" goto cali-fw-cali12345678901",
                "``                                         | -j RETURN          | return",
                "-m set --match-set cali4-masq-ipam-pools src -m set ! --match-set cali4-all-ipam-pools dst | -j MASQUERADE"
                        + " | ip saddr @cali4-masq-ipam-pools ip daddr != @cali4-all-ipam-pools masquerade",
                "-m set --match-set cali6-masq-ipam-pools src -m set ! --match-set cali6-all-ipam-pools dst | -j MASQUERADE"
                        + " | ip6 saddr @cali6-masq-ipam-pools ip6 daddr != @cali6-all-ipam-pools masquerade",
                "-p icmpv6 -m icmp6 --icmpv6-type 135       | -j ACCEPT          | meta l4proto icmpv6 icmpv6 type 135 accept",
                "-i cali+ -m rpfilter --invert              | -j DROP            | iifname \"cali*\" fib saddr . iif oif missing counter drop",
                "-i tap+ -m rpfilter                        | -j RETURN          | iifname \"tap*\" fib saddr . iif oif exists return",
            })
    void rendersModelRule(String match, String action, String expected) {
        assertThat(NftRuleRenderer.render(new Rule(match, action, null))).isEqualTo(expected);
    }

    @Test
    void anythingOutsideTheModelsVocabularyIsRefusedByName() {
        assertThatThrownBy(() -> NftRuleRenderer.render(Rule.of("-m mac --mac-source aa:bb:cc:dd:ee:ff", "-j DROP")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "nft rendering of '-m mac --mac-source aa:bb:cc:dd:ee:ff -j DROP': unsupported match option "
                                + "'--mac-source'");
        assertThatThrownBy(() -> NftRuleRenderer.render(Rule.of("", "-j REJECT --reject-with tcp-reset")))
                .hasMessageContaining("iptables rule target"); // refused where the rule is made
        assertThatThrownBy(() -> NftRuleRenderer.render(Rule.of("-p tcp !", "-j DROP")))
                .hasMessageContaining("'!' without an option after it");
        assertThatThrownBy(() -> NftRuleRenderer.render(Rule.of("-m set --match-set foo src", "-j DROP")))
                .hasMessageContaining("set 'foo'");
        assertThatThrownBy(() -> NftRuleRenderer.render(Rule.of("! -m rpfilter", "-j DROP")))
                .hasMessageContaining("unsupported negated -m rpfilter");
    }

    @Test
    void tokensKeepQuotedParts() {
        assertThat(NftRuleRenderer.tokens("-j LOG --log-prefix \"a b: \"  --log-level 5"))
                .containsExactly("-j", "LOG", "--log-prefix", "a b: ", "--log-level", "5");
    }
}
