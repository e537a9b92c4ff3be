package org.calicojava.bgp.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.calicojava.bgp.config.ConfigException;
import org.calicojava.bgp.kernel.IpipRoutes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code kernel.ipip}: IP-in-IP pools and this host's address, refused when anything is off. */
class IpipKeysTest {
    static String yaml(String ipip) {
        return """
                routerId: 192.0.2.11
                asNumber: 64512
                listen: {address: "192.0.2.11", port: 179}
                kernel:
                  enabled: true
                  ipip: %s
                neighbors: []
                """.formatted(ipip);
    }

    @Test
    void poolsAndHostAddress() {
        IpipRoutes r = SpeakerYamlLoader.parse(yaml("{hostAddress: \"192.0.2.11\", pools: [{cidr: \"10.65.0.0/16\", "
                        + "mode: always}, {cidr: 10.66.0.0/16, mode: cross-subnet}]}"))
                .routing()
                .kernel()
                .ipip();
        assertThat(r.hostAddress().getHostAddress()).isEqualTo("192.0.2.11");
        assertThat(r.pools())
                .extracting(p -> p.cidr() + "/" + p.crossSubnet())
                .containsExactly("10.65.0.0/16/false", "10.66.0.0/16/true");
        assertThat(SpeakerYamlLoader.parse(yaml("{pools: []}"))
                        .routing()
                        .kernel()
                        .ipip()
                        .any())
                .isFalse();
        assertThat(SpeakerYamlLoader.parse(yaml("{}")).routing().kernel().ipip())
                .isEqualTo(IpipRoutes.NONE);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{pools: [{cidr: 10.65.0.0/16, mode: sometimes}]}|expected: always or cross-subnet",
                "{pools: [{cidr: 'fd00::/48', mode: always}]}|expected: an IPv4 CIDR",
                "{pools: [{cidr: 10.65.0.0/33, mode: always}]}|cidr",
                "{pools: [{mode: always}]}|cidr",
                "{pools: [{cidr: 10.65.0.0/16}]}|mode",
                "{hostAddress: 'fd00::1', pools: []}|expected: an IPv4 address",
                "{hostAddress: nonsense, pools: []}|hostAddress",
                "{pools: [{cidr: 10.65.0.0/16, mode: always, device: eth0}]}|device",
                "{tunnel: tunl0}|tunnel",
                "{pools: [~]}|pools",
            })
    void badValuesAreRefused(String ipip, String message) {
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(yaml(ipip)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }
}
