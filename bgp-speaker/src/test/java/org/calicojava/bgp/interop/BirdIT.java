package org.calicojava.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.session.AdjRibIn;
import org.calicojava.bgp.session.Await;
import org.calicojava.bgp.session.Peer;
import org.calicojava.bgp.session.ReceivedRoute;
import org.calicojava.bgp.session.SessionState;
import org.calicojava.bgp.session.Speaker;
import org.junit.jupiter.api.Test;

/** Interop with a real BIRD 2 on 127.1.N.x: sessions, routes with attributes both ways, errors, timers, MD5, GR. */
class BirdIT {
    static final Duration T = Duration.ofSeconds(40);
    final Topology t = Topology.random();
    final AdjRibIn rib = new AdjRibIn();

    /** BIRD config: statics to advertise (community, large community; MED set on export), one BGP protocol "p1" toward us. */
    String birdConfig(long birdAs, long ourAs, String bgpExtra) {
        return """
                router id %s;
                log "@LOG@" all;
                protocol device {}
                protocol static s4 { ipv4; route 10.30.0.0/24 blackhole { bgp_community.add((65011,7)); bgp_large_community.add((65011,1,2)); }; }
                protocol static s6 { ipv6; route 2001:db8:30::/64 blackhole; }
                protocol bgp p1 {
                  local %s port %d as %d;
                  neighbor %s port %d as %d;
                  multihop;
                  hold time 9;
                  connect retry time 1;
                  error wait time 1, 5;
                  ipv4 { import all; export filter { if net = 10.30.0.0/24 then bgp_med = 50; accept; }; };
                  ipv6 { import all; export all; next hop address 2001:db8::11; };
                  %s
                }
                """.formatted(t.them(), t.them(), t.theirPort(), birdAs, t.us(), t.ourPort(), ourAs, bgpExtra);
    }

    Speaker speaker(long ourAs, long birdAs, String neighborExtra) {
        String yaml = """
                routerId: %s
                asNumber: %d
                listen: {address: %s, port: %d}
                holdTime: 9
                connectRetryTime: 1
                idleHoldTime: 1
                nextHop: {ipv6: "2001:db8::10"}
                neighbors:
                  - {address: %s, asNumber: %d, port: %d, export: [all]%s}
                originate: [10.20.0.0/24, "2001:db8:20::/64"]
                policies: {all: [{action: accept}]}
                """.formatted(t.us(), ourAs, t.us(), t.ourPort(), t.them(), birdAs, t.theirPort(), neighborExtra);
        Speaker s = rib.speaker(yaml);
        s.start();
        return s;
    }

    Peer peer(Speaker s) {
        return s.peer(t.them());
    }

    Map<String, ReceivedRoute> received(Speaker s) {
        return rib.routes(peer(s).address());
    }

    void awaitEstablished(Speaker s, Bird bird) {
        Await.until(
                "session with BIRD",
                T,
                () -> peer(s).state() == SessionState.ESTABLISHED && bird.established("p1"),
                () -> peer(s) + "\n" + bird.protocol("p1") + bird.log());
    }

