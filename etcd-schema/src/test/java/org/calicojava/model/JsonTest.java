package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stored JSON forms are Calico's: field names, negations, port forms. */
class JsonTest {
    @Test
    void ruleJsonIsCalicosForm() {
        String json =
                "{\"action\":\"deny\",\"protocol\":\"tcp\",\"src_net\":\"10.0.0.0/8\",\"!dst_ports\":[22,\"1000:2000\"],"
                        + "\"src_tag\":\"web\"}";
        Rule r = Json.read(json, Rule.class);
        assertThat(r.action()).isEqualTo("deny");
        assertThat(r.notDstPorts()).containsExactly(new PortRange(22, 22), new PortRange(1000, 2000));
        assertThat(r.srcNet()).isEqualTo(Cidr.parse("10.0.0.0/8"));
        assertThat(Json.write(r))
                .isEqualTo(
                        "{\"action\":\"deny\",\"protocol\":\"tcp\",\"src_tag\":\"web\",\"src_net\":\"10.0.0.0/8\",\"!dst_ports\":[22,\"1000:2000\"]}");
        assertThat(Json.read(Json.write(r), Rule.class)).isEqualTo(r);
    }

    @Test
    void poolAndEndpointRoundTrip() {
        IpPool p = new IpPool(Cidr.parse("10.1.0.0/16"), true, true, false, 26);
        assertThat(Json.write(p))
                .isEqualTo("{\"cidr\":\"10.1.0.0/16\",\"ipip\":true,\"ipip_mode\":\"always\",\"vxlan_mode\":\"never\","
                        + "\"masquerade\":true,\"disabled\":false,\"block_size\":26}");
        assertThat(Json.read(Json.write(p), IpPool.class)).isEqualTo(p);
        String ep =
                "{\"state\":\"active\",\"name\":\"cali1234abcd\",\"mac\":\"ee:ee:ee:ee:ee:ee\",\"profile_ids\":[\"p1\"],"
                        + "\"ipv4_nets\":[\"10.1.0.5/32\"],\"ipv6_nets\":[],\"labels\":{\"app\":\"web\"},\"unknown_future\":1}";
        WorkloadEndpoint w = Json.read(ep, WorkloadEndpoint.class);
        assertThat(w.ipv4Nets()).containsExactly(Cidr.parse("10.1.0.5/32"));
        assertThat(w.labels()).isEqualTo(Map.of("app", "web"));
        assertThat(Json.read(Json.write(w), WorkloadEndpoint.class)).isEqualTo(w);
    }

    @Test
    void poolEncapsulationModes() {
        IpPool old = Json.read("{\"cidr\":\"10.1.0.0/16\",\"ipip\":true}", IpPool.class);
        assertThat(old.ipipMode()).isEqualTo(EncapMode.ALWAYS);
        assertThat(old.vxlanMode()).isEqualTo(EncapMode.NEVER);
        IpPool cross =
                Json.read("{\"cidr\":\"10.1.0.0/16\",\"ipip\":true,\"ipip_mode\":\"cross-subnet\"}", IpPool.class);
        assertThat(cross.ipipMode()).isEqualTo(EncapMode.CROSS_SUBNET);
        IpPool off = Json.read("{\"cidr\":\"10.1.0.0/16\",\"ipip\":false,\"ipip_mode\":\"always\"}", IpPool.class);
        assertThat(off.ipipMode()).isEqualTo(EncapMode.NEVER);
        IpPool v6 = Json.read("{\"cidr\":\"fd00:1::/64\",\"vxlan_mode\":\"CrossSubnet\"}", IpPool.class);
        assertThat(v6.vxlanMode()).isEqualTo(EncapMode.CROSS_SUBNET);
        assertThat(Json.read(Json.write(v6), IpPool.class)).isEqualTo(v6);
        assertThatThrownBy(() ->
                        Json.read("{\"cidr\":\"10.1.0.0/16\",\"ipip\":true,\"vxlan_mode\":\"always\"}", IpPool.class))
                .hasMessageContaining("IPIP and VXLAN together");
        assertThatThrownBy(() -> Json.read("{\"cidr\":\"fd00:1::/64\",\"ipip\":true}", IpPool.class))
                .hasMessageContaining("IPIP is only for IPv4 pools");
        assertThatThrownBy(() -> Json.read("{\"cidr\":\"10.1.0.0/16\",\"vxlan_mode\":\"sometimes\"}", IpPool.class))
                .hasMessageContaining("encapsulation mode: \"sometimes\"");
    }

    @Test
    void badValuesGiveOneLineMessages() {
        assertThatThrownBy(() -> Json.read("{\"cidr\":\"10.1.0.0/40\"}", IpPool.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prefix length expected: 0..32");
        assertThatThrownBy(() -> Json.read("{not json", IpPool.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid IpPool JSON");
        assertThatThrownBy(() -> Json.read("{\"action\":\"allow\",\"dst_ports\":[80]}", Rule.class))
                .hasMessageContaining("rule ports: need protocol");
    }

    @Test
    void profileDefaultsAndBgpPeer() {
        ProfileRules d = ProfileRules.defaultFor("web");
        assertThat(Json.write(d))
                .isEqualTo(
                        "{\"inbound_rules\":[{\"action\":\"allow\",\"src_tag\":\"web\"}],\"outbound_rules\":[{\"action\":\"allow\"}]}");
        BgpPeer peer = Json.read("{\"ip\":\"2001:DB8::1\",\"as_num\":\"1.10\"}", BgpPeer.class);
        assertThat(peer).isEqualTo(new BgpPeer("2001:db8::1", "65546"));
        assertThat(List.of(peer.version())).containsExactly(6);
    }
}
