package org.calicojava.libnetwork;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The MTU the Docker driver gives a workload's veth at Join ({@code Pools.workloadMtu}): the uplink's, less the
 * largest encapsulation overhead of any pool (IP-in-IP 20, VXLAN over IPv4 50, over IPv6 70), unless {@code VethMTU}
 * is set for the host or globally (the host's wins; a bad value is ignored).
 */
class JoinMtuTest extends PluginFixture {
    static final String EP_REQ = NetworkDriverTest.EP_REQ;

    @BeforeEach
    void endpoint() {
        ok("/NetworkDriver.CreateNetwork", NetworkDriverTest.CREATE_NET);
        ok("/NetworkDriver.CreateEndpoint", NetworkDriverTest.CREATE_EP);
    }

    /** Joins, returns the MTU the veth was created with, leaves (the veth is gone again). */
    int joinMtu() {
        ok("/NetworkDriver.Join", EP_REQ);
        int mtu = dataplane.mtus.get("caliabcdef01234");
        ok("/NetworkDriver.Leave", EP_REQ);
        assertThat(dataplane.veths).isEmpty();
        return mtu;
    }

    void pool(String cidr, String encap) {
        store.put(
                keys.pools(cidr.contains(":") ? 6 : 4) + cidr.replace('/', '-'),
                "{\"cidr\":\"" + cidr + "\"" + encap + "}");
    }

    @Test
    void aPlainPoolGivesTheUplinkMtu() {
        pool("10.20.0.0/16", "");
        assertThat(joinMtu()).isEqualTo(1500);
        dataplane.uplinkMtu = 9000;
        assertThat(joinMtu()).isEqualTo(9000);
    }

    @Test
    void anIpipPoolGivesTheUplinkLess20() {
        pool("10.20.0.0/16", "");
        pool("10.21.0.0/16", ",\"ipip\":true,\"ipip_mode\":\"cross-subnet\"");
        assertThat(joinMtu()).isEqualTo(1480);
    }

    @Test
    void aVxlanPoolGivesTheUplinkLess50AndOverIpv6Less70() {
        pool("10.20.0.0/16", ",\"vxlan_mode\":\"always\"");
        assertThat(joinMtu()).isEqualTo(1450);
        dataplane.uplinkMtu = 9000;
        assertThat(joinMtu()).isEqualTo(8950);
        // the largest overhead of all pools counts, not the workload's own pool (10.20.0.5 is in the IPv4 one)
        pool("10.21.0.0/16", ",\"ipip\":true");
        assertThat(joinMtu()).isEqualTo(8950);
        pool("fd00:20::/64", ",\"vxlan_mode\":\"cross-subnet\"");
        assertThat(joinMtu()).isEqualTo(8930);
    }

    @Test
    void vethMtuOverridesTheAutomaticValueTheHostsFirst() {
        pool("10.20.0.0/16", ",\"vxlan_mode\":\"always\"");
        store.put(keys.felixConfig("VethMTU"), "1300");
        assertThat(joinMtu()).isEqualTo(1300);
        store.put(keys.hostConfig(HOST, "VethMTU"), "\"1400\"");
        assertThat(joinMtu()).isEqualTo(1400);
        store.put(keys.hostConfig(HOST, "VethMTU"), "big"); // logged and ignored: the global one
        assertThat(joinMtu()).isEqualTo(1300);
        store.put(keys.felixConfig("VethMTU"), "67"); // below 68: ignored too, the automatic value
        assertThat(joinMtu()).isEqualTo(1450);
    }
}
