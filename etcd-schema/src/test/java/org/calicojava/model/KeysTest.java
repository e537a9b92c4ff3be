package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeysTest {
    private final Keys k = new Keys();

    @Test
    void calicoLayout() {
        assertThat(k.pool(Cidr.parse("10.1.0.0/16"))).isEqualTo("/calico/v1/ipam/v4/pool/10.1.0.0-16");
        assertThat(k.pool(Cidr.parse("fd00::/48"))).isEqualTo("/calico/v1/ipam/v6/pool/fd00::-48");
        assertThat(k.endpoint("h1", "docker", "c1", "e1"))
                .isEqualTo("/calico/v1/host/h1/workload/docker/c1/endpoint/e1");
        assertThat(k.profileRules("p1")).isEqualTo("/calico/v1/policy/profile/p1/rules");
        assertThat(k.profileTags("p1")).isEqualTo("/calico/v1/policy/profile/p1/tags");
        assertThat(k.tierMetadata("t")).isEqualTo("/calico/v1/policy/tier/t/metadata");
        assertThat(k.policy("t", "p")).isEqualTo("/calico/v1/policy/tier/t/policy/p");
        assertThat(k.felixConfig("LogSeverity")).isEqualTo("/calico/v1/config/LogSeverity");
        assertThat(k.hostConfig("h1", "X")).isEqualTo("/calico/v1/host/h1/config/X");
        assertThat(k.bgpGlobalAsNum()).isEqualTo("/calico/bgp/v1/global/as_num");
        assertThat(k.bgpNodeMesh()).isEqualTo("/calico/bgp/v1/global/node_mesh");
        assertThat(k.bgpGlobalPeer("10.0.0.1")).isEqualTo("/calico/bgp/v1/global/peer_v4/10.0.0.1");
        assertThat(k.bgpHostIp("h1", 4)).isEqualTo("/calico/bgp/v1/host/h1/ip_addr_v4");
        assertThat(k.bgpHostPeer("h1", "2001:db8::1")).isEqualTo("/calico/bgp/v1/host/h1/peer_v6/2001:db8::1");
        assertThat(k.bgpHostRrClusterId("h1")).isEqualTo("/calico/bgp/v1/host/h1/rr_cluster_id");
        assertThat(k.ipamBlock(Cidr.parse("10.1.0.64/26")))
                .isEqualTo("/calico/ipam/v2/assignment/ipv4/block/10.1.0.64-26");
        assertThat(k.ipamAffinity("h1", Cidr.parse("10.1.0.64/26")))
                .isEqualTo("/calico/ipam/v2/host/h1/ipv4/block/10.1.0.64-26");
        assertThat(k.ipamHandle("abc")).isEqualTo("/calico/ipam/v2/handle/abc");
        assertThat(k.ipamConfig()).isEqualTo("/calico/ipam/v2/config");
        assertThat(k.felixHostStatus("h1")).isEqualTo("/calico/felix/v1/host/h1/status");
        assertThat(k.felixEndpointStatus("h1", "o", "w", "e"))
                .isEqualTo("/calico/felix/v1/host/h1/workload/o/w/endpoint/e");
        assertThat(k.libnetworkVethTags("h1")).isEqualTo("/calico/libnetwork/v1/host/h1/veth_tags");
    }

    @Test
    void rootIsConfigurable() {
        Keys t = new Keys("/test-1/");
        assertThat(t.pool(Cidr.parse("10.1.0.0/16"))).isEqualTo("/test-1/v1/ipam/v4/pool/10.1.0.0-16");
        assertThatThrownBy(() -> new Keys("calico")).hasMessageContaining("expected: starts with '/'");
        assertThatThrownBy(() -> k.host("a/b")).hasMessageContaining("host name: \"a/b\"");
        assertThat(Keys.segmentAfter("/calico/v1/host/h1/workload/o/w", "/calico/v1/host/", 0))
                .isEqualTo("h1");
    }
}
