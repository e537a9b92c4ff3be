package org.calicojava.bgp.bfd;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.session.LogLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The speaker's BFD: one event loop thread of its own (BGP and the RIB never delay a packet), one receiving UDP socket
 * per address family on port 3784 with the TTL-255 filter, one connected sending socket per session from a source port
 * in 49152-65535 with TTL / hop limit 255 (RFC 5881), and the {@link BfdSession}s by local discriminator and by
 * neighbour address. All session state is owned by the loop; {@link #configure} and {@link #sessions} may be called
 * from any thread. The receive path decodes into one reused {@link BfdPacket} and looks sessions up in a primitive map:
 * no allocation per packet beyond what Netty does to read the datagram.
 */
public final class BfdManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BfdManager.class);
    public static final int PORT = 3784;
    private static final int SOURCE_PORT_MIN = 49152, SOURCE_PORT_MAX = 65535;

    /** Told when a session goes from Up to Down for a reason other than the peer's AdminDown (RFC 5882 3.2). */
    public interface Client {
        void down(InetAddress peer, boolean graceful, String reason);
    }

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final BfdClock clock;
    private final InetAddress local4, local6;
    private final int port;
    private final Client client;
    private final Metrics metrics;
    private final CounterDataPoint rxPackets;
    private final CounterDataPoint txPackets;
    private final Map<String, CounterDataPoint> drops = new HashMap<>();
    private final LogLimiter limiter = new LogLimiter();
    private final IntObjectHashMap<Entry> byDiscriminator = new IntObjectHashMap<>();
    private final Map<InetAddress, Entry> byAddress = new HashMap<>();
    private final BfdPacket rx = new BfdPacket();
    private volatile Channel rx4, rx6; // opened in configure (synchronized), off the loop
    private boolean closed;

    /** A session and its sending socket. */
    private final class Entry implements BfdSession.Transmitter {
        BfdSession session;
        Channel channel;

        @Override
        public void transmit(BfdSession s, BfdPacket p) {
            Channel ch = channel;
            if (ch == null || !ch.isActive()) {
                return;
            }
            ByteBuf b = ch.alloc().directBuffer(BfdPacket.LENGTH);
            p.encode(b);
            txPackets.inc();
            ch.writeAndFlush(b, ch.voidPromise());
        }
    }

    /**
     * @param local4 IPv4 address to receive on and send from, or null for any
     * @param local6 IPv6 address likewise, or null
     * @param port 3784 (tests may pick another; both ends must use the same)
     */
    public BfdManager(InetAddress local4, InetAddress local6, int port, Metrics metrics, Client client) {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("BFD: needs the epoll transport (" + Epoll.unavailabilityCause() + ")");
        }
        this.local4 = local4;
        this.local6 = local6;
        this.port = port;
        this.client = client;
        this.metrics = metrics == null ? new Metrics() : metrics;
        this.rxPackets = this.metrics.counter("bfd_packets_received", "BFD control packets received");
        this.txPackets = this.metrics.counter("bfd_packets_sent", "BFD control packets sent");
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bfd", true), EpollIoHandler.newFactory());
        loop = group.next();
        clock = new LoopClock(loop);
    }

    /**
     * Makes the sessions those of {@code wanted} (neighbour address to settings): new ones start Down, removed ones send
     * AdminDown and close, changed settings go through a poll sequence. Waits until applied.
     */
    public synchronized void configure(Map<InetAddress, BfdSettings> wanted) {
        Map<InetAddress, BfdSettings> copy = new LinkedHashMap<>(wanted);
        // sockets are opened here, off the loop (binding waits for the loop); the loop then takes them over
        java.util.Set<InetAddress> have = loop.submit(() -> java.util.Set.copyOf(byAddress.keySet()))
                .syncUninterruptibly()
                .getNow();
        Map<InetAddress, Channel> senders = new HashMap<>();
        for (InetAddress remote : copy.keySet()) {
            if (have.contains(remote)) {
                continue;
            }
            try {
                ensureReceiver(remote instanceof Inet6Address);
                senders.put(remote, sender(remote));
            } catch (RuntimeException ex) {
                LOG.warn("bfd {}: no session: {}", Ip.string(remote), ex.getMessage());
            }
        }
        loop.submit(() -> apply(copy, senders)).syncUninterruptibly();
    }

    private void apply(Map<InetAddress, BfdSettings> wanted, Map<InetAddress, Channel> senders) {
        if (closed) {
            senders.values().forEach(ch -> {
                if (ch != null) {
                    ch.close();
                }
            });
            return;
        }
        for (Entry e : List.copyOf(byAddress.values())) {
            if (!wanted.containsKey(e.session.remote())) {
                remove(e);
            }
        }
        for (Map.Entry<InetAddress, BfdSettings> w : wanted.entrySet()) {
            Entry e = byAddress.get(w.getKey());
            if (e == null) {
                if (senders.containsKey(w.getKey())) {
                    add(w.getKey(), w.getValue(), senders.get(w.getKey()));
                }
            } else if (!e.session.settings().equals(w.getValue())) {
                LOG.info(
                        "bfd {}: settings changed (min rx {}ms, min tx {}ms, multiplier {})",
                        Ip.string(w.getKey()),
                        w.getValue().minRxUs() / 1000,
                        w.getValue().minTxUs() / 1000,
                        w.getValue().multiplier());
                e.session.reconfigure(w.getValue());
            }
        }
    }

    private void add(InetAddress remote, BfdSettings settings, Channel channel) {
        int disc;
        do {
            disc = ThreadLocalRandom.current().nextInt();
        } while (disc == 0 || byDiscriminator.containsKey(disc));
        Entry e = new Entry();
        e.session = new BfdSession(remote, disc, settings, clock, e, this::changed);
        e.channel = channel;
        byDiscriminator.put(disc, e);
        byAddress.put(remote, e);
        LOG.info(
                "bfd {}: session added (local discriminator {}, source port {}, min rx {}ms, min tx {}ms, multiplier {})",
                Ip.string(remote),
                Integer.toUnsignedString(disc),
                e.channel == null ? "none" : ((InetSocketAddress) e.channel.localAddress()).getPort(),
                settings.minRxUs() / 1000,
                settings.minTxUs() / 1000,
                settings.multiplier());
        e.session.start();
    }

    private void remove(Entry e) {
        e.session.adminDown();
        e.session.close();
        byDiscriminator.remove(e.session.localDiscriminator());
        byAddress.remove(e.session.remote());
        Channel ch = e.channel;
        if (ch != null) {
            loop.schedule(() -> ch.close(), 100, TimeUnit.MILLISECONDS); // the AdminDown packet leaves first
        }
        LOG.info("bfd {}: session removed", Ip.string(e.session.remote()));
    }

    private void changed(BfdSession s, BfdState from, BfdState to, int diag) {
        metrics.counter("bfd_state_changes", "BFD session state changes by peer and new state", "peer", "state")
                .labelValues(Ip.string(s.remote()), to.toString())
                .inc();
        LOG.info(
                "bfd {}: {} -> {} ({}{})",
                Ip.string(s.remote()),
                from,
                to,
                Diag.name(diag),
                to != BfdState.UP && s.remoteState() == BfdState.ADMIN_DOWN ? ", peer AdminDown" : "");
        if (from == BfdState.UP && to == BfdState.DOWN && s.remoteState() != BfdState.ADMIN_DOWN && client != null) {
            client.down(s.remote(), s.settings().graceful(), "BFD session down (" + Diag.name(diag) + ")");
        }
    }

    // ---- sockets ----

    /** Opens the family's receiving socket once (off the loop). */
    private void ensureReceiver(boolean v6) {
        if (v6 ? rx6 != null : rx4 != null) {
            return;
        }
        InetAddress bind = v6 ? local6 : local4;
        InetSocketAddress at = bind != null
                ? new InetSocketAddress(bind, port)
                : new InetSocketAddress(v6 ? Ip.parse("::") : Ip.parse("0.0.0.0"), port);
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channelFactory(
                        () -> new EpollDatagramChannel(v6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET))
                .option(TtlFilter.ATTACH, TtlFilter.fprog(v6))
                .handler(new Receiver());
        if (v6) {
            b.option(TtlFilter.V6ONLY, 1);
        }
        ChannelFuture f = b.bind(at).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IllegalStateException("listen " + Ip.string(at.getAddress()) + " port " + port + " (udp): "
                    + f.cause().getMessage());
        }
        if (v6) {
            rx6 = f.channel();
        } else {
            rx4 = f.channel();
        }
        LOG.info("bfd: receiving on {} port {} (udp, TTL 255 only)", Ip.string(at.getAddress()), port);
    }

    /** A connected socket to remote:port from a free source port in 49152-65535, TTL / hop limit 255; null if none. */
    private Channel sender(InetAddress remote) {
        boolean v6 = remote instanceof Inet6Address;
        InetAddress bind = v6 ? local6 : local4;
        for (int attempt = 0; attempt < 64; attempt++) {
            int sport = SOURCE_PORT_MIN + ThreadLocalRandom.current().nextInt(SOURCE_PORT_MAX - SOURCE_PORT_MIN + 1);
            InetSocketAddress from = bind != null
                    ? new InetSocketAddress(bind, sport)
                    : new InetSocketAddress(v6 ? Ip.parse("::") : Ip.parse("0.0.0.0"), sport);
            Bootstrap b = new Bootstrap()
                    .group(loop)
                    .channelFactory(
                            () -> new EpollDatagramChannel(v6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET))
                    .option(v6 ? TtlFilter.TTL6 : TtlFilter.TTL4, 255)
                    .handler(new SenderErrors());
            ChannelFuture f =
                    b.connect(new InetSocketAddress(remote, port), from).awaitUninterruptibly();
            if (f.isSuccess()) {
                return f.channel();
            }
        }
        LOG.warn("bfd {}: no free source port in {}-{}", Ip.string(remote), SOURCE_PORT_MIN, SOURCE_PORT_MAX);
        return null;
    }

    /** A sending socket reads nothing; an ICMP error from the peer (port unreachable: no BFD there yet) is only counted. */
    @ChannelHandler.Sharable
    private final class SenderErrors extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            metrics.counter("bfd_send_errors", "BFD packets that could not be sent")
                    .inc();
            InetAddress to = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
            long suppressed = limiter.admit(to, "send error");
            if (suppressed >= 0) {
                LOG.info("bfd {}: {}{}", Ip.string(to), cause.getMessage(), limiter.suffix(suppressed));
            }
        }
    }

    @ChannelHandler.Sharable
    private final class Receiver extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket d) {
            received(d.content(), d.sender().getAddress());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            long suppressed = limiter.admit(null, "bfd socket");
            if (suppressed >= 0) {
                LOG.warn("bfd: socket error: {}{}", cause.toString(), limiter.suffix(suppressed));
            }
        }
    }

    /** One received datagram (on the loop); the TTL was checked by the socket filter. */
    void received(ByteBuf content, InetAddress from) {
        rxPackets.inc();
        String bad = rx.decode(content, 255);
        if (bad != null) {
            drop(bad, from);
            return;
        }
        Entry e;
        if (rx.yourDiscriminator != 0) {
            e = byDiscriminator.get(rx.yourDiscriminator);
            if (e == null) {
                drop("unknown discriminator", from);
                return;
            }
            if (!e.session.remote().equals(from)) {
                drop("discriminator from another address", from);
                return;
            }
        } else {
            e = byAddress.get(from);
            if (e == null) {
                drop("no session", from);
                return;
            }
        }
        e.session.receive(rx);
    }

    private void drop(String reason, InetAddress from) {
        CounterDataPoint a = drops.get(reason);
        if (a == null) {
            a = metrics.counter("bfd_packets_dropped", "BFD packets dropped by reason", "reason")
                    .labelValues(reason);
            drops.put(reason, a);
        }
        a.inc();
        long suppressed = limiter.admit(from, reason);
        if (suppressed >= 0) {
            LOG.info("bfd: packet from {} dropped: {}{}", Ip.string(from), reason, limiter.suffix(suppressed));
        }
    }

    // ---- status ----

    /** One row per session for {@code show bfd sessions}. */
    public List<Map<String, Object>> sessions() {
        return loop.submit(() -> {
                    List<Map<String, Object>> rows = new ArrayList<>();
                    long now = System.nanoTime();
                    for (Entry e : byAddress.values()) {
                        BfdSession s = e.session;
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("address", Ip.string(s.remote()));
                        m.put("state", s.state().toString());
                        m.put("remoteState", s.remoteState().toString());
                        m.put("diag", Diag.name(s.diag()));
                        m.put("sinceSeconds", (now - s.sinceNanos()) / 1_000_000_000L);
                        m.put("localDiscriminator", Integer.toUnsignedLong(s.localDiscriminator()));
                        m.put("remoteDiscriminator", Integer.toUnsignedLong(s.remoteDiscriminator()));
                        m.put("txIntervalMs", Math.max(s.desiredMinTxUs(), s.remoteMinRxUs()) / 1000.0);
                        m.put("rxIntervalMs", Math.max(s.requiredMinRxUs(), s.remoteMinTxUs()) / 1000.0);
                        m.put("multiplier", s.settings().multiplier());
                        m.put("detectionTimeMs", s.detectionTimeUs() / 1000.0);
                        m.put("remoteControlPlaneIndependent", s.remoteCpi());
                        m.put("packetsIn", s.packetsIn());
                        m.put("packetsOut", s.packetsOut());
                        m.put("graceful", s.settings().graceful());
                        rows.add(m);
                    }
                    return rows;
                })
                .syncUninterruptibly()
                .getNow();
    }

    /** The event loop that owns the sessions (tests stall it to silence this side). */
    EventLoop loop() {
        return loop;
    }

    /** The state of the session with {@code peer} ("Up", "Down", ...), or null when it has none. */
    public String state(InetAddress peer) {
        return loop.submit(() -> {
                    Entry e = byAddress.get(peer);
                    return e == null ? null : e.session.state().toString();
                })
                .syncUninterruptibly()
                .getNow();
    }

    @Override
    public void close() {
        loop.submit(() -> {
                    closed = true;
                    for (Entry e : List.copyOf(byAddress.values())) {
                        remove(e);
                    }
                })
                .syncUninterruptibly();
        try {
            Thread.sleep(150);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        if (rx4 != null) {
            rx4.close().syncUninterruptibly();
        }
        if (rx6 != null) {
            rx6.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
