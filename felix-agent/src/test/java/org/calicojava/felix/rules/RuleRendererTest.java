package org.calicojava.felix.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Collectors;
import org.calicojava.model.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Table: a rule's JSON as in etcd, and the iptables rules it renders to (joined by " ; "). */
class RuleRendererTest {
    private static final String ALLOW =
            "-j MARK --set-xmark 0x10000/0x10000 ; -m mark --mark 0x10000/0x10000 -j RETURN";
    private final RuleRenderer v4 = new RuleRenderer(4);

    static String render(RuleRenderer r, String json) {
        return r.render(Json.read(json, org.calicojava.model.Rule.class)).stream()
                .map(Rule::text)
                .collect(Collectors.joining(" ; "));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "{}                                          | " + ALLOW,
                "{\"action\":\"deny\"}                       | -j DROP",
                "{\"action\":\"log\"}                        | -j LOG --log-prefix \"calico-packet: \" --log-level 5",
                "{\"action\":\"next-tier\"}                  | -j MARK --set-xmark 0x20000/0x20000 ; -m mark --mark 0x20000/0x20000 -j RETURN",
                "{\"action\":\"deny\",\"protocol\":\"tcp\"}  | -p tcp -j DROP",
                "{\"action\":\"deny\",\"protocol\":\"132\"}  | -p 132 -j DROP",
                "{\"action\":\"deny\",\"!protocol\":\"udp\"} | ! -p udp -j DROP",
                "{\"action\":\"deny\",\"src_net\":\"10.0.0.0/8\"}   | -s 10.0.0.0/8 -j DROP",
                "{\"action\":\"deny\",\"!src_net\":\"10.0.0.0/8\"}  | ! -s 10.0.0.0/8 -j DROP",
                "{\"action\":\"deny\",\"dst_net\":\"10.1.2.3/32\"}  | -d 10.1.2.3/32 -j DROP",
                "{\"action\":\"deny\",\"!dst_net\":\"10.1.0.0/16\"} | ! -d 10.1.0.0/16 -j DROP",
                "{\"action\":\"deny\",\"protocol\":\"tcp\",\"dst_ports\":[80,\"8000:8080\"]} | -p tcp -m multiport --dports 80,8000:8080 -j DROP",
                "{\"action\":\"deny\",\"protocol\":\"udp\",\"src_ports\":[53]}  | -p udp -m multiport --sports 53 -j DROP",
                "{\"action\":\"deny\",\"protocol\":\"tcp\",\"!dst_ports\":[22]} | -p tcp -m multiport ! --dports 22 -j DROP",
                "{\"action\":\"deny\",\"protocol\":\"tcp\",\"!src_ports\":[1,2]} | -p tcp -m multiport ! --sports 1,2 -j DROP",
                "{\"action\":\"deny\",\"protocol\":\"icmp\",\"icmp_type\":8}     | -p icmp -m icmp --icmp-type 8 -j DROP",
                "{\"action\":\"deny\",\"protocol\":\"icmp\",\"icmp_type\":3,\"icmp_code\":1} | -p icmp -m icmp --icmp-type 3/1 -j DROP",
                "{\"action\":\"deny\",\"protocol\":\"icmp\",\"!icmp_type\":0}    | -p icmp -m icmp ! --icmp-type 0 -j DROP",
                "{\"action\":\"deny\",\"src_tag\":\"web\"}    | -m set --match-set cali4-t-web src -j DROP",
                "{\"action\":\"deny\",\"!src_tag\":\"web\"}   | -m set ! --match-set cali4-t-web src -j DROP",
                "{\"action\":\"deny\",\"dst_tag\":\"db\"}     | -m set --match-set cali4-t-db dst -j DROP",
                "{\"action\":\"deny\",\"!dst_tag\":\"db\"}    | -m set ! --match-set cali4-t-db dst -j DROP",
                "{\"action\":\"deny\",\"src_selector\":\"role == 'db'\"}  | -m set --match-set cali4-s-XEV7lNkbeJSP8ferKdvh src -j DROP",
                "{\"action\":\"deny\",\"!dst_selector\":\"role == 'db'\"} | -m set ! --match-set cali4-s-XEV7lNkbeJSP8ferKdvh dst -j DROP",
                "{\"action\":\"deny\",\"protocol\":\"icmpv6\"} | ``",
                "{\"protocol\":\"tcp\",\"src_net\":\"10.0.0.0/8\",\"dst_ports\":[443]} | -p tcp -s 10.0.0.0/8 -m multiport --dports 443 -j MARK --set-xmark 0x10000/0x10000 ; -m mark --mark 0x10000/0x10000 -j RETURN",
            })
    void rendersRule(String json, String expected) {
        assertThat(render(v4, json)).isEqualTo(expected == null ? "" : expected.strip());
    }

    @Test
    void ipv6RulesUseIcmp6AndSkipV4Nets() {
        RuleRenderer v6 = new RuleRenderer(6);
        assertThat(render(v6, "{\"action\":\"deny\",\"protocol\":\"icmpv6\",\"icmp_type\":128}"))
                .isEqualTo("-p icmpv6 -m icmp6 --icmpv6-type 128 -j DROP");
        assertThat(render(v6, "{\"action\":\"deny\",\"src_net\":\"10.0.0.0/8\"}"))
                .isEmpty();
    }

    @Test
    void moreThanFifteenPortsSplitIntoSeveralRules() {
        String ports = java.util.stream.IntStream.rangeClosed(1, 20)
                .mapToObj(Integer::toString)
                .collect(Collectors.joining(","));
        String out = render(v4, "{\"action\":\"deny\",\"protocol\":\"tcp\",\"dst_ports\":[" + ports + "]}");
        assertThat(out)
                .isEqualTo("-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 -j DROP ; "
                        + "-p tcp -m multiport --dports 16,17,18,19,20 -j DROP");
    }

    @Test
    void badSelectorIsRefusedWithTheRecordAndGoodRulesRender() {
        assertThatThrownBy(() -> Json.read(
                        "{\"action\":\"deny\",\"src_selector\":\"role ==\"}", org.calicojava.model.Rule.class))
                .hasMessageContaining("expected a quoted string");
        List<String> problems = new java.util.ArrayList<>();
        Chain c = v4.chain(
                "cali-pi-t.p",
                List.of(Json.read("{\"action\":\"deny\"}", org.calicojava.model.Rule.class)),
                problems::add);
        assertThat(c.rules()).extracting(Rule::text).containsExactly("-j DROP");
        assertThat(problems).isEmpty();
        assertThatThrownBy(() -> new RuleRenderer(5)).hasMessage("IP version: 5 (expected: 4 or 6)");
    }
}
