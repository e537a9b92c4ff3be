package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.calicojava.bgp.codec.BgpError;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.GracefulRestart;
import org.calicojava.bgp.codec.Notification;
import org.calicojava.bgp.session.Await;
import org.calicojava.bgp.session.SessionState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 8538 over real TCP with a raw iBGP peer whose graceful restart capability carries the N bit (as FRR's does): a
 * session ended by a NOTIFICATION other than Cease / Hard Reset, sent or received, keeps the peer's routes as stale
 * like a lost connection; a Hard Reset either way flushes them; the Ceases RFC 8538 section 5 wants as Hard Reset (our
 * prefix limit, administrative shutdown) and BFD Down without {@code graceful} go as 6/9 carrying the original code,
 * subcode and data. Without {@code notification: true} here (the default), nothing changes: any NOTIFICATION flushes.
 */
class NotificationGracefulRestartTest {
    static final Duration T = Duration.ofSeconds(10);
    static final String MARKER = GracefulRestartTest.MARKER;
    static final Map<Family, Boolean> PRESERVED = Map.of(Family.IPV4_UNICAST, true, Family.IPV6_UNICAST, true);
    /** The peer's capability: N bit set, both families preserved. */
    static final GracefulRestart WITH_N = new GracefulRestart(false, true, 120, PRESERVED);

    final GracefulRestartTest gr = new GracefulRestartTest();
    final SessionDownRaceTest raw = gr.raw;
    final String a = gr.a;

    @BeforeEach
    void captureLog() {
        raw.captureLog();
    }

    @AfterEach
    void restoreLog() {
        raw.restoreLog();
    }

    Node node(String more) {
        return raw.speaker(", gracefulRestart: {restartTime: 120, notification: true}" + more);
    }

    Socket established(Node node, int hold) throws Exception {
        return gr.connect(node, gr.open(hold, WITH_N));
    }

    /** The first message on {@code s} (our OPEN), in hex. */
    static String firstMessage(Socket s) throws Exception {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] header = new byte[19];
        in.readFully(header);
        byte[] body = new byte[((header[16] & 0xff) << 8 | header[17] & 0xff) - 19];
        in.readFully(body);
        return HexFormat.of().formatHex(header) + HexFormat.of().formatHex(body);
    }

    void send(Socket s, BgpError e) throws Exception {
        s.getOutputStream().write(SessionDownRaceTest.bytes(new Notification(e)));
        s.getOutputStream().flush();
    }

    boolean keptStale() {
        return raw.logLines().stream().anyMatch(l -> l.contains("keeping") && l.contains("stale"));
    }

    boolean bothStale(Node node) {
        Path v4 = GracefulRestartTest.v4(node), v6 = GracefulRestartTest.v6(node);
        return v4 != null && v4.stale && v6 != null && v6.stale;
    }

    @Test
    void ourOpenCarriesTheNBitAndAPeersHoldTimerNotificationKeepsItsRoutesStale() throws Exception {
        try (Node node = node("");
                Socket s = established(node, 0)) {
            // graceful restart, 10 bytes: flags N (0x4), restart time 120; IPv4 and IPv6 unicast, forwarding preserved
            assertThat(firstMessage(s)).startsWith(MARKER).contains("400a" + "4078" + "00010180" + "00020180");
            gr.announceBoth(node, s);
            send(s, BgpError.of(BgpError.HOLD_TIMER_EXPIRED, 0));
            Await.until("both kept as stale", T, () -> bothStale(node));
            assertThat(node.speaker.peer(a).state()).isNotEqualTo(SessionState.ESTABLISHED);
            assertThat(node.speaker.peer(a).flushOnDown()).isFalse();
            assertThat(keptStale()).isTrue();
        }
    }

    @Test
    void ourHoldTimerExpiryKeepsTheRoutesStale() throws Exception {
        try (Node node = node("");
                Socket s = established(node, 3)) {
            gr.announceBoth(node, s);
            // no KEEPALIVE from the peer: after 3 s we send 4/0, and that is no Hard Reset
            assertThat(GracefulRestartTest.sentNotification(s)).isEqualTo("030400");
            Await.until("both kept as stale", T, () -> bothStale(node));
        }
    }

    @Test
    void aHardResetFromThePeerFlushesItsRoutesStaleOnesToo() throws Exception {
        try (Node node = node("")) {
            try (Socket s = established(node, 0)) {
                gr.announceBoth(node, s);
                send(s, BgpError.of(6, 4)); // administrative reset, not as Hard Reset: graceful restart
                Await.until("both kept as stale", T, () -> bothStale(node));
            }
            try (Socket s = established(node, 0)) {
                assertThat(bothStale(node)).as("still stale, no End-of-RIB yet").isTrue();
                send(s, BgpError.hardReset(BgpError.of(6, 4)));
                Await.until("routes gone at once", T, () -> node.rib.size() == 0);
                assertThat(node.speaker.peer(a).lastError())
                        .isEqualTo("NOTIFICATION received: cease / hard reset: cease / administrative reset");
                assertThat(node.speaker.peer(a).flushOnDown()).isTrue();
            }
        }
    }

    @Test
    void aHardResetBeforeTheNewSessionIsEstablishedFlushesTheStaleRoutes() throws Exception {
        try (Node node = node("")) {
            try (Socket s = established(node, 0)) {
                gr.announceBoth(node, s);
                send(s, BgpError.of(BgpError.HOLD_TIMER_EXPIRED, 0));
                Await.until("both kept as stale", T, () -> bothStale(node));
            }
            // the peer comes back: its OPEN but no KEEPALIVE (our side in OpenConfirm), then a Hard Reset
            try (Socket s = raw.connect()) {
                s.getOutputStream().write(SessionDownRaceTest.bytes(gr.open(0, WITH_N)));
                s.getOutputStream().flush();
                Await.until(
                        "OpenConfirm",
                        T,
                        () -> node.speaker.peer(a).state() == SessionState.OPEN_CONFIRM,
                        () -> node.speaker.peer(a).toString());
                assertThat(bothStale(node)).as("still stale").isTrue();
                send(s, BgpError.hardReset(BgpError.of(BgpError.CEASE, BgpError.ADMIN_SHUTDOWN)));
                Await.until("stale routes gone at once", T, () -> node.rib.size() == 0);
            }
        }
    }

    @Test
    void aNestedHardResetIsNamedOneLevelDeep() {
        byte[] nested = new byte[4000];
        for (int i = 0; i < nested.length; i += 2) {
            nested[i] = 6;
            nested[i + 1] = 9;
        }
        String s = new BgpError(BgpError.CEASE, BgpError.HARD_RESET, nested).toString();
        assertThat(s).startsWith("cease / hard reset: cease / hard reset (data 0609");
    }

    @Test
    void ourPrefixLimitStopSendsAHardResetAndFlushes() throws Exception {
        try (Node node = node(", maxPrefixes: {limit: 10, action: stop, restartAfter: 0}");
                Socket s = established(node, 0)) {
            s.getOutputStream().write(MaxPrefixesTest.announce(a, 0, 25));
            s.getOutputStream().flush();
            // length 30, NOTIFICATION, Cease / Hard Reset, then the original: Cease (6) / maximum number of prefixes
            // reached (1) with its data AFI 1, SAFI 1, limit 10
            assertThat(BfdDownTest.notification(s))
                    .isEqualTo(MARKER + "001e" + "03" + "0609" + "0601" + "0001" + "01" + "0000000a");
            Await.until("routes gone", T, () -> node.rib.size() == 0);
            assertThat(keptStale()).isFalse();
            assertThat(node.speaker.peer(a).lastError())
                    .contains("maximum number of prefixes reached")
                    .endsWith("(as Cease / Hard Reset, RFC 8538)");
        }
    }

    @Test
    void bfdDownWithoutGracefulSendsAHardResetAndFlushes() throws Exception {
        try (Node node = node(", bfd: true");
                Socket s = established(node, 0)) {
            gr.announceBoth(node, s);
            node.speaker.peer(a).bfdDown(false, "BFD session down (Control Detection Time Expired)");
            // length 23: Cease / Hard Reset carrying Cease / BFD Down (10)
            assertThat(BfdDownTest.notification(s)).isEqualTo(MARKER + "0017" + "03" + "0609" + "060a");
            Await.until("routes gone", T, () -> node.rib.size() == 0);
            assertThat(keptStale()).isFalse();
        }
    }

    @Test
    void administrativeShutdownGoesAsHardReset() throws Exception {
        try (Node node = node("");
                Socket s = established(node, 0)) {
            node.speaker.close(); // Cease / administrative shutdown
            assertThat(BfdDownTest.notification(s)).isEqualTo(MARKER + "0017" + "03" + "0609" + "0602");
        }
    }

    @Test
    void withoutNotificationHereAPeersHoldTimerNotificationFlushes() throws Exception {
        try (Node node = raw.speaker(", gracefulRestart: {restartTime: 120}");
                Socket s = established(node, 0)) {
            assertThat(firstMessage(s)).as("no N bit in our OPEN").contains("400a" + "0078" + "00010180" + "00020180");
            gr.announceBoth(node, s);
            send(s, BgpError.of(BgpError.HOLD_TIMER_EXPIRED, 0));
            Await.until("routes gone at once", T, () -> node.rib.size() == 0);
            assertThat(keptStale()).isFalse();
        }
    }
}
