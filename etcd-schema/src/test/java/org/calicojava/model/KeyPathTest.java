package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyPathTest {
    private final Keys keys = new Keys();

    @Test
    void parsesEveryKeyReadersUse() {
        assertThat(KeyPath.parse(keys, "/calico/v1/host/h1/workload/docker/w1/endpoint/e1"))
                .isEqualTo(new KeyPath.Endpoint("h1", "docker", "w1", "e1"));
        assertThat(KeyPath.parse(keys, "/calico/v1/host/h1/config/LogSeverityScreen"))
                .isEqualTo(new KeyPath.HostConfig("h1", "LogSeverityScreen"));
        assertThat(KeyPath.parse(keys, "/calico/v1/config/DataplaneBackend"))
                .isEqualTo(new KeyPath.GlobalConfig("DataplaneBackend"));
        assertThat(KeyPath.parse(keys, "/calico/v1/policy/profile/web/rules"))
                .isEqualTo(new KeyPath.ProfileRulesKey("web"));
        assertThat(KeyPath.parse(keys, "/calico/v1/policy/profile/web/tags")).isEqualTo(new KeyPath.ProfileTags("web"));
        assertThat(KeyPath.parse(keys, "/calico/v1/policy/profile/web/labels"))
                .isEqualTo(new KeyPath.ProfileLabels("web"));
        assertThat(KeyPath.parse(keys, "/calico/v1/policy/tier/t1/metadata")).isEqualTo(new KeyPath.Tier("t1"));
        assertThat(KeyPath.parse(keys, "/calico/v1/policy/tier/t1/policy/p.1"))
                .isEqualTo(new KeyPath.TierPolicy("t1", "p.1"));
        assertThat(KeyPath.parse(keys, "/calico/v1/ipam/v4/pool/10.1.0.0-16"))
                .isEqualTo(new KeyPath.Pool(Cidr.parse("10.1.0.0/16")));
        assertThat(KeyPath.parse(keys, "/calico/v1/ipam/v6/pool/fd00::-64"))
                .isEqualTo(new KeyPath.Pool(Cidr.parse("fd00::/64")));
    }

    @Test
    void keysOutsideTheLayoutAreIgnored() {
        assertThat(KeyPath.parse(keys, "/calico/v1/host/h1/initialized")).isNull();
        assertThat(KeyPath.parse(keys, "/calico/v1/host/h1/workload/docker/w1/other/e1"))
                .isNull();
        assertThat(KeyPath.parse(keys, "/calico/v1/policy/profile/web/extra")).isNull();
        assertThat(KeyPath.parse(keys, "/calico/bgp/v1/global/as_num")).isNull();
        assertThat(KeyPath.parse(keys, "/other/v1/host/h1/workload/docker/w1/endpoint/e1"))
                .isNull();
        assertThat(KeyPath.parse(keys, null)).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/calico/v1/host/h\n1/workload/docker/w1/endpoint/e1",
                "/calico/v1/host/h1/workload/dock er/w1/endpoint/e1",
                "/calico/v1/host/h1/workload/docker/w1/endpoint/",
                "/calico/v1/host/../workload/docker/w1/endpoint/e1",
                "/calico/v1/policy/tier/x\tCOMMIT/metadata",
                "/calico/v1/policy/tier/t1/policy/TAB-NL-F\tC\nCOMMIT\n#",
                "/calico/v1/policy/profile/a;b/rules",
                "/calico/v1/host/h1/config/Log-Severity",
                "/calico/v1/config/",
                "/calico/v1/ipam/v4/pool/10.1.0.1-16",
                "/calico/v1/ipam/v4/pool/fd00::-64",
                "/calico/v1/ipam/v4/pool/nonsense",
            })
    void badSegmentsAreRefusedWithOneLine(String key) {
        assertThatThrownBy(() -> KeyPath.parse(keys, key))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\t", "\r"));
    }

    @Test
    void tierNamesAreDnsLabels() {
        assertThat(KeyPath.parse(keys, "/calico/v1/policy/tier/" + "t".repeat(63) + "/metadata"))
                .isNotNull();
        assertThatThrownBy(() -> KeyPath.parse(keys, "/calico/v1/policy/tier/" + "t".repeat(64) + "/metadata"))
                .hasMessageContaining("tier name");
        assertThatThrownBy(() -> KeyPath.parse(keys, "/calico/v1/policy/tier/t/policy/" + "p".repeat(254)))
                .hasMessageContaining("policy name");
    }

    @Test
    void decodesValidatedValues() {
        assertThat(new KeyPath.ProfileTags("web").decode("[\"a\",\"b\"]")).isEqualTo(List.of("a", "b"));
        assertThat(new KeyPath.ProfileLabels("web").decode("{\"role\":\"db\",\"k8s.io/app\":\"\"}"))
                .isEqualTo(Map.of("role", "db", "k8s.io/app", ""));
        assertThat(new KeyPath.GlobalConfig("X").decode(" iptables \n")).isEqualTo("iptables");
        assertThat(new KeyPath.Tier("t").decode("{\"order\":10}")).isEqualTo(new TierMetadata(10.0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "", "{", "[\"a b\"]", "[null]", "\"a\"", "{\"a\":1}", "[1,[2]]"})
    void badTagsAreRefused(String value) {
        assertThatThrownBy(() -> new KeyPath.ProfileTags("p").decode(value))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "null",
                "[]",
                "{\"a b\":\"x\"}",
                "{\"a\":\"x\\ny\"}",
                "{\"a\":null}",
                "{\"a\":{\"b\":1}}",
                "{\"-a\":\"x\"}",
                "{\"a\":\"" + "v123456789012345678901234567890123456789012345678901234567890123" + "\"}"
            })
    void badLabelsAreRefused(String value) {
        assertThatThrownBy(() -> new KeyPath.ProfileLabels("p").decode(value))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "{\"order\":\"x\"}", "{\"order\":1e999}", "[", "\u0000\u00ff"})
    void badTierMetadataIsRefused(String value) {
        assertThatThrownBy(() -> new KeyPath.Tier("t").decode(value)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configValuesAreOneLine() {
        assertThatThrownBy(() -> new KeyPath.GlobalConfig("X").decode("a\nb")).hasMessageContaining("one line");
        assertThatThrownBy(() -> new KeyPath.GlobalConfig("X").decode("x".repeat(1025)))
                .hasMessageContaining("1024");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "v4/pool/10.1.0.0-016          | 10.1.0.0-16",
                "v4/pool/010.1.0.0-16          | 10.1.0.0-16",
                "v4/pool/10.1.0.0-+16          | 10.1.0.0-16",
                "v4/pool/ 10.1.0.0-16          | 10.1.0.0-16",
                "v6/pool/FD00::-64             | fd00::-64",
                "v6/pool/fd00:0:0:0:0:0:0:0-64 | fd00::-64",
                "v6/pool/fd00:0000::-64        | fd00::-64",
            })
    void aPoolHasOneKey(String rest, String canonical) {
        // a second spelling of a pool's key would be a second copy of the pool for every reader
        assertThatThrownBy(() -> KeyPath.parse(keys, "/calico/v1/ipam/" + rest))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(expected: " + canonical + ",");
        String v = rest.substring(0, 2);
        assertThat(KeyPath.parse(keys, "/calico/v1/ipam/" + v + "/pool/" + canonical))
                .isEqualTo(new KeyPath.Pool(Cidr.parse(canonical.replace('-', '/'))));
    }

    @Test
    void poolKeyAndValueAgree() {
        assertThatThrownBy(() -> new KeyPath.Pool(Cidr.parse("10.1.0.0/16")).decode("{\"cidr\":\"10.2.0.0/16\"}"))
                .hasMessageContaining("stored under the key of 10.1.0.0/16");
    }
}
