package org.calicojava.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.Capabilities;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Keepalive;
import org.calicojava.bgp.codec.Message;
import org.calicojava.bgp.codec.MessageEncoder;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.rib.Node;
import org.calicojava.bgp.session.Await;
import org.calicojava.bgp.session.Peer;
import org.calicojava.bgp.session.SessionState;
import org.junit.jupiter.api.Test;

/**
 * {@code maxPrefixes: {limit: 1000, action: stop, restartAfter: 10s}} toward a real gobgpd (AS 65012, 127.1.N.11) that
 * has 5,000 routes, learned from a raw feeder peer (AS 65013, 127.1.N.12, 10 UPDATEs of 500 /32s): our speaker (AS
 * 65010, 127.1.N.10) stops the session with Cease / maximum number of prefixes reached (gobgpd counts the NOTIFICATION
 * and logs its code), its RIB never holds more than 1,000 of them, and the session is established again no sooner than
 * restartAfter (and stopped again, since gobgpd still has 5,000). Everything on 127.1.N.x like the other interop ITs:
 * the speaker runs in the test JVM, which must not add interfaces to the machine's namespace.
 */
class MaxPrefixesGoBgpIT {
    static final int RESTART_AFTER = 10;
    final Topology t = Topology.random();
    final String feeder = t.them().replaceAll("\\.11$", ".12");

    GoBgp gobgp() {
        return new GoBgp(
                """
                global:
                  config: {as: 65012, router-id: %s, port: %d, local-address-list: ["%s"]}
                neighbors:
                  - config: {neighbor-address: %s, peer-as: 65010}
                    timers: {config: {connect-retry: 1, hold-time: 9, keepalive-interval: 3}}
                    transport: {config: {local-address: %s, remote-port: %d}}
                    afi-safis: [{config: {afi-safi-name: ipv4-unicast}}]
                  - config: {neighbor-address: %s, peer-as: 65013}
                    timers: {config: {connect-retry: 1, hold-time: 9, keepalive-interval: 3}}
                    transport: {config: {local-address: %s, passive-mode: true}}
                    afi-safis: [{config: {afi-safi-name: ipv4-unicast}}]
                """.formatted(t.them(), t.theirPort(), t.them(), t.us(), t.them(), t.ourPort(), feeder, t.them()),
                t.theirPort() + 1000);
    }

    Node speaker() {
        return new Node(t.us(), t.ourPort(), """
                routerId: %s
                asNumber: 65010
                listen: {address: %s, port: %d}
                holdTime: 9
                connectRetryTime: 1
                idleHoldTime: 1
                neighbors:
                  - {address: %s, asNumber: 65012, port: %d, import: [all], maxPrefixes: {limit: 1000, action: stop, restartAfter: %ds}}
                policies:
                  all: [{action: accept}]
                """.formatted(
                        t.us(), t.us(), t.ourPort(), t.them(), t.theirPort(), RESTART_AFTER));
    }

    /**
     * Connects as AS 65013 (again while gobgpd, still starting, closes the connection before its OPEN) and sends 5,000
     * /32s with NEXT_HOP 203.0.113.12 (GoBGP refuses loopback next hops).
     */
    static Socket feed(String local, String remote, int port) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        byte[] open = bytes(Open.of(
                65013,
                0,
                Ip.v4Int(local),
                new Capabilities(Set.of(Family.IPV4_UNICAST), 65013, false, false, null, Map.of(), false)));
        Socket s;
        while (true) {
            s = new Socket();
            s.bind(new InetSocketAddress(local, 0));
            try {
                s.connect(new InetSocketAddress(remote, port), 2000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write(open);
                s.getOutputStream().write(bytes(Keepalive.INSTANCE));
                if (s.getInputStream().readNBytes(19).length == 19) {
                    break; // gobgpd's OPEN (header): it took the connection
                }
            } catch (IOException e) {
                // not listening yet, or closed on us
            }
            s.close();
            if (System.nanoTime() > deadline) {
                throw new IOException("gobgpd did not take the feeder's connection within 30 s");
            }
            Thread.sleep(300);
        }
        Socket sock = s;
        sock.setSoTimeout(0);
        Thread drain = new Thread(
                () -> {
                    try {
                        sock.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                    } catch (IOException e) {
                        // closed
                    }
                },
                "feeder-drain");
        drain.setDaemon(true);
        drain.start();
        var out = s.getOutputStream();
        PathAttributes a = PathAttributes.builder()
                .origin(PathAttributes.ORIGIN_IGP)
                .asPath(AsPath.sequence(65013))
                .nextHop(Ip.v4Int("203.0.113.12"))
                .build();
        for (int u = 0; u < 10; u++) {
            Nlri.Builder n = Nlri.builder(Family.IPV4_UNICAST, false);
            for (int i = 0; i < 500; i++) {
                int k = u * 500 + i;
                n.addV4(0x0a500000 | k, 32); // 10.80.0.0 + k
            }
            out.write(bytes(Update.announce(a, n.build())));
        }
        out.flush();
        return s;
    }

