package org.calicojava.bgp.session;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import org.calicojava.bgp.codec.BgpError;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.config.NeighborConfig;
import org.calicojava.bgp.config.SpeakerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The speaker: owns the Netty transport, the listening socket and one {@link Peer} per configured neighbour, and hands
 * received routes to a {@link RouteSink}. Peers are created at {@link #start()} and do not change afterwards.
 */
public final class Speaker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Speaker.class);

    private final SpeakerConfig config;
    private final RouteSink sink;
    private final Transport transport;
    private final Map<InetAddress, Peer> peers = new LinkedHashMap<>();
    private Channel server;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    public Speaker(SpeakerConfig config, RouteSink sink) {
        this.config = config;
        this.sink = sink;
        this.transport = new Transport(Math.min(4, Runtime.getRuntime().availableProcessors()));
        for (NeighborConfig n : config.neighbors()) {
            EventLoop loop = transport.group.next();
            peers.put(n.address(), new Peer(n, config, this, loop));
        }
    }

    /** Binds the listening socket (when configured) and starts every peer. */
    public void start() {
        boolean md5 = config.neighbors().stream().anyMatch(n -> n.password() != null);
        if (md5 && !transport.epoll) throw new IllegalStateException("TCP-MD5: needs the epoll transport, not available here");
        if (config.listenPort() > 0 || config.listenAddress() != null && config.listenPort() > 0) {
            ServerBootstrap b = new ServerBootstrap().group(transport.group).channel(transport.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override protected void initChannel(Channel ch) { accepted(ch); }
                    });
            if (md5) {
                Map<InetAddress, byte[]> keys = new HashMap<>();
                for (NeighborConfig n : config.neighbors()) if (n.password() != null) keys.putAll(Transport.md5(n.address(), n.password()));
                b.option(Transport.md5Option(), keys);
            }
            if (transport.epoll && config.neighbors().stream().anyMatch(n -> n.ttlSecurity() > 0) && config.listenAddress() != null) {
                b.option(Transport.ttl(config.listenAddress()), 255);
            }
            InetSocketAddress at = config.listenAddress() != null ? new InetSocketAddress(config.listenAddress(), config.listenPort())
                    : new InetSocketAddress(config.listenPort());
            ChannelFuture f = b.bind(at).awaitUninterruptibly();
            if (!f.isSuccess()) {
                transport.shutdown();
                throw new IllegalStateException("listen " + Ip.string(at.getAddress()) + " port " + at.getPort() + ": "
                        + f.cause().getMessage());
            }
            server = f.channel();
            log.info("listening on {} port {} ({} transport)", Ip.string(at.getAddress()), listenPort(), transport.epoll ? "epoll" : "nio");
        }
        for (Peer p : peers.values()) p.start();
    }

    private void accepted(Channel ch) {
        InetAddress remote = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        Peer p = peers.get(remote);
        if (p == null) {
            log.info("connection from {} refused: not a configured neighbour", Ip.string(remote));
            ch.close();
            return;
        }
        if (p.config.ttlSecurity() > 0 && transport.epoll) {
            ch.config().setOption(Transport.ttl(remote), 255);
            ch.config().setOption(Transport.minTtl(remote), 256 - p.config.ttlSecurity());
        }
        p.incoming(ch);
    }

    /** The bound port (useful with port 0 in tests), or 0 when not listening. */
    public int listenPort() { return server == null ? 0 : ((InetSocketAddress) server.localAddress()).getPort(); }

    public Peer peer(String address) { return peers.get(Ip.parse(address)); }

    public Collection<Peer> peers() { return peers.values(); }

    public SpeakerConfig config() { return config; }

    RouteSink sink() { return sink; }

    Transport transport() { return transport; }

    /** Sends Cease / administrative shutdown to every connected peer, then closes everything. */
    @Override public void close() {
        if (!closed.compareAndSet(false, true)) return;
        for (Peer p : peers.values()) p.stop(BgpError.of(BgpError.CEASE, BgpError.ADMIN_SHUTDOWN));
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline && peers.values().stream().anyMatch(p -> p.state() != SessionState.IDLE)) {
            Thread.onSpinWait();
            try { Thread.sleep(10); } catch (InterruptedException e) { Thread.currentThread().interrupt(); break; }
        }
        if (server != null) server.close().awaitUninterruptibly();
        transport.shutdown();
        log.info("speaker stopped");
    }
}
