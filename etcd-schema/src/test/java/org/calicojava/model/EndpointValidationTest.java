package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The values an attacker with one etcd key would try on a workload endpoint and a rule (issue 14). */
class EndpointValidationTest {
    private static String endpoint(String v4, String v6) {
        return "{\"state\":\"active\",\"name\":\"cali1234\",\"profile_ids\":[\"p\"],\"ipv4_nets\":" + v4
                + ",\"ipv6_nets\":" + v6 + "}";
    }

    @Test
    void hostRoutesAreAccepted() {
        WorkloadEndpoint e =
                Json.read(endpoint("[\"10.65.0.3/32\",\"10.65.0.4\"]", "[\"fd00::3/128\"]"), WorkloadEndpoint.class);
        assertThat(e.ipv4Nets()).extracting(Cidr::toString).containsExactly("10.65.0.3/32", "10.65.0.4/32");
        assertThat(e.ipv6Nets()).extracting(Cidr::toString).containsExactly("fd00::3/128");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiterString = "=>",
            value = {
                "[\"10.65.0.3/32\",\"0.0.0.0/0\",\"172.30.0.0/24\"] => 0.0.0.0/0 (expected: a host route, /32)",
                "[\"10.0.0.0/8\"]                                => 10.0.0.0/8 (expected: a host route, /32)",
                "[\"fd00::1/128\"]                               => is not IPv4",
                "[null]                                         => null entry",
                "\"10.0.0.1/32\"                                 => invalid WorkloadEndpoint JSON",
                "[\"10.0.0.1/32;x\"]                              => CIDR",
            })
    void nonHostNetsAreRefused(String v4, String message) {
        assertThatThrownBy(() -> Json.read(endpoint(v4, "[]"), WorkloadEndpoint.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void v6NetsMustBeHostRoutesToo() {
        assertThatThrownBy(() -> Json.read(endpoint("[]", "[\"::/0\"]"), WorkloadEndpoint.class))
                .hasMessageContaining("::/0 (expected: a host route, /128)");
    }

    @Test
    void tooManyNets() {
        String many = IntStream.range(0, 300)
                .mapToObj(i -> "\"10.0." + i / 250 + "." + i % 250 + "/32\"")
                .collect(Collectors.joining(",", "[", "]"));
        assertThatThrownBy(() -> Json.read(endpoint(many, "[]"), WorkloadEndpoint.class))
                .hasMessageContaining("at most 256");
    }

    @Test
    void portListsAreBounded() {
        String ports = IntStream.range(0, 100_000)
                .mapToObj(i -> Integer.toString(i % 65536))
                .collect(Collectors.joining(",", "[", "]"));
        String rules = "{\"inbound_rules\":[{\"action\":\"allow\",\"protocol\":\"tcp\",\"src_ports\":" + ports
                + ",\"dst_ports\":" + ports + "}]}";
        assertThatThrownBy(() -> Json.read(rules, ProfileRules.class))
                .hasMessageContaining("src_ports: 100000 entries (expected: at most 100");
        String ok = IntStream.range(0, 100).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
        assertThat(Json.read(
                                "{\"inbound_rules\":[{\"protocol\":\"tcp\",\"dst_ports\":" + ok + "}]}",
                                ProfileRules.class)
                        .inboundRules()
                        .get(0)
                        .dstPorts())
                .hasSize(100);
    }

    @ParameterizedTest
    @CsvSource(
            delimiterString = "=>",
            value = {
                "{\"selector\":\"role == \\\"db\"}                      => unterminated string",
                "{\"selector\":\"" + "((((((((((((((((((((((((((((((((((((((((" + "all()\"}  => nested more than 32",
                "{\"selector\":\"all()\",\"order\":\"x\"}                 => invalid Policy JSON",
                "{\"inbound_rules\":[{\"src_selector\":\"a ==\"}]}       => expected a quoted string",
                "{\"inbound_rules\":[null]}                             => null entry",
            })
    void policiesAreCheckedBeforeUse(String json, String message) {
        assertThatThrownBy(() -> Json.read(json, Policy.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void jsonNullIsRefusedNotReturned() {
        assertThatThrownBy(() -> Json.read("null", TierMetadata.class)).hasMessage("invalid TierMetadata JSON: null");
        assertThatThrownBy(() -> Json.read("null", WorkloadEndpoint.class))
                .hasMessage("invalid WorkloadEndpoint JSON: null");
    }
}
