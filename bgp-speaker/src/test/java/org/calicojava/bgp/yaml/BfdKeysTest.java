package org.calicojava.bgp.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.calicojava.bgp.bfd.BfdSettings;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.config.ConfigException;
import org.junit.jupiter.api.Test;

/** {@code neighbors[].bfd} in the speaker's YAML. */
class BfdKeysTest {
    static String yaml(String bfd) {
        return "routerId: 10.0.0.1\nasNumber: 65000\nneighbors:\n  - {address: 10.0.0.2, asNumber: 65000, bfd: " + bfd
                + "}\n" + "  - {address: \"fd00::2\", asNumber: 65000}\n";
    }

    @Test
    void forms() {
        assertThat(SpeakerYamlLoader.parse(yaml("true")).bfd())
                .isEqualTo(Map.of(Ip.parse("10.0.0.2"), BfdSettings.DEFAULT));
        assertThat(SpeakerYamlLoader.parse(yaml("false")).bfd()).isEmpty();
        assertThat(SpeakerYamlLoader.parse(yaml("{minRx: 50ms, minTx: 1s, multiplier: 5, graceful: true}"))
                        .bfd()
                        .values())
                .containsExactly(new BfdSettings(50_000, 1_000_000, 5, true));
        assertThat(SpeakerYamlLoader.parse(yaml("{minRx: 250}")).bfd().values())
                .containsExactly(new BfdSettings(250_000, 100_000, 3, false));
    }

    @Test
    void errorsNameTheirKey() {
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(yaml("{minRx: fast}")).bfd())
                .isInstanceOf(ConfigException.class)
                .hasMessage("neighbors[0].bfd.minRx: fast (expected: a duration like 100ms or 1s)");
        assertThatThrownBy(
                        () -> SpeakerYamlLoader.parse(yaml("{multiplier: 0}")).bfd())
                .hasMessage("neighbors[0].bfd.multiplier: 0 (expected: 1..255)");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(yaml("{minTx: 0ms}")).bfd())
                .hasMessage("neighbors[0].bfd.minTx: 0ms (expected: 1ms..60s)");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(yaml("{colour: red}")).bfd())
                .hasMessage(
                        "neighbors[0].bfd.colour: unknown key (expected one of: graceful, minRx, minTx, multiplier)");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(yaml("yes please")).bfd())
                .hasMessageStartingWith("neighbors[0].bfd: yes please (expected:");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(yaml("{graceful: 1}")).bfd())
                .hasMessage("neighbors[0].bfd.graceful: 1 (expected: true or false)");
    }
}
