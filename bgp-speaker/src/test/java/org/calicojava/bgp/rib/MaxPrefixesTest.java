package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.HexFormat;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Keepalive;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.session.Await;
import org.calicojava.bgp.session.SessionState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code maxPrefixes} per neighbour over real TCP (a raw iBGP peer on 127.x, limit 10, 25 new prefixes in one UPDATE):
 * {@code drop} keeps the session and the first 10, {@code warn} keeps all and says so once, {@code stop} sends
 * NOTIFICATION Cease / maximum number of prefixes reached with AFI 1, SAFI 1, limit 10, keeps nothing, refuses the peer
 * until {@code restartAfter} and then takes it again.
 */
class MaxPrefixesTest {
    final SessionDownRaceTest raw = new SessionDownRaceTest(); // its wire helpers, on its random addresses
    final String a = raw.a, b = raw.b;

    @BeforeEach
    void captureLog() {
        raw.captureLog();
    }

    @AfterEach
    void restoreLog() {
        raw.restoreLog();
    }

    Node speaker(String maxPrefixes) {
        return raw.speaker(", maxPrefixes: " + maxPrefixes);
    }

    static byte[] announce(String nextHop, int from, int to) {
        PathAttributes attrs = PathAttributes.builder()
                .origin(PathAttributes.ORIGIN_IGP)
                .asPath(AsPath.EMPTY)
                .nextHop(Ip.v4Int(nextHop))
                .build();
        Nlri.Builder n = Nlri.builder(Family.IPV4_UNICAST, false);
        for (int i = from; i < to; i++) {
            n.add(Prefix.parse("10.70.0." + i + "/32"));
        }
        return SessionDownRaceTest.bytes(Update.announce(attrs, n.build()));
    }

    Socket establish() throws Exception {
        Socket s = raw.connect();
        s.getOutputStream().write(SessionDownRaceTest.bytes(raw.open()));
        s.getOutputStream().write(SessionDownRaceTest.bytes(Keepalive.INSTANCE));
        return s;
    }

    long lines(String text) {
        return raw.logLines().stream().filter(l -> l.contains(text)).count();
    }

    @Test
    void dropKeepsTheSessionAndTheFirstPrefixesOnly() throws Exception {
        try (Node node = speaker("{limit: 10, action: drop}");
                Socket s = establish()) {
            OutputStream out = s.getOutputStream();
            out.write(announce(a, 0, 25));
            out.write(SessionDownRaceTest.bytes(Update.withdraw(Nlri.builder(Family.IPV4_UNICAST, false)
                    .add(Prefix.parse("10.70.0.0/32"))
                    .build())));
            out.write(announce(a, 99, 100)); // room again after the withdrawal
            out.flush();
            Await.until("10.70.0.99/32 learned", Duration.ofSeconds(10), () -> node.best("10.70.0.99/32") != null);
            assertThat(node.rib.size()).isEqualTo(10);
            assertThat(node.best("10.70.0.9/32")).isNotNull();
            assertThat(node.best("10.70.0.10/32")).isNull();
            assertThat(node.best("10.70.0.24/32")).isNull();
            assertThat(node.speaker.peer(a).state()).isEqualTo(SessionState.ESTABLISHED);
            assertThat(lines("action drop")).isEqualTo(1);
            assertThat(node.rib.call(() -> node.rib.peers.get(Ip.parse(a)).limitDropped))
                    .isEqualTo(15L);
        }
    }

    @Test
    void warnKeepsEverythingAndSaysSoOnce() throws Exception {
        try (Node node = speaker("{limit: 10, action: warn}");
                Socket s = establish()) {
            s.getOutputStream().write(announce(a, 0, 25));
            s.getOutputStream().write(announce(a, 30, 40));
            Await.until("all 35 learned", Duration.ofSeconds(10), () -> node.rib.size() == 35);
            assertThat(node.speaker.peer(a).state()).isEqualTo(SessionState.ESTABLISHED);
            assertThat(lines("action warn")).isEqualTo(1);
        }
    }

    @Test
    void stopSendsCeaseWithTheLimitAndRestartsAfterTheDelay() throws Exception {
        try (Node node = speaker("{limit: 10, action: stop, restartAfter: 3s}")) {
            long stoppedAt;
            try (Socket s = establish()) {
                // one write: the speaker reads it whole before it closes, so its close is a FIN and not a reset for
                // unread data
                ByteArrayOutputStream both = new ByteArrayOutputStream();
                both.write(announce(a, 0, 25));
                both.write(announce(a, 30, 40));
                s.getOutputStream().write(both.toByteArray());
                String answer = HexFormat.of().formatHex(s.getInputStream().readAllBytes());
                stoppedAt = System.nanoTime();
                // NOTIFICATION, length 28: Cease (6) / maximum number of prefixes reached (1), AFI 1, SAFI 1, limit 10
                assertThat(answer).endsWith("001c" + "03" + "06" + "01" + "0001" + "01" + "0000000a");
            }
            Await.until(
                    "session down",
                    Duration.ofSeconds(10),
                    () -> node.speaker.peer(a).state() == SessionState.IDLE);
            // the RIB's part of the session's end is queued after its state changes: wait for it
            Await.until("nothing kept of the stopped session", Duration.ofSeconds(10), () -> node.rib.size() == 0);
            assertThat(node.speaker.peer(a).lastError()).contains("maximum number of prefixes reached");
            try (Socket s = raw.connect()) { // refused while it waits: closed without an OPEN
                assertThat(s.getInputStream().readAllBytes()).isEmpty();
            }
            // after restartAfter it takes the peer again
            Await.until(
                    "accepting again",
                    Duration.ofSeconds(15),
                    () -> node.speaker.peer(a).state() == SessionState.ACTIVE);
            assertThat(System.nanoTime() - stoppedAt)
                    .isGreaterThan(Duration.ofMillis(2500).toNanos());
            try (Socket s = establish()) {
                s.getOutputStream().write(announce(a, 0, 5));
                Await.until(
                        "established again with 5 routes",
                        Duration.ofSeconds(10),
                        () -> node.speaker.peer(a).state() == SessionState.ESTABLISHED && node.rib.size() == 5);
            }
        }
    }
}
