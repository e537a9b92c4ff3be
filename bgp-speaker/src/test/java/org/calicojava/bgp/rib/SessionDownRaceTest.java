package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.session.Await;
import org.calicojava.bgp.session.SessionState;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 22, session-down race and log flood, over real TCP on 127.x: the speaker's RIB thread (which is also the
 * sessions' event loop) is held while a raw peer writes OPEN, KEEPALIVE, 100 UPDATEs and a malformed message in one
 * segment, so that on release all of them are read in one batch: the session reaches Established, queues the UPDATEs
 * for the RIB and goes down before the RIB has run any of it. This is the fuzzing's NullPointerException
 * ({@code Peer.negotiated()} null in the RIB), reproduced every round. The speaker's log (slf4j-simple, stderr) is
 * captured and checked line by line.
 */
class SessionDownRaceTest {
    static final CodecOptions WIRE = new CodecOptions(true, Set.of(), Set.of(), false, true);
    final int port = Ports.free();
    final String net = "127.9." + (1 + ThreadLocalRandom.current().nextInt(250)) + ".";
    final String a = net + 1, b = net + 2;
    final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream realErr;

    @BeforeEach
    void captureLog() {
        realErr = System.err;
        System.setErr(new PrintStream(new TeeStream(realErr, captured), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreLog() {
        System.setErr(realErr);
    }

    List<String> logLines() {
        System.err.flush();
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8).lines().toList();
        }
    }

    Node speaker() {
        // iBGP: everything received is accepted, so a route that got into the RIB would show
        return speaker("");
    }

    /** The speaker on {@code b} with one passive iBGP neighbour {@code a}; {@code options}: more of its YAML fields. */
    Node speaker(String options) {
        return new Node(
                b,
                port,
                Node.yaml(
                        b,
                        65000,
                        port,
                        List.of("{address: " + a + ", asNumber: 65000, passive: true" + options + "}"),
                        ""));
    }

    @Test
    void updatesInFlightWhenTheSessionFailsAreDroppedWithoutExceptions() throws Exception {
        try (Node node = speaker()) {
            int rounds = 20;
            for (int round = 0; round < rounds; round++) {
                CountDownLatch hold = new CountDownLatch(1);
                node.rib.thread().execute(() -> {
                    try {
                        hold.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                ByteArrayOutputStream burst = new ByteArrayOutputStream();
                burst.write(bytes(open()));
                burst.write(bytes(Keepalive.INSTANCE));
                for (int i = 0; i < 100; i++) {
                    burst.write(bytes(announce("10.50." + round + "." + i + "/32")));
                }
                burst.write(
                        HexFormat.of().parseHex("ffffffffffffffffffffffffffffff00" + "0013" + "04")); // bad marker: 1/1
                try (Socket s = connect()) {
                    s.getOutputStream().write(burst.toByteArray());
                    s.getOutputStream().flush();
                    Thread.sleep(100);
                    hold.countDown();
                    byte[] answer = s.getInputStream().readAllBytes(); // OPEN, KEEPALIVE, NOTIFICATION 1/1, then EOF
                    assertThat(HexFormat.of().formatHex(answer)).contains("0015" + "03" + "0101");
                }
                Await.until(
                        "session down again",
                        Duration.ofSeconds(10),
                        () -> node.speaker.peer(a).state() != SessionState.ESTABLISHED && node.rib.call(() -> true));
                final int r = round;
                assertThat(node.rib.call(() -> node.rib.peers.get(Ip.parse(a)).droppedInFlight))
                        .isEqualTo(100L * (r + 1));
                assertThat(node.rib.call(
                                () -> node.rib.peers.get(Ip.parse(a)).queued.get()))
                        .as("back-pressure count")
                        .isZero();
            }
            assertThat(node.rib.size()).isZero();
            assertThat(node.rib.protocols().get(0).get("received")).isEqualTo(0L);
            List<String> lines = logLines();
            assertThat(lines).noneMatch(l -> l.contains("Exception") || l.contains("rib:"));
            // 20 identical failures: one "session down" line, the rest counted
            assertThat(lines.stream().filter(l -> l.contains("peer " + a) && l.contains("session down")))
                    .hasSize(1);
        }
    }

    @Test
    void aPeerTriggeredErrorIsLoggedOncePerInterval() throws Exception {
        try (Node node = speaker();
                Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(bytes(open()));
            out.write(bytes(Keepalive.INSTANCE));
            out.write(bytes(announce("10.60.0.1/32")));
            out.flush();
            Await.until("10.60.0.1/32 learned", Duration.ofSeconds(10), () -> node.best("10.60.0.1/32") != null);
            // ORIGIN 3 (RFC 7606 7.1: treat-as-withdraw), 500 times for 10.60.0.1/32 and 10.60.0.2/32 in turn
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < 500; i++) {
                String nlri = i % 2 == 0 ? "20 0a3c0001" : "20 0a3c0002";
                burst.write(rawUpdate("40 01 01 03  40 02 00  40 03 04" + String.format("%08x", Ip.v4Int(a)), nlri));
            }
            out.write(burst.toByteArray());
            out.write(bytes(announce("10.60.0.9/32"))); // after all of them: once it is in, all were handled
            out.flush();
            Await.until("10.60.0.9/32 learned", Duration.ofSeconds(10), () -> node.best("10.60.0.9/32") != null);
            assertThat(node.best("10.60.0.1/32")).as("treated as withdrawn").isNull();
            assertThat(node.speaker.peer(a).state()).isEqualTo(SessionState.ESTABLISHED);
            List<String> lines = logLines();
            assertThat(lines.stream().filter(l -> l.contains("TREAT_AS_WITHDRAW")))
                    .hasSize(1);
            assertThat(lines).noneMatch(l -> l.contains("Exception"));
        }
    }

    Socket connect() throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(a, 0));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                s.connect(new InetSocketAddress(b, port), 2000);
                s.setSoTimeout(15_000);
                return s;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                s.close();
                s = new Socket();
                s.bind(new InetSocketAddress(a, 0));
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    throw new IOException(ie);
                }
            }
        }
    }

    Open open() {
        return Open.of(
                65000,
                0,
                Ip.v4Int(a),
                new Capabilities(Set.of(Family.IPV4_UNICAST), 65000, true, false, null, Map.of(), false));
    }

    Update announce(String prefix) {
        PathAttributes attrs = PathAttributes.builder()
                .origin(PathAttributes.ORIGIN_IGP)
                .asPath(AsPath.EMPTY)
                .nextHop(Ip.v4Int(a))
                .build();
        return Update.announce(
                attrs,
                Nlri.builder(Family.IPV4_UNICAST, false)
                        .add(Prefix.parse(prefix))
                        .build());
    }

    static byte[] bytes(Message m) {
        ByteBuf buf = Unpooled.buffer();
        MessageEncoder.encode(m, WIRE, buf);
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        buf.release();
        return out;
    }

    /** An UPDATE with no withdrawn routes, the given path attributes and NLRI (hex, spaces allowed). */
    static byte[] rawUpdate(String attrs, String nlri) {
        String at = attrs.replaceAll("\\s+", ""), nl = nlri.replaceAll("\\s+", "");
        int len = 19 + 2 + 2 + at.length() / 2 + nl.length() / 2;
        String hex = "ff".repeat(16) + String.format("%04x02", len) + "0000" + String.format("%04x", at.length() / 2)
                + at + nl;
        return HexFormat.of().parseHex(hex);
    }

    /** Writes to the real stderr and keeps a copy. */
    static final class TeeStream extends OutputStream {
        final OutputStream a;
        final ByteArrayOutputStream copy;

        TeeStream(OutputStream a, ByteArrayOutputStream copy) {
            this.a = a;
            this.copy = copy;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            synchronized (copy) {
                copy.write(x);
            }
        }

        @Override
        public void write(byte[] bs, int off, int len) throws IOException {
            a.write(bs, off, len);
            synchronized (copy) {
                copy.write(bs, off, len);
            }
        }
    }
}
