package org.calicojava.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.session.AdjRibIn;
import org.calicojava.bgp.session.Await;
import org.calicojava.bgp.session.Peer;
import org.calicojava.bgp.session.ReceivedRoute;
import org.calicojava.bgp.session.SessionState;
import org.calicojava.bgp.session.Speaker;
import org.junit.jupiter.api.Test;

/**
 * Interop with a real gobgpd on 127.1.N.x. GoBGP refuses loopback NEXT_HOPs inside UPDATEs, so our originated routes
 * carry documentation next hops (203.0.113.10, 2001:db8::10); the TCP session itself runs on 127.1.N.x.
 */
class GoBgpIT {
    static final Duration T = Duration.ofSeconds(40);
    final Topology t = Topology.random();
    final AdjRibIn rib = new AdjRibIn();

    GoBgp gobgp(long as, long ourAs) {
        String yaml = """
                global:
                  config:
                    as: %d
                    router-id: %s
                    port: %d
                    local-address-list: ["%s"]
                neighbors:
                  - config:
                      neighbor-address: %s
                      peer-as: %d
                    timers:
                      config: {connect-retry: 1, hold-time: 9, keepalive-interval: 3}
                    transport:
                      config: {local-address: %s, remote-port: %d}
                    afi-safis:
                      - config: {afi-safi-name: ipv4-unicast}
                      - config: {afi-safi-name: ipv6-unicast}
                """.formatted(as, t.them(), t.theirPort(), t.them(), t.us(), ourAs, t.them(), t.ourPort());
        return new GoBgp(yaml, t.theirPort() + 1000);
    }

    Speaker speaker(long ourAs, long peerAs) {
        Speaker s = rib.speaker("""
                routerId: %s
                asNumber: %d
                listen: {address: %s, port: %d}
                holdTime: 9
                connectRetryTime: 1
                idleHoldTime: 1
                nextHop: {ipv4: 203.0.113.10, ipv6: "2001:db8::10"}
                neighbors:
                  - {address: %s, asNumber: %d, port: %d, export: [all]}
                originate: [10.20.0.0/24, "2001:db8:20::/64"]
                policies: {all: [{action: accept}]}
                """.formatted(t.us(), ourAs, t.us(), t.ourPort(), t.them(), peerAs, t.theirPort()));
        s.start();
        return s;
    }

    Peer peer(Speaker s) {
        return s.peer(t.them());
    }

    Map<String, ReceivedRoute> received(Speaker s) {
        return rib.routes(peer(s).address());
    }

    void awaitEstablished(Speaker s, GoBgp g) {
        Await.until(
                "session with GoBGP",
                T,
                () -> peer(s).state() == SessionState.ESTABLISHED
                        && g.gobgp("neighbor", t.us()).toLowerCase().contains("bgp state = established"),
                () -> peer(s) + "\n" + g.gobgp("neighbor", t.us()) + g.output());
    }

    @Test
    void ebgpRoutesBothWaysBothFamilies() {
        try (GoBgp g = gobgp(65012, 65010);
                Speaker s = speaker(65010, 65012)) {
            awaitEstablished(s, g);
            Await.until(
                    "our IPv4 route in GoBGP",
                    T,
                    () -> g.gobgp("global", "rib", "-a", "ipv4").contains("10.20.0.0/24"),
                    () -> g.gobgp("global", "rib", "-a", "ipv4"));
            String v4 = line(g.gobgp("global", "rib", "-a", "ipv4"), "10.20.0.0/24");
            assertThat(v4).contains("203.0.113.10", "65010");
            Await.until(
                    "our IPv6 route in GoBGP",
                    T,
                    () -> g.gobgp("global", "rib", "-a", "ipv6").contains("2001:db8:20::/64"),
                    () -> g.gobgp("global", "rib", "-a", "ipv6"));
            assertThat(line(g.gobgp("global", "rib", "-a", "ipv6"), "2001:db8:20::/64"))
                    .contains("2001:db8::10", "65010");

            g.gobgp(
                    "global",
                    "rib",
                    "-a",
                    "ipv4",
                    "add",
                    "10.40.0.0/24",
                    "nexthop",
                    "203.0.113.12",
                    "med",
                    "20",
                    "community",
                    "65012:9",
                    "large-community",
                    "65012:1:2");
            g.gobgp("global", "rib", "-a", "ipv6", "add", "2001:db8:40::/64", "nexthop", "2001:db8::12");
            Await.until(
                    "GoBGP's routes at us",
                    T,
                    () -> received(s).containsKey("10.40.0.0/24") && received(s).containsKey("2001:db8:40::/64"),
                    () -> received(s).toString());
            PathAttributes a = received(s).get("10.40.0.0/24").attributes();
            assertThat(a.asPath()).isEqualTo(AsPath.sequence(65012));
            assertThat(a.med()).isEqualTo(20);
            assertThat(a.communities()).containsExactly(65012 << 16 | 9);
            assertThat(a.largeCommunities()).containsExactly(65012, 1, 2);

            g.gobgp("global", "rib", "-a", "ipv4", "del", "10.40.0.0/24");
            g.gobgp("global", "rib", "-a", "ipv6", "del", "2001:db8:40::/64");
            Await.until(
                    "GoBGP's withdrawals at us",
                    T,
                    () -> !received(s).containsKey("10.40.0.0/24")
                            && !received(s).containsKey("2001:db8:40::/64"),
                    () -> received(s).toString());
        }
    }

    @Test
    void ibgpAndNotificationOnShutdown() {
        try (GoBgp g = gobgp(65010, 65010);
                Speaker s = speaker(65010, 65010)) {
            awaitEstablished(s, g);
            assertThat(peer(s).negotiated().codec().ibgp()).isTrue();
            Await.until(
                    "our route in GoBGP",
                    T,
                    () -> g.gobgp("global", "rib", "-a", "ipv4").contains("10.20.0.0/24"),
                    () -> g.gobgp("global", "rib", "-a", "ipv4"));
            g.gobgp("neighbor", t.us(), "shutdown");
            Await.until(
                    "GoBGP's cease at us",
                    T,
                    () -> peer(s).lastError() != null && peer(s).lastError().contains("NOTIFICATION received"),
                    () -> peer(s).toString());
            assertThat(peer(s).lastError()).contains("cease / administrative shutdown");
        }
    }

    @Test
    void holdTimerExpiresWhenGoBgpIsFrozenAndOurCeaseReachesIt() {
        try (GoBgp g = gobgp(65012, 65010);
                Speaker s = speaker(65010, 65012)) {
            awaitEstablished(s, g);
            g.freeze(true);
            try {
                Await.until(
                        "hold timer expiry",
                        Duration.ofSeconds(30),
                        () -> "hold timer expired".equals(peer(s).lastError()),
                        () -> peer(s).toString());
            } finally {
                g.freeze(false);
            }
            awaitEstablished(s, g);
            s.close();
            Await.until(
                    "GoBGP sees the session go down",
                    T,
                    () -> !g.gobgp("neighbor", t.us()).toLowerCase().contains("bgp state = established"),
                    () -> g.gobgp("neighbor", t.us()));
            assertThat(g.output().toLowerCase()).containsAnyOf("administrative shutdown", "notification");
        }
    }

    static String line(String table, String prefix) {
        return table.lines().filter(l -> l.contains(prefix)).findFirst().orElse("");
    }
}
