package org.calicojava.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.BgpError;
import org.calicojava.bgp.codec.Capabilities;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Keepalive;
import org.calicojava.bgp.codec.Message;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.Notification;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.codec.RouteRefresh;
import org.calicojava.bgp.codec.Update;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The FSM against a scripted peer over real TCP, asserting the bytes each step puts on the wire. */
class SessionFsmTest {
    static final Duration T = Duration.ofSeconds(20);
    final int n = 2 + ThreadLocalRandom.current().nextInt(250);
    final String us = "127.2." + n + ".10", them = "127.2." + n + ".11";
    final int port = Ports.free();
    final AdjRibIn rib = new AdjRibIn();
    Speaker speaker;

    @BeforeEach
    void start() {
        speaker = rib.speaker("""
                routerId: %s
                asNumber: 65010
                listen: {address: %s, port: %d}
                holdTime: 30
                idleHoldTime: 1
                neighbors:
                  - {address: %s, asNumber: 65011, passive: true, export: [all]}
                originate: [10.20.0.0/24]
                policies: {all: [{action: accept}]}
                """.formatted(us, us, port, them));
        speaker.start();
    }

    @AfterEach
    void stop() {
        speaker.close();
    }

    Peer peer() {
        return speaker.peer(them);
    }

    ScriptedPeer connect() throws Exception {
        return new ScriptedPeer(them, us, speaker.listenPort());
    }

    static Open open(int hold) {
        return open(hold, false);
    }

    static Open open(int hold, boolean enhancedRefresh) {
        return Open.of(
                65011,
                hold,
                Ip.v4Int("10.0.0.11"),
                new Capabilities(Set.of(Family.IPV4_UNICAST), 65011, true, enhancedRefresh, null, Map.of(), false));
    }

    ScriptedPeer established(int hold) throws Exception {
        return established(hold, false);
    }

    ScriptedPeer established(int hold, boolean enhancedRefresh) throws Exception {
        ScriptedPeer p = connect();
        p.send(open(hold, enhancedRefresh));
        Open theirs = p.readUntil(Open.class, T);
        assertThat(theirs.peerAs()).isEqualTo(65010);
        assertThat(theirs.capabilities().hasAs4()).isTrue();
        p.readUntil(Keepalive.class, T);
        p.send(Keepalive.INSTANCE);
        Await.until("Established", T, () -> peer().state() == SessionState.ESTABLISHED, () -> peer().toString());
        return p;
    }

    @Test
    void handshakeThenOriginatedRoutesThenEndOfRib() throws Exception {
        try (ScriptedPeer p = established(30)) {
            Update u = p.readUntil(Update.class, T);
            assertThat(u.nlri().toString()).isEqualTo("[10.20.0.0/24]");
            assertThat(u.attributes().asPath()).isEqualTo(AsPath.sequence(65010));
            assertThat(Ip.v4String(u.attributes().nextHop())).isEqualTo(us);
            assertThat(p.readUntil(Update.class, T).endOfRibFamily()).isEqualTo(Family.IPV4_UNICAST);
            assertThat(peer().negotiated().families()).containsExactly(Family.IPV4_UNICAST);
        }
    }

    @Test
    void routeRefreshResendsTheTable() throws Exception {
        try (ScriptedPeer p = established(30)) {
            p.readUntil(Update.class, T);
            assertThat(p.readUntil(Update.class, T).endOfRibFamily()).isEqualTo(Family.IPV4_UNICAST);
            p.send(new RouteRefresh(Family.IPV4_UNICAST, RouteRefresh.REQUEST));
            assertThat(p.readUntil(Update.class, T).nlri().toString()).isEqualTo("[10.20.0.0/24]");
        }
    }

    @Test
    void weCanAskThePeerForARefresh() throws Exception {
        try (ScriptedPeer p = established(30)) {
            assertThat(peer().requestRefresh(Family.IPV4_UNICAST)).isTrue();
            assertThat(p.readUntil(RouteRefresh.class, T))
                    .isEqualTo(new RouteRefresh(Family.IPV4_UNICAST, RouteRefresh.REQUEST));
            assertThat(peer().requestRefresh(Family.IPV6_UNICAST)).isFalse(); // not negotiated
        }
    }

    @Test
    void enhancedRouteRefreshIsFramedByBeginAndEnd() throws Exception {
        try (ScriptedPeer p = established(30, true)) {
            p.readUntil(Update.class, T);
            p.readUntil(Update.class, T);
            p.send(new RouteRefresh(Family.IPV4_UNICAST, RouteRefresh.REQUEST));
            assertThat(p.read(T)).isEqualTo(new RouteRefresh(Family.IPV4_UNICAST, RouteRefresh.BORR));
            assertThat(((Update) p.read(T)).nlri().toString()).isEqualTo("[10.20.0.0/24]");
            assertThat(p.read(T)).isEqualTo(new RouteRefresh(Family.IPV4_UNICAST, RouteRefresh.EORR));
        }
    }

    @Test
    void updateInOpenSentIsAnFsmError() throws Exception {
        try (ScriptedPeer p = connect()) {
            p.readUntil(Open.class, T);
            p.send(Update.endOfRib(Family.IPV4_UNICAST));
            assertThat(p.readUntil(Notification.class, T).error()).isEqualTo(BgpError.of(5, 1));
            assertThat(p.closedByPeer(T)).isTrue();
            assertThat(peer().lastError()).startsWith("unexpected UPDATE");
        }
    }