    @Test
    void ebgpRoutesBothWaysBothFamiliesWithAttributesAndWithdrawals() {
        try (Bird bird = new Bird(birdConfig(65011, 65010, ""));
                Speaker s = speaker(65010, 65011, "")) {
            awaitEstablished(s, bird);
            // BIRD -> us: IPv4 with MED, community, large community; IPv6 through MP_REACH
            Await.until(
                    "BIRD's routes at us",
                    T,
                    () -> received(s).keySet().containsAll(Set.of("10.30.0.0/24", "2001:db8:30::/64")),
                    () -> received(s).toString());
            PathAttributes a = received(s).get("10.30.0.0/24").attributes();
            assertThat(a.asPath()).isEqualTo(AsPath.sequence(65011));
            assertThat(a.med()).isEqualTo(50);
            assertThat(a.communities()).containsExactly(65011 << 16 | 7);
            assertThat(a.largeCommunities()).containsExactly(65011, 1, 2);
            assertThat(received(s).get("10.30.0.0/24").nextHop()).isEqualTo(t.them());
            assertThat(received(s).get("2001:db8:30::/64").nextHop()).startsWith("2001:db8::11");

            // us -> BIRD: originated routes, then one with every attribute BIRD shows
            Await.until(
                    "our routes in BIRD",
                    T,
                    () -> bird.routes().contains("10.20.0.0/24")
                            && bird.routes().contains("2001:db8:20::/64"),
                    bird::routes);
            PathAttributes rich = PathAttributes.builder()
                    .origin(PathAttributes.ORIGIN_INCOMPLETE)
                    .asPath(AsPath.sequence(65010, 64999))
                    .nextHop(t.us())
                    .med(77)
                    .communities(65010 << 16 | 42)
                    .largeCommunities(65010, 5, 6)
                    .build();
            Nlri n = Nlri.builder(Family.IPV4_UNICAST, false)
                    .add(Prefix.parse("10.21.0.0/24"))
                    .build();
            assertThat(peer(s).send(List.of(Update.announce(rich, n)))).isTrue();
            Await.until("the rich route in BIRD", T, () -> bird.routes().contains("10.21.0.0/24"), bird::routes);
            String r = section(bird.routes(), "10.21.0.0/24");
            assertThat(r)
                    .contains(
                            "BGP.origin: Incomplete",
                            "BGP.as_path: 65010 64999",
                            "BGP.med: 77",
                            "BGP.community: (65010,42)",
                            "BGP.large_community: (65010, 5, 6)",
                            "BGP.next_hop: " + t.us());
            assertThat(section(bird.routes(), "2001:db8:20::/64"))
                    .contains("BGP.as_path: 65010", "BGP.next_hop: 2001:db8::10");

            // withdrawals both ways
            peer(s).send(List.of(Update.withdraw(n)));
            Await.until("withdrawn in BIRD", T, () -> !bird.routes().contains("10.21.0.0/24"), bird::routes);
            bird.birdc("disable", "s4");
            Await.until(
                    "BIRD's withdrawal at us",
                    T,
                    () -> !received(s).containsKey("10.30.0.0/24"),
                    () -> received(s).toString());
        }
    }

    static String section(String routes, String prefix) {
        int i = routes.indexOf(prefix);
        if (i < 0) {
            return "";
        }
        int j = routes.indexOf("\n", i);
        int next = j;
        while (next >= 0
                && next + 1 < routes.length()
                && (routes.charAt(next + 1) == '\t' || routes.charAt(next + 1) == ' ')) {
            next = routes.indexOf('\n', next + 1);
        }
        return routes.substring(i, next < 0 ? routes.length() : next);
    }

    @Test
    void notificationsBothWays() {
        try (Bird bird = new Bird(birdConfig(65011, 65010, ""));
                Speaker s = speaker(65010, 65011, "")) {
            awaitEstablished(s, bird);
            bird.birdc("disable", "p1");
            Await.until(
                    "BIRD's cease at us",
                    T,
                    () -> peer(s).lastError() != null && peer(s).lastError().contains("NOTIFICATION received"),
                    () -> peer(s).toString());
            assertThat(peer(s).lastError()).contains("cease / administrative shutdown");
            bird.birdc("enable", "p1");
            awaitEstablished(s, bird);
            s.close();
            Await.until(
                    "our cease at BIRD",
                    T,
                    () -> bird.protocol("p1").contains("Administrative shutdown"),
                    () -> bird.protocol("p1"));
        }
    }

    @Test
    void holdTimerExpiresWhenBirdIsFrozen() {
        try (Bird bird = new Bird(birdConfig(65011, 65010, ""));
                Speaker s = speaker(65010, 65011, "")) {
            awaitEstablished(s, bird);
            bird.freeze(true);
            try {
                // the peer records the error just before it leaves Established: wait for both
                Await.until(
                        "hold timer expiry and the session down",
                        Duration.ofSeconds(30),
                        () -> "hold timer expired".equals(peer(s).lastError())
                                && peer(s).state() != SessionState.ESTABLISHED,
                        () -> peer(s).toString());
                Await.until(
                        "BIRD's routes withdrawn with the session",
                        T,
                        () -> rib.routes(peer(s).address()).isEmpty(),
                        () -> rib.routes(peer(s).address()).toString());
            } finally {
                bird.freeze(false);
            }
            awaitEstablished(s, bird);
        }
    }

    @Test
    void ibgpCarriesLocalPrefAndEmptyAsPath() {
        try (Bird bird = new Bird(birdConfig(65010, 65010, ""));
                Speaker s = speaker(65010, 65010, "")) {
            awaitEstablished(s, bird);
            assertThat(peer(s).negotiated().codec().ibgp()).isTrue();
            Await.until("our route in BIRD", T, () -> bird.routes().contains("10.20.0.0/24"), bird::routes);
            String r = section(bird.routes(), "10.20.0.0/24");
            assertThat(r).contains("BGP.local_pref: 100", "BGP.as_path: \n").doesNotContain("BGP.as_path: 65010");
            Await.until(
                    "BIRD's route at us",
                    T,
                    () -> received(s).containsKey("10.30.0.0/24"),
                    () -> received(s).toString());
            assertThat(received(s).get("10.30.0.0/24").attributes().localPref()).isEqualTo(100);
            assertThat(received(s).get("10.30.0.0/24").attributes().asPath()).isEqualTo(AsPath.EMPTY);
        }
    }

