package org.calicojava.bgp.bfd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.session.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two {@link BfdManager}s over real UDP sockets on 127.0.3.x port 3784 (needs root for the port): sessions come Up,
 * a stalled side is detected Down (and the BGP client told), an AdminDown is not a failure for the client, and the
 * socket filter keeps out packets whose TTL is not 255.
 */
class BfdManagerTest {
    static final InetAddress A = BfdSessionTest.addr("127.0.3.1"),
            B = BfdSessionTest.addr("127.0.3.2"),
            C = BfdSessionTest.addr("127.0.3.5");
    final List<String> downsA = new CopyOnWriteArrayList<>();
    final Metrics metricsA = new Metrics();
    BfdManager a, b, c;

    @AfterEach
    void close() {
        for (BfdManager m : new BfdManager[] {a, b, c}) {
            if (m != null) {
                m.close();
            }
        }
    }

    @Test
    void upDetectionAndAdminDown() throws Exception {
        a = new BfdManager(
                A,
                null,
                BfdManager.PORT,
                metricsA,
                (peer, graceful, why) -> downsA.add(peer.getHostAddress() + " " + why));
        b = new BfdManager(B, null, BfdManager.PORT, null, null);
        // 300 ms x 5: a detection time of 1.5 s, so that a pause of the test's JVM on a loaded machine is no Down
        BfdSettings slow = new BfdSettings(300_000, 300_000, 5, false);
        a.configure(Map.of(B, slow));
        b.configure(Map.of(A, slow));
        long t0 = System.nanoTime();
        Await.until(
                "both Up",
                Duration.ofSeconds(10),
                () -> "Up".equals(a.state(B)) && "Up".equals(b.state(A)),
                () -> a.sessions() + " " + b.sessions());
        System.out.printf("BfdManagerTest: Up after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        Await.until(
                "fast rate after the poll",
                Duration.ofSeconds(5),
                () -> ((Double) a.sessions().get(0).get("txIntervalMs")) == 300.0,
                () -> a.sessions().toString());
        assertTrue(metricsA.text().contains("bfd_packets_received_total "), metricsA.text());
        assertTrue(
                metricsA.text().contains("bfd_state_changes_total{peer=\"127.0.3.2\",state=\"Up\"} 1.0"),
                metricsA.text());

        // B's loop stalls for 4 s: A hears nothing and goes Down after its detection time, telling the client
        b.loop().execute(() -> sleep(4000));
        Await.until("A Down", Duration.ofSeconds(8), () -> "Down".equals(a.state(B)));
        assertEquals(List.of("127.0.3.2 BFD session down (Control Detection Time Expired)"), downsA);
        Await.until("Up again", Duration.ofSeconds(10), () -> "Up".equals(a.state(B)) && "Up".equals(b.state(A)));

        // B removes its session: AdminDown, A goes Down without telling the client (RFC 5882 3.2)
        b.configure(Map.of());
        Await.until("A Down by AdminDown", Duration.ofSeconds(5), () -> "Down".equals(a.state(B)));
        assertEquals("AdminDown", a.sessions().get(0).get("remoteState"));
        assertEquals(1, downsA.size(), "AdminDown is not a failure: " + downsA);
    }

    @Test
    void onlyTtl255PassesTheSocketFilter() throws Exception {
        Metrics m = new Metrics();
        c = new BfdManager(C, null, BfdManager.PORT, m, null);
        c.configure(Map.of(BfdSessionTest.addr("127.0.3.9"), BfdSettings.DEFAULT)); // opens the receiver; nobody there
        EventLoopGroup g = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            for (int ttl : new int[] {64, 254, 255}) {
                Channel ch = new Bootstrap()
                        .group(g)
                        .channelFactory(() -> new EpollDatagramChannel(SocketProtocolFamily.INET))
                        .option(TtlFilter.TTL4, ttl)
                        .handler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel x) {}
                        })
                        .connect(
                                new InetSocketAddress(C, BfdManager.PORT),
                                new InetSocketAddress(BfdSessionTest.addr("127.0.3.3"), 0))
                        .sync()
                        .channel();
                BfdPacket p = BfdSessionTest.packet(BfdState.DOWN, 42, 0);
                ByteBuf buf = Unpooled.buffer();
                p.encode(buf);
                ch.writeAndFlush(buf).sync();
                Thread.sleep(300);
                ch.close().sync();
            }
        } finally {
            g.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
        // only the TTL 255 packet reached the manager: received once, dropped for having no session (the counters are
        // the manager's thread's: wait for them, then make sure nothing more came)
        Await.until(
                "the TTL 255 packet counted",
                Duration.ofSeconds(5),
                () -> m.text().contains("bfd_packets_received_total 1.0\n"),
                m::text);
        Thread.sleep(300);
        assertTrue(m.text().contains("bfd_packets_received_total 1.0\n"), m.text());
        assertTrue(m.text().contains("bfd_packets_dropped_total{reason=\"no session\"} 1.0\n"), m.text());
    }

    @Test
    void receivePathAllocatesNothing() throws Exception {
        InetAddress peer = BfdSessionTest.addr("127.0.3.8");
        c = new BfdManager(C, null, BfdManager.PORT, new Metrics(), null);
        c.configure(Map.of(peer, BfdSettings.DEFAULT));
        int ours = ((Long) c.sessions().get(0).get("localDiscriminator")).intValue();
        // the peer's Init with our discriminator: the session goes Up once, then every further packet changes nothing
        ByteBuf wire = Unpooled.directBuffer(24);
        BfdSessionTest.packet(BfdState.INIT, 77, ours).encode(wire);
        long bytes = c.loop()
                .submit(() -> {
                    com.sun.management.ThreadMXBean mx =
                            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
                    for (int i = 0; i < 20_000; i++) {
                        c.received(wire, peer); // warm up (and the one state change)
                    }
                    long before = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 100_000; i++) {
                        c.received(wire, peer);
                    }
                    return mx.getCurrentThreadAllocatedBytes() - before;
                })
                .get();
        assertEquals("Up", c.state(peer));
        assertTrue(
                bytes < 10_000,
                "100,000 packets through decode, lookup and the state machine allocated " + bytes + " bytes");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
