package org.calicojava.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/** Two of our speakers over real TCP on 127.0.0.x: establishment, routes, negotiation, errors, collision. */
class SpeakerPairTest {
    static final Duration T = Duration.ofSeconds(30);
    final int port = Ports.free();
    final String a = "127.0.0." + (20 + ThreadLocalRandom.current().nextInt(100)),
            b = "127.0.0." + (130 + ThreadLocalRandom.current().nextInt(100));

    SpeakerConfig config(String self, long as, String peer, long peerAs, String extra, String neighborExtra) {
        return SpeakerYamlLoader.parse(yaml(self, as, peer, peerAs, extra, neighborExtra))
                .speaker();
    }

    /** A speaker's YAML; an {@code originate} in {@code extra} reaches eBGP peers through the export policy "all". */
    String yaml(String self, long as, String peer, long peerAs, String extra, String neighborExtra) {
        return """
                routerId: %s
                asNumber: %d
                listen: {address: %s, port: %d}
                holdTime: 30
                connectRetryTime: 1
                idleHoldTime: 1
                neighbors:
                  - {address: %s, asNumber: %d, port: %d%s}
                %s
                policies: {all: [{action: accept}]}
                """.formatted(self, as, self, port, peer, peerAs, port, neighborExtra, extra);
    }

    @Test
    void ebgpSessionCarriesOriginatedRoutesBothFamilies() {
        AdjRibIn ribA = new AdjRibIn(), ribB = new AdjRibIn();
        try (Speaker sa = ribA.speaker(yaml(
                        a, 65010, b, 65011, "originate: [10.20.0.0/24, \"2001:db8:20::/64\"]", ", export: [all]"));
                Speaker sb = new Speaker(config(b, 65011, a, 65010, "", ", passive: true, holdTime: 9"), ribB)) {
            sb.start();
            sa.start();
            Peer pb = sb.peer(a);
            Await.until(
                    "session up",
                    T,
                    () -> pb.state() == SessionState.ESTABLISHED && sa.peer(b).state() == SessionState.ESTABLISHED,
                    pb::toString);
            Await.until(
                    "routes at B",
                    T,
                    () -> ribB.routes(pb.address()).size() == 2,
                    () -> ribB.routes(pb.address()).toString());
            Map<String, ReceivedRoute> routes = ribB.routes(pb.address());
            assertThat(routes.get("10.20.0.0/24").nextHop()).isEqualTo(a);
            assertThat(routes.get("10.20.0.0/24").attributes().asPath()).isEqualTo(AsPath.sequence(65010));
            assertThat(routes.get("2001:db8:20::/64").nextHop()).isEqualTo("::ffff:" + a);
            Await.until(
                    "End-of-RIB", T, () -> ribB.endOfRib(pb.address()).containsAll(java.util.Set.of(Family.values())));
            assertThat(pb.negotiated().holdTime()).isEqualTo(9);
            assertThat(pb.negotiated().keepaliveTime()).isEqualTo(3);
            assertThat(pb.negotiated().codec().as4()).isTrue();
            assertThat(pb.negotiated().codec().ibgp()).isFalse();

            sa.close();
            Await.until("B sees the cease", T, () -> pb.state() != SessionState.ESTABLISHED);
            Await.until("B's last error", T, () -> pb.lastError() != null, pb::toString);
            assertThat(pb.lastError()).isEqualTo("NOTIFICATION received: cease / administrative shutdown");
            // the table is emptied just after the state changes, on the session's thread: wait for it
            Await.until(
                    "B's table of A emptied", T, () -> ribB.routes(pb.address()).isEmpty());
        }
    }

    /**
     * A peer whose host refuses our connects (its speaker is not listening yet, as a mesh peer that starts minutes
     * later) is retried every connectRetryTime, not after a doubled wait: five refusals take ~5 s here where doubling
     * would take 15 s, and the session comes up within a few seconds of the peer starting, where doubling would wait 16.
     */
    @Test
    void refusedConnectsAreRetriedAtTheBaseTimeSoALatePeerIsReachedAtOnce() {
        try (Speaker sa = new Speaker(config(a, 65010, b, 65011, "", ""), new AdjRibIn());
                Speaker sb = new Speaker(config(b, 65011, a, 65010, "", ", passive: true"), new AdjRibIn())) {
            sa.start();
            Peer pa = sa.peer(b);
            Await.until("five refused connects", Duration.ofSeconds(10), () -> pa.connectFailures >= 5, pa::toString);
            assertThat(pa.lastError()).contains("refused");
            sb.start();
            Await.until(
                    "session up soon after the peer starts",
                    Duration.ofSeconds(6),
                    () -> pa.state() == SessionState.ESTABLISHED,
                    pa::toString);
        }
    }

