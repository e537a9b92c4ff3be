package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.calicojava.bgp.kernel.IpipRoutes;
import org.calicojava.bgp.session.Await;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * IP-in-IP routes from real BGP sessions: node A's kernel sync runs in a namespace (this host: 10.99.0.1/24 on btk0)
 * with a tunl0; B (next hop 10.99.0.2, this host's subnet) and C (next hop 192.0.2.7, another subnet) announce
 * blocks of an always pool (10.50/16), a cross-subnet pool (10.51/16) and a prefix in no pool. Always: via the peer
 * host dev tunl0 onlink; cross-subnet: native for B, tunnelled for C; no pool: native. The pools removed: native
 * again. When this kernel has no IP-in-IP (no tunl0), a veth named tunl0 stands in (the route only needs the device).
 */
class IpipKernelIT {
    static final Duration T = Duration.ofSeconds(40);
    final int port = Ports.free();
    final String net = "127.0.61.";

    String aYaml() {
        return Node.yaml(
                net + 1,
                65000,
                port,
                List.of("{address: " + net + 2 + ", asNumber: 65000}", "{address: " + net + 3 + ", asNumber: 65000}"),
                """
                kernel:
                  enabled: true
                  ipip:
                    hostAddress: 10.99.0.1
                    pools: [{cidr: 10.50.0.0/16, mode: always}, {cidr: 10.51.0.0/16, mode: cross-subnet}]
                """);
    }

    String peerYaml(int i, String nextHop, String originate) {
        return Node.yaml(
                net + i,
                65000,
                port,
                List.of("{address: " + net + 1 + ", asNumber: 65000, passive: true}"),
                "nextHop: {ipv4: " + nextHop + "}\noriginate: " + originate);
    }

    static IpipRoutes pools() throws Exception {
        return new IpipRoutes(
                List.of(
                        new IpipRoutes.Pool(IpPrefix.parse("10.50.0.0/16"), false),
                        new IpipRoutes.Pool(IpPrefix.parse("10.51.0.0/16"), true)),
                InetAddress.getByName("10.99.0.1"));
    }

    @Test
    void learnedRoutesInIpipPoolsGoThroughTunl0() throws Exception {
        Node b = null;
        Node c = null;
        try (NsKernelNode a = new NsKernelNode(aYaml())) {
            if (!a.ip("link").contains(" tunl0")) {
                a.ip("link", "add", "tunl0", "type", "veth", "peer", "name", "tunl0-sb");
                a.ip("link", "set", "tunl0-sb", "up");
            }
            a.ip("link", "set", "tunl0", "up");
            a.ip("route", "add", "192.0.2.0/24", "via", "10.99.0.254"); // C's subnet, natively through a router
            assertThat(a.kernel.ipip()).isEqualTo(pools()); // from kernel.ipip in the YAML
            b = new Node(net + 2, port, peerYaml(2, "10.99.0.2", "[10.50.2.0/26, 10.51.2.0/26, 10.52.2.0/26]"));
            c = new Node(net + 3, port, peerYaml(3, "192.0.2.7", "[10.50.3.0/26, 10.51.3.0/26]"));
            Await.until("all five routes", T, () -> a.ourPrefixes().size() == 5, () -> a.ip("route"));
            Await.until(
                    "tunnelled routes",
                    T,
                    () -> a.ip("route", "show", "exact", "10.51.3.0/26").contains("tunl0"),
                    () -> a.ip("route"));
            assertThat(a.ip("route", "show", "exact", "10.50.2.0/26"))
                    .contains("via 10.99.0.2 dev tunl0 proto 186 onlink");
            assertThat(a.ip("route", "show", "exact", "10.50.3.0/26"))
                    .contains("via 192.0.2.7 dev tunl0 proto 186 onlink");
            assertThat(a.ip("route", "show", "exact", "10.51.2.0/26"))
                    .contains("via 10.99.0.2 dev btk0 proto 186")
                    .doesNotContain("tunl0");
            assertThat(a.ip("route", "show", "exact", "10.51.3.0/26"))
                    .contains("via 192.0.2.7 dev tunl0 proto 186 onlink");
            assertThat(a.ip("route", "show", "exact", "10.52.2.0/26")).contains("via 10.99.0.2 dev btk0 proto 186");

            a.kernel.ipip(IpipRoutes.NONE); // no IP-in-IP pool any more: native routes (C's via the router, onlink)
            Await.until("native again", T, () -> !a.ip("route").contains("tunl0"), () -> a.ip("route"));
            assertThat(a.ip("route", "show", "exact", "10.50.3.0/26")).contains("via 10.99.0.254 dev btk0 proto 186");
        } finally {
            if (b != null) {
                b.close();
            }
            if (c != null) {
                c.close();
            }
        }
    }
}