    @Test
    void twoOctetAsPeerSeesAsTransAndAs4Path() {
        try (Bird bird = new Bird(birdConfig(65011, 65010, "enable as4 off;"));
                Speaker s = speaker(65010, 65011, "")) {
            awaitEstablished(s, bird);
            assertThat(peer(s).negotiated().codec().as4()).isFalse();
            // a path through a 4-octet AS: the 2-octet peer gets AS_TRANS in AS_PATH and the real path in AS4_PATH
            PathAttributes a = PathAttributes.builder()
                    .origin(0)
                    .asPath(AsPath.sequence(65010, 4200000099L))
                    .nextHop(t.us())
                    .build();
            peer(s).send(List.of(Update.announce(
                    a,
                    Nlri.builder(Family.IPV4_UNICAST, false)
                            .add(Prefix.parse("10.22.0.0/24"))
                            .build())));
            Await.until("the route in BIRD", T, () -> bird.routes().contains("10.22.0.0/24"), bird::routes);
            String r = section(bird.routes(), "10.22.0.0/24");
            // BIRD rebuilds the path from AS_PATH (65010 23456) + AS4_PATH per RFC 6793 4.2.3: without our AS4_PATH it
            // would show 23456
            assertThat(r).contains("BGP.as_path: 65010 4200000099");
            Await.until(
                    "BIRD's route at us",
                    T,
                    () -> received(s).containsKey("10.30.0.0/24"),
                    () -> received(s).toString());
            assertThat(received(s).get("10.30.0.0/24").attributes().asPath()).isEqualTo(AsPath.sequence(65011));
        }
    }