    @Test
    void holdTimeTwoIsRefused() throws Exception {
        try (ScriptedPeer p = connect()) { // OPEN: version 4, AS 65011, hold time 2, id 10.0.0.11, no parameters
            byte[] wire =
                    HexFormat.of().parseHex("ffffffffffffffffffffffffffffffff" + "001d01" + "04fdf300020a00000b00");
            p.sendRaw(wire);
            assertThat(p.readUntil(Notification.class, T).error()).isEqualTo(BgpError.of(2, 6));
        }
    }

    @Test
    void malformedUpdateSendsTheExactNotification() throws Exception {
        try (ScriptedPeer p = established(30)) {
            // UPDATE whose withdrawn length overruns the message: 3/1 malformed attribute list
            p.sendRaw(HexFormat.of().parseHex("ffffffffffffffffffffffffffffffff" + "0017" + "02" + "0005" + "0000"));
            assertThat(p.readUntil(Notification.class, T).error()).isEqualTo(BgpError.of(3, 1));
            assertThat(p.closedByPeer(T)).isTrue();
            Await.until("last error kept", T, () -> peer().lastError() != null, () -> peer().toString());
            assertThat(peer().lastError())
                    .isEqualTo("NOTIFICATION sent: UPDATE message error / malformed attribute list");
        }
    }

    @Test
    void treatAsWithdrawKeepsTheSessionAndDropsTheRoute() throws Exception {
        try (ScriptedPeer p = established(30)) {
            PathAttributes good = PathAttributes.builder()
                    .origin(0)
                    .asPath(AsPath.sequence(65011))
                    .nextHop(them)
                    .build();
            Nlri n = Nlri.builder(Family.IPV4_UNICAST, false)
                    .add(Prefix.parse("10.60.0.0/24"))
                    .build();
            p.send(Update.announce(good, n));
            Await.until("route in", T, () -> rib.routes(peer().address()).containsKey("10.60.0.0/24"));
            // same prefix, ORIGIN value 3: RFC 7606 treat-as-withdraw, session stays
            p.sendRaw(HexFormat.of()
                    .parseHex("ffffffffffffffffffffffffffffffff" + "002f" + "02" + "0000" + "0014" + "40010103"
                            + "4002060201" + "0000fdf3" + "400304" + "7f00000b" + "180a3c00"));
            Await.until(
                    "route withdrawn", T, () -> !rib.routes(peer().address()).containsKey("10.60.0.0/24"));
            p.send(Keepalive.INSTANCE);
            assertThat(peer().state()).isEqualTo(SessionState.ESTABLISHED);
        }
    }

    @Test
    void holdTimerExpiresWhenThePeerGoesQuiet() throws Exception {
        try (ScriptedPeer p = established(3)) {
            assertThat(peer().negotiated().holdTime()).isEqualTo(3);
            assertThat(peer().negotiated().keepaliveTime()).isEqualTo(1);
            Notification notification = p.readUntil(Notification.class, Duration.ofSeconds(15));
            assertThat(notification.error()).isEqualTo(BgpError.of(4, 0));
            assertThat(peer().lastError()).isEqualTo("hold timer expired");
        }
    }

    @Test
    void holdTimeZeroMeansNoKeepalives() throws Exception {
        try (ScriptedPeer p = established(0)) {
            assertThat(peer().negotiated().holdTime()).isZero();
            assertThat(peer().negotiated().keepaliveTime()).isZero();
            p.readUntil(Update.class, T);
            p.readUntil(Update.class, T); // End-of-RIB; after it nothing more may come
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.read(Duration.ofSeconds(3)))
                    .isInstanceOf(AssertionError.class);
            assertThat(peer().state()).isEqualTo(SessionState.ESTABLISHED);
        }
    }

    @Test
    void backPressureStopsReadingUntilThePeerDrains() throws Exception {
        try (ScriptedPeer p = established(0)) {
            PathAttributes a = PathAttributes.builder()
                    .origin(0)
                    .asPath(AsPath.sequence(65010))
                    .nextHop(us)
                    .build();
            List<Update> burst = new ArrayList<>();
            int total = 0;
            for (int i = 0; i < 4000; i++) { // 10 MB: more than the socket buffers hold while the peer does not read
                Nlri.Builder b = Nlri.builder(Family.IPV4_UNICAST, false);
                for (int k = 0; k < 500; k++) {
                    b.addV4(0x0b000000 + i * 500 + k, 32);
                }
                burst.add(Update.announce(a, b.build()));
                total += 500;
            }
            assertThat(peer().send(burst)).isTrue();
            Await.until("output blocked (channel not writable)", T, () -> !peer().isWritable());
            int got = 0;
            while (got < total) {
                Message m = p.read(T);
                if (m instanceof Update u && u.nlri().size() == 500) {
                    got += 500; // the burst, not the originated route
                }
            }
            assertThat(got).isEqualTo(total);
            Await.until("writable again", T, () -> peer().isWritable());
        }
    }
}
