package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.calicojava.bgp.codec.Capabilities;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.GracefulRestart;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Keepalive;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.session.Await;
import org.calicojava.bgp.session.SessionState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The BGP side of BFD Down (RFC 5882, RFC 9384) over real TCP with a raw iBGP peer that negotiated graceful restart:
 * {@code Peer.bfdDown} sends exactly NOTIFICATION Cease / BFD Down (6/10) and the peer's routes go at once, not kept
 * as stale; with {@code graceful} (BIRD's {@code bfd graceful}) the connection closes without NOTIFICATION and the
 * routes are kept as stale.
 */
class BfdDownTest {
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

    Node node() {
        return raw.speaker(", gracefulRestart: {restartTime: 120}, bfd: true");
    }

    Socket established(Node node) throws Exception {
        Socket s = raw.connect();
        Capabilities caps = new Capabilities(
                Set.of(Family.IPV4_UNICAST),
                65000,
                true,
                false,
                new GracefulRestart(false, 120, Map.of(Family.IPV4_UNICAST, true)),
                Map.of(),
                false);
        OutputStream out = s.getOutputStream();
        out.write(SessionDownRaceTest.bytes(Open.of(65000, 0, Ip.v4Int(a), caps)));
        out.write(SessionDownRaceTest.bytes(Keepalive.INSTANCE));
        out.write(NextHopAndStaleTimeTest.announce(a, "10.93.0.1/32", "10.93.0.2/32"));
        out.flush();
        Await.until("routes learned", Duration.ofSeconds(10), () -> node.best("10.93.0.2/32") != null);
        return s;
    }

    /** Reads messages until a NOTIFICATION (its bytes in hex) or the end of the stream (null). */
    static String notification(Socket s) throws Exception {
        s.setSoTimeout(10_000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] header = new byte[19];
        while (true) {
            try {
                in.readFully(header);
            } catch (java.io.EOFException e) {
                return null;
            }
            int len = (header[16] & 0xff) << 8 | header[17] & 0xff;
            byte[] body = new byte[len - 19];
            in.readFully(body);
            if (header[18] == 3) {
                return HexFormat.of().formatHex(header) + HexFormat.of().formatHex(body);
            }
        }
    }

    @Test
    void bfdDownSendsCeaseTenAndFlushesDespiteGracefulRestart() throws Exception {
        try (Node node = node();
                Socket s = established(node)) {
            node.speaker.peer(a).bfdDown(false, "BFD session down (Control Detection Time Expired)");
            // marker, length 21, NOTIFICATION, Cease (6), BFD Down (10)
            assertThat(notification(s)).isEqualTo("ffffffffffffffffffffffffffffffff" + "0015" + "03" + "06" + "0a");
            Await.until("routes gone", Duration.ofSeconds(5), () -> node.rib.size() == 0);
            assertThat(raw.logLines()).noneMatch(l -> l.contains("keeping") && l.contains("stale"));
            assertThat(node.speaker.peer(a).lastError())
                    .isEqualTo("NOTIFICATION sent: BFD session down (Control Detection Time Expired)");
        }
    }

    @Test
    void gracefulKeepsTheRoutesAsStale() throws Exception {
        try (Node node = node();
                Socket s = established(node)) {
            node.speaker.peer(a).bfdDown(true, "BFD session down (Control Detection Time Expired)");
            assertThat(notification(s)).as("closed without NOTIFICATION").isNull();
            Await.until(
                    "kept as stale",
                    Duration.ofSeconds(5),
                    () -> node.best("10.93.0.1/32") != null && node.best("10.93.0.1/32").stale);
            assertThat(node.speaker.peer(a).state()).isNotEqualTo(SessionState.ESTABLISHED);
        }
    }
}