    /** MD5 on our listening socket (we are passive, BIRD connects) and on our connecting socket (BIRD is passive). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void md5WithMatchingPasswords(boolean wePassive) {
        String birdExtra = "password \"s3cret\";" + (wePassive ? "" : " passive on;");
        try (Bird bird = new Bird(birdConfig(65011, 65010, birdExtra));
                Speaker s = speaker(65010, 65011, ", password: s3cret" + (wePassive ? ", passive: true" : ""))) {
            awaitEstablished(s, bird);
            Await.until(
                    "routes over the MD5 session",
                    T,
                    () -> received(s).containsKey("10.30.0.0/24"),
                    () -> received(s).toString());
        }
    }

    @Test
    void md5WithMismatchedPasswordsNeverEstablishes() {
        try (Bird bird = new Bird(birdConfig(65011, 65010, "password \"s3cret\";"));
                Speaker s = speaker(65010, 65011, ", password: wrong")) {
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime()
                    < end) { // a window in which an unprotected session would long be up (it takes < 2 s)
                assertThat(peer(s).state()).isNotIn(SessionState.OPEN_CONFIRM, SessionState.ESTABLISHED);
                assertThat(bird.established("p1")).isFalse();
                sleep(500);
            }
            assertThat(peer(s).lastError()).isNotNull();
        }
    }

    @Test
    void gracefulRestartEndOfRib() {
        try (Bird bird = new Bird(birdConfig(65011, 65010, "graceful restart on;"));
                Speaker s = speaker(65010, 65011, ", gracefulRestart: {restartTime: 120}")) {
            awaitEstablished(s, bird);
            assertThat(peer(s).negotiated().peerOpen().capabilities().gracefulRestart())
                    .isNotNull();
            Await.until(
                    "End-of-RIB from BIRD",
                    T,
                    () -> rib.endOfRib(peer(s).address()).containsAll(Set.of(Family.values())),
                    () -> rib.endOfRib(peer(s).address()).toString());
            assertThat(bird.protocol("p1")).contains("Graceful restart");
        }
    }

    @Test
    void collisionWhenBothConnectAtOnce() {
        // BIRD is frozen while our connection lands in its listen backlog and its own connect timer comes due:
        // once thawed it accepts ours and connects to us in the same loop iteration, so the two connections cross
        try (Bird bird = new Bird(birdConfig(65011, 65010, "connect delay time 1;"));
                Speaker s = speaker(65010, 65011, "")) {
            awaitEstablished(s, bird);
            for (int i = 0; i < 5 && peer(s).collisions() == 0; i++) {
                bird.birdc("disable", "p1");
                Await.until("session down", T, () -> peer(s).state() != SessionState.ESTABLISHED);
                bird.birdc("enable", "p1");
                bird.freeze(true);
                try {
                    Await.until(
                            "our OPEN sent to the frozen BIRD",
                            T,
                            () -> peer(s).state() == SessionState.OPEN_SENT,
                            () -> peer(s).toString());
                    sleep(1500);
                } finally {
                    bird.freeze(false);
                }
                awaitEstablished(s, bird);
            }
            assertThat(peer(s).collisions()).as("collisions seen").isPositive();
            Await.until(
                    "routes after the collision",
                    T,
                    () -> received(s).containsKey("10.30.0.0/24"),
                    () -> received(s).toString());
            assertThat(bird.protocol("p1")).contains("Established");
        }
    }

    @Test
    void addPathBothWays() {
        try (Bird bird = new Bird(birdConfig(65011, 65010, "")
                        .replace("ipv4 { import all;", "ipv4 { add paths on; import all;"));
                Speaker s = speaker(65010, 65011, ", addPath: both")) {
            awaitEstablished(s, bird);
            assertThat(peer(s).negotiated().codec().addPathReceive()).contains(Family.IPV4_UNICAST);
            assertThat(peer(s).negotiated().codec().addPathSend()).contains(Family.IPV4_UNICAST);
            Await.until(
                    "BIRD's route with a path id",
                    T,
                    () -> received(s).keySet().stream().anyMatch(k -> k.startsWith("10.30.0.0/24 path ")),
                    () -> received(s).toString());
            Await.until("our route (path id 1) in BIRD", T, () -> bird.routes().contains("10.20.0.0/24"), bird::routes);
            assertThat(section(bird.routes(), "10.20.0.0/24")).contains("BGP.as_path: 65010");
        }
    }

    @Test
    void gtsmWithBird() {
        try (Bird bird = new Bird(birdConfig(65011, 65010, "ttl security on;"));
                Speaker s = speaker(65010, 65011, ", ttlSecurity: 1")) {
            awaitEstablished(s, bird);
        }
    }

    @Test
    void gtsmRefusesAPeerThatDoesNotSendTtl255() {
        // BIRD without ttl security sends with TTL 64 (multihop): our IP_MINTTL 255 drops its segments
        try (Bird bird = new Bird(birdConfig(65011, 65010, ""));
                Speaker s = speaker(65010, 65011, ", ttlSecurity: 1")) {
            long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            while (System.nanoTime() < end) {
                assertThat(peer(s).state()).isNotIn(SessionState.OPEN_CONFIRM, SessionState.ESTABLISHED);
                sleep(500);
            }
        }
    }

    @Test
    void ipv6TransportOnLoopback() {
        String conf = """
                router id %s;
                log "@LOG@" all;
                protocol device {}
                protocol static s6 { ipv6; route 2001:db8:30::/64 blackhole; }
                protocol bgp p1 {
                  local ::1 port %d as 65011;
                  neighbor ::1 port %d as 65010;
                  multihop; hold time 9; connect retry time 1; error wait time 1, 5;
                  ipv6 { import all; export all; next hop address 2001:db8::11; };  # not ::1: BIRD will not send the neighbour's own address
                }
                """.formatted(t.them(), t.theirPort(), t.ourPort());
        try (Bird bird = new Bird(conf)) {
            Speaker s = rib.speaker("""
                    routerId: %s
                    asNumber: 65010
                    listen: {address: "::1", port: %d}
                    holdTime: 9
                    connectRetryTime: 1
                    idleHoldTime: 1
                    neighbors:
                      - {address: "::1", asNumber: 65011, port: %d, export: [all]}
                    originate: ["2001:db8:20::/64"]
                    policies: {all: [{action: accept}]}
                    """.formatted(t.us(), t.ourPort(), t.theirPort()));
            try (s) {
                s.start();
                Peer p = s.peer("::1");
                Await.until(
                        "IPv6 session",
                        T,
                        () -> p.state() == SessionState.ESTABLISHED && bird.established("p1"),
                        () -> p + bird.log());
                Await.until(
                        "BIRD's IPv6 route",
                        T,
                        () -> rib.routes(p.address()).containsKey("2001:db8:30::/64"),
                        () -> rib.routes(p.address()) + bird.protocol("p1") + bird.routes() + bird.log());
                assertThat(rib.routes(p.address()).get("2001:db8:30::/64").nextHop())
                        .startsWith("2001:db8::11");
                Await.until(
                        "our IPv6 route in BIRD", T, () -> bird.routes().contains("2001:db8:20::/64"), bird::routes);
                assertThat(section(bird.routes(), "2001:db8:20::/64"))
                        .contains("BGP.next_hop: ::1", "BGP.as_path: 65010");
            }
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
