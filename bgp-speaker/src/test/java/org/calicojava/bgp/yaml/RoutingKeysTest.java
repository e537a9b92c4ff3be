package org.calicojava.bgp.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.config.ConfigException;
import org.calicojava.bgp.rib.NeighborRouting;
import org.calicojava.bgp.rib.RoutingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoutingKeysTest {
    static final String CALICO = """
            routerId: 192.0.2.11
            asNumber: 64512
            listen: {address: "192.0.2.11", port: 179}
            kernel: {enabled: true, table: 254, protocol: 186, learnProtocols: [80]}
            routeReflector: {clusterId: "1.0.0.1"}
            controlSocket: /run/x.ctl
            metrics: {port: 9186}
            neighbors:
              - address: "192.0.2.12"
                asNumber: 64512
                passive: false
                gracefulRestart: {restartTime: 120}
                rrClient: true
                import: [calico_import]
                export: [calico_export]
            originate:
              - "10.65.0.0/26"
            policies:
              calico_import:
                - action: accept
              calico_export:
                - match: {prefixes: ["10.65.0.0/16 le 32"]}
                  action: accept
                - action: reject
            """;

    @Test
    void theCalicoTemplateShape() {
        RoutingConfig c = SpeakerYamlLoader.parse(CALICO).routing();
        SpeakerYamlLoader.parse(CALICO).speaker(); // the session loader accepts the routing keys too
        assertThat(c.clusterId()).isEqualTo(Ip.v4Int("1.0.0.1"));
        assertThat(c.kernel().enabled()).isTrue();
        assertThat(c.kernel().protocol()).isEqualTo(186);
        assertThat(c.metricsPort()).isEqualTo(9186);
        assertThat(c.metricsHost())
                .as("every address by default, as Calico's PrometheusMetricsHost")
                .isEqualTo("0.0.0.0");
        assertThat(c.controlSocket()).hasToString("/run/x.ctl");
        NeighborRouting n = c.neighbor(Ip.parse("192.0.2.12"));
        assertThat(n.rrClient()).isTrue();
        assertThat(n.importPolicies()).containsExactly("calico_import");
        assertThat(c.policies().get("calico_export").terms()).hasSize(2);
        assertThat(SpeakerYamlLoader.parse("routerId: 1.1.1.1\nasNumber: 1\n")
                        .routing()
                        .kernel()
                        .enabled())
                .isFalse();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "policies: {p: [{action: maybe}]}|policies.p[0].action: maybe (expected: accept or reject)",
                "policies: {p: [{match: {prefixes: [10.0.0.0/8 le 99]}}]}|policies.p[0].match.prefixes: 99 (expected: 8..32)",
                "policies: {p: [{colour: red}]}|policies.p[0].colour: unknown key (expected one of: action, match, set)",
                "policies: {p: [{set: {communities: {add: [70000:1]}}}]}|policies.p[0].set.communities.add: 70000:1 (expected: ASN:VALUE, each 0..65535)",
                "neighbors: [{address: 10.0.0.1, asNumber: 1, import: [nope]}]|neighbors[0].import: nope (expected: a policy defined under policies: [])",
                "routeReflector: {clusterId: 0.0.0.0}|routeReflector.clusterId: 0.0.0.0 (expected: a non-zero IPv4 address)",
                "kernel: {protocol: 80, learnProtocols: [80]}|kernel.learnProtocols: 80 (expected: not our own protocol)",
                "kernel: {protocol: 300}|kernel.protocol: 300 (expected: 1..255)",
                "metrics: {port: http}|metrics.port: http (expected: an integer 0..65535)",
                "metrics: {port: 1, host: example.com}|metrics.host: example.com (expected: an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0)",
                "policies: {p: [{match: {largeCommunities: [1:2]}}]}|policies.p[0].match.largeCommunities: 1:2 (expected: GLOBAL:LOCAL1:LOCAL2, each 0..4294967295)",
                "policies: {p: [{match: {largeCommunities: [4294967296:0:0]}}]}|policies.p[0].match.largeCommunities: 4294967296:0:0 (expected: GLOBAL:LOCAL1:LOCAL2, each 0..4294967295)",
                "policies: {p: [{set: {largeCommunities: {add: [a:b:c]}}}]}|policies.p[0].set.largeCommunities.add: a:b:c (expected: GLOBAL:LOCAL1:LOCAL2, each 0..4294967295)",
                "policies: {p: [{set: {largeCommunities: {replace: []}}}]}|policies.p[0].set.largeCommunities.replace: unknown key (expected one of: add, remove)",
                "controlSocket: {group: calico}|controlSocket.path: missing (expected: a path)",
                "maxStaleRoutesTime: 0|maxStaleRoutesTime: 0 (expected: 1..4095)",
                "maxStaleRoutesTime: 5000|maxStaleRoutesTime: 5000 (expected: 1..4095)",
                "controlSocket: {path: /run/x.ctl, group: 'a b'}|controlSocket.group: a b (expected: a group name or number)",
                "controlSocket: {path: /run/x.ctl, maxClients: 0}|controlSocket.maxClients: 0 (expected: 1..100000)",
                "controlSocket: {path: /run/x.ctl, maxLineLength: 8}|controlSocket.maxLineLength: 8 (expected: 16..1048576)",
                "controlSocket: {path: /run/x.ctl, mode: 666}|controlSocket.mode: unknown key (expected one of: group, maxClients, maxLineLength, path)",
            })
    void errorsNameTheirKey(String yaml, String message) {
        assertThatThrownBy(() -> SpeakerYamlLoader.parse("routerId: 1.1.1.1\nasNumber: 1\n" + yaml)
                        .routing())
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }

    @Test
    void controlSocketMappingAndDefaults() {
        RoutingConfig plain = SpeakerYamlLoader.parse("routerId: 1.1.1.1\nasNumber: 1\ncontrolSocket: /run/a.ctl\n")
                .routing();
        assertThat(plain.control())
                .isEqualTo(new org.calicojava.bgp.control.ControlConfig(
                        java.nio.file.Path.of("/run/a.ctl"), null, 16, 4096));
        RoutingConfig full = SpeakerYamlLoader.parse("routerId: 1.1.1.1\nasNumber: 1\n"
                        + "controlSocket: {path: /run/b.ctl, group: calico, maxClients: 4, maxLineLength: 100}\n")
                .routing();
        assertThat(full.control())
                .isEqualTo(new org.calicojava.bgp.control.ControlConfig(
                        java.nio.file.Path.of("/run/b.ctl"), "calico", 4, 100));
        assertThat(full.controlSocket()).hasToString("/run/b.ctl");
        assertThat(full.withControlSocket(java.nio.file.Path.of("/tmp/c.ctl"))
                        .control()
                        .group())
                .isEqualTo("calico");
        assertThat(SpeakerYamlLoader.parse("routerId: 1.1.1.1\nasNumber: 1\n")
                        .routing()
                        .controlSocket())
                .isNull();
        assertThat(SpeakerYamlLoader.parse("routerId: 1.1.1.1\nasNumber: 1\n")
                        .routing()
                        .maxStaleRoutesTime())
                .isEqualTo(120);
        assertThat(SpeakerYamlLoader.parse("routerId: 1.1.1.1\nasNumber: 1\nmaxStaleRoutesTime: 30\n")
                        .routing()
                        .maxStaleRoutesTime())
                .isEqualTo(30);
    }
}
