package org.calicojava.felix.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicojava.felix.rules.RuleRendererTest.render;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Table for IPv6 (ip6tables): a rule's JSON as in etcd, what it renders to in ip6tables and in iptables (joined by
 * " ; ", empty when the rule is limited to the other family).
 */
class RuleRendererV6Test {
    private static final String ALLOW =
            "-j MARK --set-xmark 0x10000/0x10000 ; -m mark --mark 0x10000/0x10000 -j RETURN";
    private final RuleRenderer v4 = new RuleRenderer(4);
    private final RuleRenderer v6 = new RuleRenderer(6);

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                // no family-specific field: rendered into both
                "{}                                          | " + ALLOW + " | " + ALLOW,
                "{\"action\":\"deny\",\"protocol\":\"tcp\",\"dst_ports\":[80]} | -p tcp -m multiport --dports 80 -j DROP | -p tcp -m multiport --dports 80 -j DROP",
                "{\"action\":\"deny\",\"protocol\":\"udp\"}  | -p udp -j DROP | -p udp -j DROP",
                "{\"action\":\"deny\",\"!protocol\":\"tcp\"} | ! -p tcp -j DROP | ! -p tcp -j DROP",
                // IPv6 nets: only ip6tables
                "{\"action\":\"deny\",\"src_net\":\"fd00:10::/64\"}      | -s fd00:10::/64 -j DROP | ``",
                "{\"action\":\"deny\",\"!src_net\":\"fd00:10::5/128\"}   | ! -s fd00:10::5/128 -j DROP | ``",
                "{\"action\":\"deny\",\"dst_net\":\"fd00:10::/64\",\"protocol\":\"tcp\"} | -p tcp -d fd00:10::/64 -j DROP | ``",
                "{\"action\":\"deny\",\"!dst_net\":\"fd00::/8\"}         | ! -d fd00::/8 -j DROP | ``",
                // IPv4 nets: only iptables
                "{\"action\":\"deny\",\"src_net\":\"10.0.0.0/8\"}        | `` | -s 10.0.0.0/8 -j DROP",
                "{\"action\":\"deny\",\"!dst_net\":\"10.1.0.0/16\"}      | `` | ! -d 10.1.0.0/16 -j DROP",
                // ICMP per family: icmpv6 (name or 58) only in ip6tables, icmp (name or 1) only in iptables
                "{\"action\":\"deny\",\"protocol\":\"icmpv6\"}          | -p icmpv6 -j DROP | ``",
                "{\"action\":\"deny\",\"protocol\":\"58\"}              | -p 58 -j DROP | ``",
                "{\"action\":\"deny\",\"protocol\":\"icmpv6\",\"icmp_type\":128} | -p icmpv6 -m icmp6 --icmpv6-type 128 -j DROP | ``",
                "{\"action\":\"deny\",\"protocol\":\"icmpv6\",\"icmp_type\":1,\"icmp_code\":4} | -p icmpv6 -m icmp6 --icmpv6-type 1/4 -j DROP | ``",
                "{\"action\":\"deny\",\"protocol\":\"icmpv6\",\"!icmp_type\":128} | -p icmpv6 -m icmp6 ! --icmpv6-type 128 -j DROP | ``",
                "{\"action\":\"deny\",\"protocol\":\"icmp\",\"icmp_type\":8}     | `` | -p icmp -m icmp --icmp-type 8 -j DROP",
                "{\"action\":\"deny\",\"protocol\":\"1\"}               | `` | -p 1 -j DROP",
                // tags and selectors: the family's own ipset
                "{\"action\":\"deny\",\"src_tag\":\"web\"}    | -m set --match-set cali6-t-web src -j DROP | -m set --match-set cali4-t-web src -j DROP",
                "{\"action\":\"deny\",\"!dst_tag\":\"db\"}    | -m set ! --match-set cali6-t-db dst -j DROP | -m set ! --match-set cali4-t-db dst -j DROP",
                "{\"action\":\"deny\",\"src_selector\":\"role == 'db'\"} | -m set --match-set cali6-s-XEV7lNkbeJSP8ferKdvh src -j DROP | -m set --match-set cali4-s-XEV7lNkbeJSP8ferKdvh src -j DROP",
                // a v6 net and a tag: the v6 set only
                "{\"action\":\"deny\",\"src_net\":\"fd00::/8\",\"dst_tag\":\"db\"} | -s fd00::/8 -m set --match-set cali6-t-db dst -j DROP | ``",
                "{\"protocol\":\"icmpv6\",\"icmp_type\":128,\"src_selector\":\"has(x)\"} | -p icmpv6 -m set --match-set cali6-s-Bg5Hm-jIedAsXF-5fQke src -m icmp6 --icmpv6-type 128 "
                        + ALLOW + " | ``",
            })
    void rendersPerFamily(String json, String expected6, String expected4) {
        assertThat(render(v6, json)).as("ip6tables").isEqualTo(expected6 == null ? "" : expected6.strip());
        assertThat(render(v4, json)).as("iptables").isEqualTo(expected4 == null ? "" : expected4.strip());
    }
}
