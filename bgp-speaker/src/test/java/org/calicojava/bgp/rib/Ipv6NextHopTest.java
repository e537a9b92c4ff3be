package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.session.Await;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * IPv6 unicast (MP-BGP) over IPv4 sessions on 127.0.64.x: the IPv6 next hop speaker S sends is {@code nextHop.ipv6}
 * when configured (for its own routes and for routes it passes on with next hop self, toward eBGP and iBGP), otherwise
 * the IPv4-mapped form of the session's local address; never {@code ::}. Decoded from the MP_REACH_NLRI the peers get.
 */
class Ipv6NextHopTest {
    static final Duration T = Duration.ofSeconds(30);
    final int port = Ports.free();
    final String net = "127.0.64.";

    String yaml(String nextHop) {
        return Node.yaml(
                net + 1,
                65000,
                port,
                List.of(
                        "{address: " + net + 2 + ", asNumber: 65001, passive: true, import: [all], export: [all]}",
                        "{address: " + net + 3 + ", asNumber: 65000, passive: true}"),
                nextHop + "originate: [\"2001:db8:640::/64\", 10.64.0.0/24]\npolicies: {all: [{action: accept}]}");
    }

    @Test
    void configuredIpv6NextHopOnIpv4Sessions() throws Exception {
        try (Node s = new Node(net + 1, port, yaml("nextHop: {ipv6: \"2001:db8:64::1\"}\n"));
                WirePeer e = new WirePeer(net + 2, 65001, net + 1, port, false);
                WirePeer i = new WirePeer(net + 3, 65000, net + 1, port, true)) {
            Await.until("sessions up", T, () -> e.established() && i.established() && s.up(net + 2) && s.up(net + 3));
            PathAttributes a = PathAttributes.builder()
                    .origin(0)
                    .asPath(AsPath.sequence(65001))
                    .build();
            e.announce6(a, "2001:db8:64::2", "2001:db8:641::/64");
            Await.until(
                    "I has both IPv6 routes",
                    T,
                    () -> i.route("2001:db8:640::/64") != null && i.route("2001:db8:641::/64") != null,
                    () -> i.routes.toString());
            Await.until(
                    "E has S's IPv6 and IPv4 routes",
                    T,
                    () -> e.route("2001:db8:640::/64") != null && e.route("10.64.0.0/24") != null,
                    () -> e.routes.toString());

            assertThat(i.route("2001:db8:640::/64").nextHop())
                    .as("own route toward iBGP")
                    .isEqualTo("2001:db8:64::1");
            assertThat(i.route("2001:db8:641::/64").nextHop())
                    .as("eBGP-learned route toward iBGP: next hop self")
                    .isEqualTo("2001:db8:64::1");
            assertThat(i.route("2001:db8:641::/64").attrs().localPref()).isEqualTo(100);
            assertThat(e.route("2001:db8:640::/64").nextHop())
                    .as("own route toward eBGP")
                    .isEqualTo("2001:db8:64::1");
            assertThat(e.route("2001:db8:640::/64").mpNextHop()).hasSize(16);
            assertThat(e.route("2001:db8:641::/64"))
                    .as("not sent back to where it came from")
                    .isNull();
            // the IPv4 route of the same sessions keeps the IPv4 next hop self
            assertThat(e.route("10.64.0.0/24").nextHop()).isEqualTo(net + 1);
            // S's own view of E's route: the next hop E sent
            assertThat(s.rib.showRoute(org.calicojava.bgp.codec.Prefix.parse("2001:db8:641::/64"), false))
                    .contains("via 2001:db8:64::2");
        }
    }

    @Test
    void withoutTheKeyTheMappedSessionAddressNotTheUnspecifiedAddress() throws Exception {
        try (Node s = new Node(net + 1, port, yaml(""));
                WirePeer i = new WirePeer(net + 3, 65000, net + 1, port, true)) {
            Await.until(
                    "I has S's IPv6 route", T, () -> i.route("2001:db8:640::/64") != null, () -> i.routes.toString());
            assertThat(i.route("2001:db8:640::/64").nextHop())
                    .isEqualTo("::ffff:127.0.64.1")
                    .isNotEqualTo("::");
        }
    }
}
