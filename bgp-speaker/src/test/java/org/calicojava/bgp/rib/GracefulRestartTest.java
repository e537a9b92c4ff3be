package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.BgpError;
import org.calicojava.bgp.codec.Capabilities;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.GracefulRestart;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Keepalive;
import org.calicojava.bgp.codec.MpReach;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.Notification;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.session.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Graceful restart as receiving speaker (RFC 4724 4.2, without RFC 8538: the peer's capability has no N bit; with it
 * see {@link NotificationGracefulRestartTest}), over real TCP with a raw iBGP peer whose OPEN carries the capability: only a session lost without a NOTIFICATION keeps routes as stale, and only those of the
 * families the capability listed; a session ended by a NOTIFICATION either way flushes them at once; when the session
 * comes back without the capability, without a family or with its Forwarding State bit clear, that family's stale
 * routes go at once, otherwise at its End-of-RIB.
 */
class GracefulRestartTest {
    static final Duration T = Duration.ofSeconds(10);
    static final String MARKER = "ffffffffffffffffffffffffffffffff";
    static final Set<Family> BOTH = Set.of(Family.IPV4_UNICAST, Family.IPV6_UNICAST);
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
        return raw.speaker(", gracefulRestart: {restartTime: 120}");
    }

    Open open(int hold, GracefulRestart gr) {
        return Open.of(65000, hold, Ip.v4Int(a), new Capabilities(BOTH, 65000, true, false, gr, Map.of(), false));
    }

    static GracefulRestart gr(Map<Family, Boolean> forwarding) {
        return new GracefulRestart(true, 120, forwarding);
    }

    /** A session of the raw peer with {@code open}, Established and seen by the RIB. */
    Socket connect(Node node, Open open) throws Exception {
        Socket s = raw.connect();
        OutputStream out = s.getOutputStream();
        out.write(SessionDownRaceTest.bytes(open));
        out.write(SessionDownRaceTest.bytes(Keepalive.INSTANCE));
        out.flush();
        Await.until(
                "established in the RIB",
                T,
                () -> node.up(a)
                        && node.rib.call(() -> {
                            // the RIB thread may not have taken the session yet: no entry for the peer until it has
                            PeerInfo pi = node.rib.peers.get(Ip.parse(a));
                            return pi != null && pi.established;
                        }));
        return s;
    }

    /** Announces 10.94.0.1/32 and 2001:db8:94::/48 and waits until both are best. */
    void announceBoth(Node node, Socket s) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(NextHopAndStaleTimeTest.announce(a, "10.94.0.1/32"));
        PathAttributes attrs = PathAttributes.builder()
                .origin(PathAttributes.ORIGIN_IGP)
                .asPath(AsPath.EMPTY)
                .build();
        Nlri.Builder v6 = Nlri.builder(Family.IPV6_UNICAST, false);
        v6.add(Prefix.parse("2001:db8:94::/48"));
        out.write(SessionDownRaceTest.bytes(Update.announce(
                attrs, new MpReach(Family.IPV6_UNICAST, Ip.parse("2001:db8::9").getAddress(), v6.build()))));
        out.flush();
        Await.until("routes learned", T, () -> v4(node) != null && v6(node) != null);
    }

    static Path v4(Node node) {
        return node.best("10.94.0.1/32");
    }

    static Path v6(Node node) {
        return node.best("2001:db8:94::/48");
    }

    /** The NOTIFICATION we sent on {@code s}, in hex from its type octet on, or null. */
    static String sentNotification(Socket s) throws Exception {
        String n = BfdDownTest.notification(s);
        return n == null ? null : n.substring(36);
    }

    @Test
    void aNotificationReceivedFlushesTheRoutesAtOnce() throws Exception {
        try (Node node = node();
                Socket s = connect(node, open(0, gr(Map.of(Family.IPV4_UNICAST, true, Family.IPV6_UNICAST, true))))) {
            announceBoth(node, s);
            s.getOutputStream()
                    .write(SessionDownRaceTest.bytes(new Notification(BgpError.of(6, 2)))); // Cease / shutdown
            s.getOutputStream().flush();
            Await.until("routes gone", T, () -> node.rib.size() == 0);
            assertThat(raw.logLines()).noneMatch(l -> l.contains("keeping") && l.contains("stale"));
        }
    }

    /** Our NOTIFICATION: 3/1 for a malformed UPDATE, 4/0 when the hold timer (3 s) expires. */
    @ParameterizedTest
    @ValueSource(strings = {"malformed", "hold"})
    void aNotificationSentFlushesTheRoutesAtOnce(String cause) throws Exception {
        int hold = cause.equals("hold") ? 3 : 0;
        try (Node node = node();
                Socket s =
                        connect(node, open(hold, gr(Map.of(Family.IPV4_UNICAST, true, Family.IPV6_UNICAST, true))))) {
            announceBoth(node, s);
            if (cause.equals("malformed")) {
                s.getOutputStream().write(HexFormat.of().parseHex(MARKER + "0017" + "02" + "0005" + "0000"));
                s.getOutputStream().flush(); // withdrawn length 5 in a 23-byte UPDATE
            }
            // type NOTIFICATION, then code and subcode
            assertThat(sentNotification(s)).isEqualTo(cause.equals("hold") ? "030400" : "030301");
            Await.until("routes gone", T, () -> node.rib.size() == 0);
            assertThat(raw.logLines()).noneMatch(l -> l.contains("keeping") && l.contains("stale"));
        }
    }

    @Test
    void onlyTheFamiliesOfTheCapabilityAreKeptStale() throws Exception {
        try (Node node = node()) {
            try (Socket s = connect(node, open(0, gr(Map.of(Family.IPV4_UNICAST, false))))) {
                announceBoth(node, s);
            } // closed without a NOTIFICATION
            Await.until("IPv4 kept as stale", T, () -> v4(node) != null && v4(node).stale);
            assertThat(v6(node))
                    .as("IPv6, not in the capability, removed at once")
                    .isNull();
        }
    }

    /** The new session's capability: none, IPv4 without Forwarding State, IPv4 absent. */
    @ParameterizedTest
    @ValueSource(strings = {"none", "forwarding-clear", "family-absent"})
    void staleRoutesGoAtOnceWhenTheNewSessionDoesNotPreserveTheirFamily(String next) throws Exception {
        GracefulRestart again = switch (next) {
            case "none" -> null;
            case "forwarding-clear" -> gr(Map.of(Family.IPV4_UNICAST, false, Family.IPV6_UNICAST, true));
            default -> gr(Map.of(Family.IPV6_UNICAST, true));
        };
        try (Node node = node()) {
            try (Socket s = connect(node, open(0, gr(Map.of(Family.IPV4_UNICAST, true, Family.IPV6_UNICAST, true))))) {
                announceBoth(node, s);
            }
            Await.until("kept as stale", T, () -> v4(node) != null && v4(node).stale && v6(node).stale);
            try (Socket s = connect(node, open(0, again))) {
                Await.until("IPv4's stale route removed without End-of-RIB", T, () -> v4(node) == null);
                if (again != null) {
                    assertThat(v6(node)).as("IPv6 still preserved").isNotNull().matches(p -> p.stale);
                } else {
                    assertThat(v6(node)).isNull();
                }
            }
        }
    }

    @Test
    void staleRoutesOfAPreservedFamilyStayUntilItsEndOfRib() throws Exception {
        GracefulRestart both = gr(Map.of(Family.IPV4_UNICAST, true, Family.IPV6_UNICAST, true));
        try (Node node = node()) {
            try (Socket s = connect(node, open(0, both))) {
                announceBoth(node, s);
            }
            Await.until("kept as stale", T, () -> v4(node) != null && v4(node).stale);
            try (Socket s = connect(node, open(0, both))) {
                assertThat(v4(node)).isNotNull().matches(p -> p.stale);
                s.getOutputStream().write(SessionDownRaceTest.bytes(Update.endOfRib(Family.IPV4_UNICAST)));
                s.getOutputStream().flush();
                Await.until("IPv4 swept at its End-of-RIB", T, () -> v4(node) == null);
                assertThat(v6(node)).isNotNull().matches(p -> p.stale);
            }
        }
    }
}
