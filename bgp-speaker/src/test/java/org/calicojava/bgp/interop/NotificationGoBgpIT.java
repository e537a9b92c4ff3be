package org.calicojava.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.rib.Node;
import org.calicojava.bgp.session.Await;
import org.calicojava.bgp.session.Peer;
import org.calicojava.bgp.session.SessionState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 8538 with a real gobgpd (AS 65012 on 127.1.N.11) whose graceful restart has {@code notification-enabled}: it
 * announces 10.30.0.0/24 to our speaker (AS 65010), then it is frozen (SIGSTOP by PID), so our hold timer (9 s)
 * expires and we send NOTIFICATION 4/0. With {@code gracefulRestart: {notification: true}} on our side the N bit is
 * negotiated with gobgpd's and the route stays, marked stale; without it (the default) the NOTIFICATION ends graceful
 * restart and the route goes at once. Thawed, gobgpd comes back and the route is fresh again.
 */
class NotificationGoBgpIT {
    static final Duration T = Duration.ofSeconds(40);
    static final Prefix ROUTE = Prefix.parse("10.30.0.0/24");
    final Topology t = Topology.random();

    GoBgp gobgp() {
        return new GoBgp(
                """
                global:
                  config: {as: 65012, router-id: %s, port: %d, local-address-list: ["%s"]}
                neighbors:
                  - config: {neighbor-address: %s, peer-as: 65010}
                    timers: {config: {connect-retry: 1, hold-time: 9, keepalive-interval: 3}}
                    transport: {config: {local-address: %s, remote-port: %d}}
                    graceful-restart: {config: {enabled: true, restart-time: 120, notification-enabled: true}}
                    afi-safis:
                      - config: {afi-safi-name: ipv4-unicast}
                        mp-graceful-restart: {config: {enabled: true}}
                """.formatted(t.them(), t.theirPort(), t.them(), t.us(), t.them(), t.ourPort()), t.theirPort() + 1000);
    }

    Node speaker(boolean notification) {
        return new Node(
                t.us(), t.ourPort(), """
                routerId: %s
                asNumber: 65010
                listen: {address: %s, port: %d}
                holdTime: 9
                connectRetryTime: 1
                idleHoldTime: 1
                neighbors:
                  - {address: %s, asNumber: 65012, port: %d, import: [all], gracefulRestart: {restartTime: 120, notification: %s}}
                policies:
                  all: [{action: accept}]
                """.formatted(t.us(), t.us(), t.ourPort(), t.them(), t.theirPort(), notification));
    }

    String route(Node n) {
        return n.rib.showRoute(ROUTE, false);
    }

    /** Whether our RIB has a path for the route ({@code show route} answers "network not in table" otherwise). */
    boolean has(Node n) {
        String r = route(n);
        return r.contains("10.30.0.0/24") && !r.contains("not in table");
    }

    @ParameterizedTest(name = "notification: {0}")
    @ValueSource(booleans = {true, false})
    void ourHoldTimerExpiryKeepsTheRouteStaleOnlyWithTheNBitOnBothSides(boolean notification) throws Exception {
        try (GoBgp g = gobgp();
                Node n = speaker(notification)) {
            Peer p = n.speaker.peer(t.them());
            Await.until("session established", T, () -> p.state() == SessionState.ESTABLISHED, g::output);
            String add = g.gobgp("global", "rib", "-a", "ipv4", "add", "10.30.0.0/24", "nexthop", "203.0.113.11");
            Await.until("the route learned from gobgpd", T, () -> has(n), () -> add);
            assertThat(route(n)).doesNotContain("stale");
            g.freeze(true);
            try {
                Await.until(
                        "our hold timer expired",
                        Duration.ofSeconds(20),
                        () -> p.state() != SessionState.ESTABLISHED,
                        p::toString);
                assertThat(p.lastError()).contains("hold timer expired");
                if (notification) {
                    Await.until(
                            "kept as stale", Duration.ofSeconds(5), () -> route(n).contains("stale"), () -> route(n));
                    Thread.sleep(2000); // and still there, not swept
                    assertThat(has(n)).isTrue();
                    assertThat(route(n)).contains("stale");
                    assertThat(p.flushOnDown()).isFalse();
                } else {
                    Await.until("gone at once", Duration.ofSeconds(5), () -> !has(n), () -> route(n));
                    assertThat(p.flushOnDown()).isTrue();
                }
            } finally {
                g.freeze(false);
            }
            Await.until(
                    "back, fresh",
                    Duration.ofSeconds(60),
                    () -> p.state() == SessionState.ESTABLISHED && has(n) && !route(n).contains("stale"),
                    () -> route(n) + g.output());
        }
    }
}
