package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.Capabilities;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.GracefulRestart;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Keepalive;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.session.Await;
import org.calicojava.bgp.session.SessionState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Over real TCP with a raw iBGP peer on 127.x: martian and own NEXT_HOPs make routes treat-as-withdraw (one log line
 * for all), and a peer announcing graceful restart time 4095 has its stale routes swept at our maximum
 * ({@code maxStaleRoutesTime: 2} here, 120 by default).
 */
class NextHopAndStaleTimeTest {
    final SessionDownRaceTest raw = new SessionDownRaceTest();
    final String a = raw.a, b = raw.b;

    @BeforeEach
    void captureLog() {
        raw.captureLog();
    }

    @AfterEach
    void restoreLog() {
        raw.restoreLog();
    }

    static byte[] announce(String nextHop, String... prefixes) {
        PathAttributes attrs = PathAttributes.builder()
                .origin(PathAttributes.ORIGIN_IGP)
                .asPath(AsPath.EMPTY)
                .nextHop(Ip.v4Int(nextHop))
                .build();
        Nlri.Builder n = Nlri.builder(Family.IPV4_UNICAST, false);
        for (String p : prefixes) {
            n.add(Prefix.parse(p));
        }
        return SessionDownRaceTest.bytes(Update.announce(attrs, n.build()));
    }

    @Test
    void martianAndOwnNextHopsAreTreatAsWithdraw() throws Exception {
        try (Node node = raw.speaker();
                Socket s = raw.connect()) {
            OutputStream out = s.getOutputStream();
            out.write(SessionDownRaceTest.bytes(raw.open()));
            out.write(SessionDownRaceTest.bytes(Keepalive.INSTANCE));
            out.write(announce(a, "10.91.0.1/32"));
            out.flush();
            Await.until("10.91.0.1/32 learned", Duration.ofSeconds(10), () -> node.best("10.91.0.1/32") != null);
            out.write(announce("0.1.2.3", "10.91.0.1/32")); // 0/8: the route it replaces goes
            out.write(announce("224.0.0.5", "10.91.0.2/32")); // multicast
            out.write(announce("240.0.0.1", "10.91.0.2/32")); // reserved
            out.write(announce(b, "10.91.0.3/32")); // our own end of this session
            out.write(announce("192.0.2.1", "10.91.0.4/32")); // fine, and last: once it is in, all were handled
            out.flush();
            Await.until("10.91.0.4/32 learned", Duration.ofSeconds(10), () -> node.best("10.91.0.4/32") != null);
            assertThat(node.paths("10.91.0.1/32")).isEmpty();
            assertThat(node.paths("10.91.0.2/32")).isEmpty();
            assertThat(node.paths("10.91.0.3/32")).isEmpty();
            assertThat(node.speaker.peer(a).state()).isEqualTo(SessionState.ESTABLISHED);
            assertThat(node.rib.call(() -> node.rib.peers.get(Ip.parse(a)).badNextHops))
                    .isEqualTo(4L);
            assertThat(raw.logLines().stream().filter(l -> l.contains("treated as withdrawn")))
                    .hasSize(1)
                    .allMatch(l -> l.contains("NEXT_HOP 0.1.2.3 is martian (0.0.0.0/8)"));
        }
    }

    @Test
    void staleRoutesOfAPeerAnnouncing4095sAreSweptAtOurMaximum() throws Exception {
        String yaml = Node.yaml(
                b,
                65000,
                raw.port,
                List.of("{address: " + a + ", asNumber: 65000, passive: true, gracefulRestart: {restartTime: 120}}"),
                "maxStaleRoutesTime: 2");
        try (Node node = new Node(b, raw.port, yaml)) {
            long closedAt;
            try (Socket s = raw.connect()) {
                Capabilities caps = new Capabilities(
                        Set.of(Family.IPV4_UNICAST),
                        65000,
                        true,
                        false,
                        new GracefulRestart(false, 4095, Map.of(Family.IPV4_UNICAST, true)),
                        Map.of(),
                        false);
                OutputStream out = s.getOutputStream();
                out.write(SessionDownRaceTest.bytes(Open.of(65000, 0, Ip.v4Int(a), caps)));
                out.write(SessionDownRaceTest.bytes(Keepalive.INSTANCE));
                out.write(announce(a, "10.92.0.1/32", "10.92.0.2/32"));
                out.flush();
                Await.until("routes learned", Duration.ofSeconds(10), () -> node.best("10.92.0.2/32") != null);
                closedAt = System.nanoTime();
            } // TCP closed without a NOTIFICATION: the peer restarts
            Await.until(
                    "kept as stale",
                    Duration.ofSeconds(5),
                    () -> node.best("10.92.0.1/32") != null && node.best("10.92.0.1/32").stale);
            Await.until("swept", Duration.ofSeconds(15), () -> node.rib.size() == 0);
            long kept = System.nanoTime() - closedAt;
            assertThat(kept)
                    .as("kept %d ms", kept / 1_000_000)
                    .isBetween(
                            Duration.ofMillis(1400).toNanos(),
                            Duration.ofSeconds(6).toNanos());
            assertThat(raw.logLines())
                    .anyMatch(l ->
                            l.contains("keeping 2 routes as stale for up to 2s (restart time 4095s, our maximum 2s)"));
            assertThat(raw.logLines()).anyMatch(l -> l.contains("stale time expired: removed 2 stale routes"));
        }
    }
}
