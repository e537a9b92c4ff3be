package org.calicojava.bgp.bfd;

import org.calicojava.bgp.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code neighbors[].bfd} in the speaker's YAML. */
class BfdConfigLoaderTest {
    static String yaml(String bfd) {
        return "routerId: 10.0.0.1\nasNumber: 65000\nneighbors:\n  - {address: 10.0.0.2, asNumber: 65000, bfd: " + bfd + "}\n"
                + "  - {address: \"fd00::2\", asNumber: 65000}\n";
    }

    @Test void forms() {
        assertThat(BfdConfigLoader.parse(yaml("true"))).isEqualTo(Map.of(BfdSessionTest.addr("10.0.0.2"), BfdSettings.DEFAULT));
        assertThat(BfdConfigLoader.parse(yaml("false"))).isEmpty();
        assertThat(BfdConfigLoader.parse(yaml("{minRx: 50ms, minTx: 1s, multiplier: 5, graceful: true}")).values())
                .containsExactly(new BfdSettings(50_000, 1_000_000, 5, true));
        assertThat(BfdConfigLoader.parse(yaml("{minRx: 250}")).values()).containsExactly(new BfdSettings(250_000, 100_000, 3, false));
    }

    @Test void errorsNameTheirKey() {
        assertThatThrownBy(() -> BfdConfigLoader.parse(yaml("{minRx: fast}"))).isInstanceOf(ConfigException.class)
                .hasMessage("neighbors[0].bfd.minRx: fast (expected: a duration like 100ms or 1s)");
        assertThatThrownBy(() -> BfdConfigLoader.parse(yaml("{multiplier: 0}"))).hasMessage("neighbors[0].bfd.multiplier: 0 (expected: 1..255)");
        assertThatThrownBy(() -> BfdConfigLoader.parse(yaml("{minTx: 0ms}"))).hasMessage("neighbors[0].bfd.minTx: 0ms (expected: 1ms..60s)");
        assertThatThrownBy(() -> BfdConfigLoader.parse(yaml("{colour: red}"))).hasMessage(
                "neighbors[0].bfd.colour: unknown key (expected one of: graceful, minRx, minTx, multiplier)");
        assertThatThrownBy(() -> BfdConfigLoader.parse(yaml("yes please"))).hasMessageStartingWith("neighbors[0].bfd: yes please (expected:");
        assertThatThrownBy(() -> BfdConfigLoader.parse(yaml("{graceful: 1}"))).hasMessage("neighbors[0].bfd.graceful: 1 (expected: true or false)");
    }
}
