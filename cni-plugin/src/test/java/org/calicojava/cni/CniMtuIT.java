package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.calicojava.model.Cidr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The MTU calico-java-cni ADD gives a container's interface, against a real etcd and kernel: with no {@code mtu} in the
 * configuration, the host's uplink (the default route's interface, 9000 here so it is not the kernel's 1500 default)
 * less the largest encapsulation overhead of the pools (VXLAN over IPv4 50, over IPv6 70), or {@code VethMTU} when set;
 * {@code mtu} in the configuration wins. The host end of the veth gets the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CniMtuIT {
    CniHost host;
    Path ns;

    @BeforeAll
    void setUp() throws Exception {
        host = new CniHost();
        host.inHost(
                "ip", "link", "add", "cntup", "mtu", "9000", "type", "veth", "peer", "name", "cntup2", "mtu", "9000");
        host.inHost("ip", "link", "set", "cntup2", "up");
        host.inHost("ip", "link", "set", "cntup", "up");
        host.inHost("ip", "addr", "add", "192.168.231.1/30", "dev", "cntup");
        host.inHost("ip", "route", "add", "default", "via", "192.168.231.2");
        host.pool("10.88.0.0/16", 0);
        ns = host.container("m");
    }

    @AfterAll
    void tearDown() {
        if (host != null) {
            host.close();
        }
    }

    /** ADD (the conf's IPAM takes from {@code pool}), the MTU of eth0 and of the host end, then DEL. */
    private int[] addMtus(String pool, String extra) {
        String id = "mtu" + host.sfx;
        String conf = host.conf(
                "1.0.0", ",\"ipam\":{\"type\":\"calico-java-ipam\",\"ipv4_pools\":[\"" + pool + "\"]}" + extra);
        CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf);
        assertThat(add.rc()).as(add.toString()).isZero();
        assertThat(add.json().get("ips").get(0).get("address").asText()).startsWith(pool.substring(0, 5));
        String eth0 = CniHost.sh(List.of("ip", "-n", ns.getFileName().toString(), "link", "show", "eth0"));
        String hostIf = CniConformanceIT.hostIf(id, "eth0");
        int[] mtus = {mtu(eth0), host.hostLink(hostIf).orElseThrow().mtu()};
        CniHost.Call del = host.call("calico-java-cni", "DEL", id, ns, "eth0", conf);
        assertThat(del.rc()).as(del.toString()).isZero();
        return mtus;
    }

    private static int mtu(String ipLinkShow) {
        var m = java.util.regex.Pattern.compile(" mtu (\\d+) ").matcher(ipLinkShow);
        assertThat(m.find()).as(ipLinkShow).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void theContainerMtuFollowsTheUplinkAndThePoolsEncapsulation() {
        assertThat(addMtus("10.88.0.0/16", "")).as("plain pool: the uplink's").containsExactly(9000, 9000);

        host.store.put(
                host.keys.pool(Cidr.parse("10.89.0.0/16")), "{\"cidr\":\"10.89.0.0/16\",\"vxlan_mode\":\"always\"}");
        assertThat(addMtus("10.89.0.0/16", "")).as("VXLAN pool: uplink - 50").containsExactly(8950, 8950);
        assertThat(addMtus("10.88.0.0/16", ""))
                .as("a plain pool's container too: traffic to the VXLAN pool leaves the same way")
                .containsExactly(8950, 8950);

        host.store.put(
                host.keys.pool(Cidr.parse("fd00:88::/64")),
                "{\"cidr\":\"fd00:88::/64\",\"vxlan_mode\":\"cross-subnet\"}");
        assertThat(addMtus("10.89.0.0/16", ""))
                .as("and an IPv6 VXLAN pool: uplink - 70")
                .containsExactly(8930, 8930);

        assertThat(addMtus("10.89.0.0/16", ",\"mtu\":1400"))
                .as("the conf's mtu")
                .containsExactly(1400, 1400);

        host.store.put(host.keys.felixConfig("VethMTU"), "1300");
        assertThat(addMtus("10.89.0.0/16", "")).as("VethMTU").containsExactly(1300, 1300);
        host.store.put(host.keys.hostConfig(CniHost.HOST, "VethMTU"), "1350");
        assertThat(addMtus("10.89.0.0/16", "")).as("the host's VethMTU").containsExactly(1350, 1350);
        assertThat(addMtus("10.89.0.0/16", ",\"mtu\":1400"))
                .as("the conf's mtu over VethMTU")
                .containsExactly(1400, 1400);
    }
}
