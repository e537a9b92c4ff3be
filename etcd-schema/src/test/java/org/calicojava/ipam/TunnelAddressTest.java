package org.calicojava.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tunnel allocations' names are Calico's (what its felix and calicoctl read): pinned here, written in one place. */
class TunnelAddressTest {
    @Test
    void calicosNames() {
        assertThat(TunnelAddress.IPIP.type()).isEqualTo("ipipTunnelAddress");
        assertThat(TunnelAddress.IPIP.configKey()).isEqualTo("IpInIpTunnelAddr");
        assertThat(TunnelAddress.IPIP.handle("h1")).isEqualTo("ipip-tunnel-addr-h1");
        assertThat(TunnelAddress.VXLAN_V4.type()).isEqualTo("vxlanTunnelAddress");
        assertThat(TunnelAddress.VXLAN_V4.configKey()).isEqualTo("IPv4VXLANTunnelAddr");
        assertThat(TunnelAddress.VXLAN_V4.handle("h1")).isEqualTo("vxlan-tunnel-addr-h1");
        assertThat(TunnelAddress.VXLAN_V6.type()).isEqualTo("vxlanV6TunnelAddress");
        assertThat(TunnelAddress.VXLAN_V6.configKey()).isEqualTo("IPv6VXLANTunnelAddr");
        assertThat(TunnelAddress.VXLAN_V6.handle("h1")).isEqualTo("vxlan-v6-tunnel-addr-h1");
        assertThat(TunnelAddress.VXLAN_MAC_V4).isEqualTo("VXLANTunnelMACAddr");
        assertThat(TunnelAddress.VXLAN_MAC_V6).isEqualTo("VXLANTunnelMACAddrV6");
        assertThat(TunnelAddress.vxlan(6)).isEqualTo(TunnelAddress.VXLAN_V6);
        assertThat(TunnelAddress.IPIP.attributes("h1")).isEqualTo(Map.of("type", "ipipTunnelAddress", "node", "h1"));
    }

    @Test
    void lookups() {
        for (TunnelAddress t : TunnelAddress.values()) {
            assertThat(TunnelAddress.ofType(t.type())).contains(t);
            assertThat(TunnelAddress.ofConfigKey(t.configKey())).contains(t);
        }
        assertThat(TunnelAddress.ofType("IpInIpTunnelAddr")).isEmpty();
        assertThat(TunnelAddress.ofConfigKey(TunnelAddress.VXLAN_MAC_V4)).isEmpty();
    }
}
