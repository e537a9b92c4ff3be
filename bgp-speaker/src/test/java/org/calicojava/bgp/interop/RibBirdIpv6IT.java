package org.calicojava.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.rib.Node;
import org.calicojava.bgp.session.Await;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * The RIB's IPv6 unicast over an IPv4 eBGP session to BIRD 2 (127.0.65.x): BIRD shows our configured
 * {@code nextHop.ipv6} as BGP.next_hop of our IPv4+IPv6 originated blocks, and BIRD's IPv6 route is our best with the
 * next hop BIRD sent.
 */
class RibBirdIpv6IT {
    static final Duration T = Duration.ofSeconds(60);

    @Test
    void ipv6OverAnIpv4SessionWithTheConfiguredNextHop() {
        int n = 1 + ThreadLocalRandom.current().nextInt(250);
        String us = "127.0.65." + n, them = "127.0.66." + n;
        int ourPort = Ports.free(0, 1), theirPort = ourPort + 1;
        String bird = """
                router id %s;
                log "@LOG@" all;
                protocol device {}
                protocol static s6 { ipv6; route 2001:db8:66::/64 blackhole; }
                protocol bgp p1 {
                  local %s port %d as 65011;
                  neighbor %s port %d as 65010;
                  multihop; hold time 9; connect retry time 1; error wait time 1, 5;
                  ipv4 { import all; export none; };
                  ipv6 { import all; export all; next hop address 2001:db8:66::11; };
                }
                """.formatted(them, them, theirPort, us, ourPort);
        String yaml = """
                routerId: %s
                asNumber: 65010
                listen: {address: %s, port: %d}
                connectRetryTime: 1
                idleHoldTime: 1
                nextHop: {ipv6: "2001:db8:65::10"}
                neighbors:
                  - {address: %s, asNumber: 65011, port: %d, import: [all], export: [all]}
                originate: [10.65.0.0/24, "2001:db8:65::/64"]
                policies: {all: [{action: accept}]}
                """.formatted(us, us, ourPort, them, theirPort);
        try (Bird b = new Bird(bird);
                Node node = new Node(us, ourPort, yaml)) {
            Await.until(
                    "session with BIRD",
                    T,
                    () -> node.up(them) && b.established("p1"),
                    () -> b.protocol("p1") + b.log());
            Await.until(
                    "our IPv4 and IPv6 blocks in BIRD",
                    T,
                    () -> b.routes().contains("2001:db8:65::/64") && b.routes().contains("10.65.0.0/24"),
                    b::routes);
            assertThat(BirdIT.section(b.routes(), "2001:db8:65::/64"))
                    .contains("BGP.next_hop: 2001:db8:65::10", "BGP.as_path: 65010");
            assertThat(BirdIT.section(b.routes(), "10.65.0.0/24")).contains("BGP.next_hop: " + us);
            Await.until(
                    "BIRD's IPv6 route is our best",
                    T,
                    () -> node.rib
                            .showRoute(Prefix.parse("2001:db8:66::/64"), false)
                            .contains("from " + them),
                    () -> node.rib.showRoute(null, true));
            assertThat(node.rib.showRoute(Prefix.parse("2001:db8:66::/64"), false))
                    .contains("via 2001:db8:66::11")
                    .contains("as_path=65011");
        }
    }
}