    static byte[] bytes(Message m) {
        ByteBuf b = Unpooled.buffer();
        MessageEncoder.encode(m, CodecOptions.AS4, b);
        byte[] r = new byte[b.readableBytes()];
        b.readBytes(r);
        b.release();
        return r;
    }

    static int notificationsReceived(String neighbor) {
        Matcher m = Pattern.compile("(?i)notifications?:?\\s+(\\d+)\\s+(\\d+)").matcher(neighbor);
        return m.find() ? Integer.parseInt(m.group(2)) : -1;
    }

    @Test
    void stopSendsCeaseOneToGoBgpAndTheSessionComesBackAfterRestartAfter() throws Exception {
        try (GoBgp g = gobgp();
                Socket f = feed(feeder, t.them(), t.theirPort());
                Node n = speaker()) {
            Await.until(
                    "gobgpd has the feeder's 5,000 routes",
                    Duration.ofSeconds(60),
                    () -> g.gobgp("neighbor", feeder, "adj-in", "-a", "ipv4")
                                            .lines()
                                            .filter(l -> l.contains("10.80."))
                                            .count()
                                    >= 5000
                            || g.gobgp("global", "rib", "-a", "ipv4", "summary").contains("5000"),
                    () -> g.gobgp("neighbor") + g.output());
            Peer p = n.speaker.peer(t.them());
            long firstSession = 0, secondSession = 0, stoppedAt = 0, backAt = 0, maxRib = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline && (secondSession == 0 || p.state() == SessionState.ESTABLISHED)) {
                long id = p.lastSessionId();
                maxRib = Math.max(maxRib, n.rib.size());
                if (firstSession == 0 && id != 0) {
                    firstSession = id;
                }
                if (firstSession != 0
                        && stoppedAt == 0
                        && p.state() != SessionState.ESTABLISHED
                        && p.lastError() != null
                        && p.lastError().contains("maximum number of prefixes reached")) stoppedAt = System.nanoTime();
                if (stoppedAt != 0 && id != firstSession && secondSession == 0) {
                    secondSession = id;
                    backAt = System.nanoTime();
                }
                Thread.sleep(20);
            }
            assertThat(stoppedAt).as("stopped for the limit: %s", p).isNotZero();
            assertThat(secondSession).as("established again: %s", p).isNotZero();
            assertThat(backAt - stoppedAt)
                    .as("not before restartAfter")
                    .isGreaterThanOrEqualTo(
                            Duration.ofMillis(RESTART_AFTER * 1000L - 500).toNanos());
            assertThat(maxRib).as("RIB bounded by the limit").isLessThanOrEqualTo(1000);
            assertThat(p.lastError()).contains("cease / maximum number of prefixes reached");
            Await.until(
                    "gobgpd counted our NOTIFICATIONs",
                    Duration.ofSeconds(20),
                    () -> notificationsReceived(g.gobgp("neighbor", t.us())) >= 2,
                    () -> g.gobgp("neighbor", t.us()));
            String down = String.join(
                    "\n",
                    g.output()
                            .lines()
                            .filter(l -> l.contains("Peer Down") && l.contains(t.us()))
                            .toList());
            System.out.println("gobgpd:\n" + down + "\ngobgp neighbor " + t.us() + ":\n" + g.gobgp("neighbor", t.us()));
            assertThat(down)
                    .as("gobgpd's log")
                    .containsPattern("(?i)code 6.*subcode 1|ErrorCode\\W+6\\W+ErrorSubcode\\W+1");
        }
    }
}