    @Test
    void wrongPeerAsIsRefusedWithBadPeerAs() {
        try (Speaker sa = new Speaker(config(a, 65010, b, 65099, "", ""), new AdjRibIn());
                Speaker sb = new Speaker(config(b, 65011, a, 65010, "", ", passive: true"), new AdjRibIn())) {
            sb.start();
            sa.start();
            Peer pb = sb.peer(a);
            Await.until(
                    "B receives the NOTIFICATION",
                    T,
                    () -> pb.lastError() != null && pb.lastError().contains("bad peer AS"),
                    pb::toString);
            assertThat(pb.lastError()).isEqualTo("NOTIFICATION received: OPEN message error / bad peer AS (data fdf3)");
            assertThat(sa.peer(b).lastError()).startsWith("NOTIFICATION sent: bad peer AS 65011");
        }
    }

    @Test
    void collisionLeavesOneSessionWhenBothConnect() {
        try (Speaker sa = new Speaker(config(a, 65010, b, 65010, "", ""), new AdjRibIn());
                Speaker sb = new Speaker(config(b, 65010, a, 65010, "", ""), new AdjRibIn())) {
            sa.start();
            sb.start();
            Await.until(
                    "both established",
                    T,
                    () -> sa.peer(b).state() == SessionState.ESTABLISHED
                            && sb.peer(a).state() == SessionState.ESTABLISHED,
                    () -> sa.peer(b) + " / " + sb.peer(a));
            assertThat(sa.peer(b).negotiated().codec().ibgp()).isTrue();
        }
    }

    @Test
    void reconfigureKeepsUnchangedSessionsAndRestartsChangedOnes() {
        AdjRibIn ribA = new AdjRibIn(), ribB = new AdjRibIn();
        try (Speaker sa = ribA.speaker(yaml(a, 65010, b, 65011, "originate: [10.20.0.0/24]", ", export: [all]"));
                Speaker sb = new Speaker(config(b, 65011, a, 65010, "", ", passive: true"), ribB)) {
            sb.start();
            sa.start();
            Peer pb = sb.peer(a);
            Await.until("session up", T, () -> pb.state() == SessionState.ESTABLISHED, pb::toString);
            Await.until("first route", T, () -> ribB.routes(pb.address()).containsKey("10.20.0.0/24"));
            java.time.Instant up = pb.since();

            // only originate changed: the session stays, the difference is sent
            ribA.reconfigure(sa, yaml(a, 65010, b, 65011, "originate: [10.21.0.0/24]", ", export: [all]"));
            Await.until(
                    "new route and withdrawal",
                    T,
                    () -> ribB.routes(pb.address()).containsKey("10.21.0.0/24")
                            && !ribB.routes(pb.address()).containsKey("10.20.0.0/24"),
                    () -> ribB.routes(pb.address()).toString());
            assertThat(pb.since()).isEqualTo(up);
            assertThat(pb.state()).isEqualTo(SessionState.ESTABLISHED);

            // the neighbour's own settings changed: that session restarts with Cease / other configuration change
            ribA.reconfigure(
                    sa, yaml(a, 65010, b, 65011, "originate: [10.21.0.0/24]", ", export: [all], holdTime: 60"));
            Await.until("B sees the cease", T, () -> pb.lastError() != null, pb::toString);
            assertThat(pb.lastError()).isEqualTo("NOTIFICATION received: cease / other configuration change");
            Await.until(
                    "session back",
                    T,
                    () -> pb.state() == SessionState.ESTABLISHED && sa.peer(b).state() == SessionState.ESTABLISHED);

            // removed: Cease / peer de-configured
            sa.reconfigure(SpeakerYamlLoader.parse(
                            "routerId: %s\nasNumber: 65010\nlisten: {address: %s, port: %d}\n".formatted(a, a, port))
                    .speaker());
            Await.until(
                    "B sees the removal",
                    T,
                    () -> pb.lastError() != null && pb.lastError().contains("de-configured"),
                    pb::toString);
            assertThat(sa.peer(b)).isNull();
        }
    }
}
