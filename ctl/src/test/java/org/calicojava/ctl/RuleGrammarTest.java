package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.calicojava.model.Json;
import org.calicojava.model.Rule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rule words -> stored JSON -> words again. */
class RuleGrammarTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "allow|{\"action\":\"allow\"}|allow",
                "deny tcp|{\"action\":\"deny\",\"protocol\":\"tcp\"}|deny tcp",
                "allow tcp from ports 80,1000:2000|{\"action\":\"allow\",\"protocol\":\"tcp\",\"src_ports\":[80,\"1000:2000\"]}|allow tcp from ports 80,1000:2000",
                "allow udp to ports 53 tag dns cidr 10.0.0.0/8|{\"action\":\"allow\",\"protocol\":\"udp\",\"dst_tag\":\"dns\",\"dst_net\":\"10.0.0.0/8\",\"dst_ports\":[53]}|allow udp to ports 53 tag dns cidr 10.0.0.0/8",
                "allow icmp type 8 code 0|{\"action\":\"allow\",\"protocol\":\"icmp\",\"icmp_type\":8,\"icmp_code\":0}|allow icmp type 8 code 0",
                "deny from ! tag web|{\"action\":\"deny\",\"!src_tag\":\"web\"}|deny from !tag web",
                "deny from not cidr 10.0.0.0/8|{\"action\":\"deny\",\"!src_net\":\"10.0.0.0/8\"}|deny from !cidr 10.0.0.0/8",
                "log tcp to !ports 22|{\"action\":\"log\",\"protocol\":\"tcp\",\"!dst_ports\":[22]}|log tcp to !ports 22",
                "allow !udp|{\"action\":\"allow\",\"!protocol\":\"udp\"}|allow !udp",
                "next-tier 47|{\"action\":\"next-tier\",\"protocol\":\"47\"}|next-tier 47",
                "allow icmpv6 !type 128|{\"action\":\"allow\",\"protocol\":\"icmpv6\",\"!icmp_type\":128}|allow icmpv6 !type 128",
                "allow from selector has(role)|{\"action\":\"allow\",\"src_selector\":\"has(role)\"}|allow from selector \"has(role)\"",
                "ALLOW TCP FROM PORTS 80|{\"action\":\"allow\",\"protocol\":\"tcp\",\"src_ports\":[80]}|allow tcp from ports 80",
            })
    void parsesToCalicoJsonAndFormatsBack(String words, String json, String formatted) {
        Rule r = RuleGrammar.parse(Arrays.asList(words.split(" ")));
        assertThat(Json.write(r)).isEqualTo(json);
        assertThat(RuleGrammar.format(r)).isEqualTo(formatted);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|rule: missing action (expected: allow, deny, log or next-tier)",
                "allow tcp from|rule: \"from\" needs ports, tag, cidr or selector",
                "allow tcp from ports|rule: \"ports\" needs a value",
                "allow tcp from port 80|rule: unexpected \"port\" after \"from\" (expected: ports, tag, cidr or selector)",
                "allow tcp sideways|rule: unexpected \"sideways\" (expected: from or to)",
                "allow icmp type x|rule type: \"x\" is not a number",
                "allow tcp from ports 99999|port: 99999 (expected: 0..65535)",
                "allow udp type 3|rule icmp type/code: need protocol icmp or icmpv6 (protocol is udp)",
                "allow tcp from tag bad/tag|tag name: \"bad/tag\" (expected: 1-253 of letters, digits, '_', '.', '-')",
            })
    void rejects(String words, String message) {
        List<String> w = words.isEmpty() ? List.of() : Arrays.asList(words.split(" "));
        assertThatThrownBy(() -> RuleGrammar.parse(w))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
