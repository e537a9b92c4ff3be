package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The BFD record at /calico/bgp/v1/global/bfd and /calico/bgp/v1/host/HOST/bfd. */
class BgpBfdTest {
    @Test
    void issueShapeRoundTripsAndDefaultsFillGaps() {
        String json = "{\"enabled\":true,\"min_rx_ms\":100,\"min_tx_ms\":100,\"multiplier\":3}";
        BgpBfd b = Json.read(json, BgpBfd.class);
        assertThat(b).isEqualTo(new BgpBfd(true, 100, 3));
        assertThat(Json.write(b))
                .isEqualTo(
                        "{\"enabled\":true,\"min_rx_ms\":100,\"min_tx_ms\":100,\"multiplier\":3,\"graceful\":false}");
        assertThat(Json.read("{\"enabled\":false}", BgpBfd.class)).isEqualTo(new BgpBfd(false, 100, 3));
        assertThat(Json.read("{\"enabled\":true,\"graceful\":true,\"min_rx_ms\":50}", BgpBfd.class))
                .isEqualTo(new BgpBfd(true, 50, 100, 3, true));
    }

    @Test
    void outOfRangeValuesAreRefusedWithOneLine() {
        assertThatThrownBy(() -> Json.read("{\"enabled\":true,\"min_rx_ms\":0}", BgpBfd.class))
                .hasMessage("bfd min_rx_ms: 0 (expected: 1..60000)");
        assertThatThrownBy(() -> Json.read("{\"enabled\":true,\"min_tx_ms\":60001}", BgpBfd.class))
                .hasMessage("bfd min_tx_ms: 60001 (expected: 1..60000)");
        assertThatThrownBy(() -> Json.read("{\"enabled\":true,\"multiplier\":0}", BgpBfd.class))
                .hasMessage("bfd multiplier: 0 (expected: 1..255)");
        assertThatThrownBy(() -> Json.read("{\"enabled\":true,\"multiplier\":\"lots\"}", BgpBfd.class))
                .hasMessageContaining("BgpBfd");
    }

    @Test
    void keys() {
        Keys k = new Keys("/calico");
        assertThat(k.bgpBfd()).isEqualTo("/calico/bgp/v1/global/bfd");
        assertThat(k.bgpHostBfd("h1")).isEqualTo("/calico/bgp/v1/host/h1/bfd");
    }
}
