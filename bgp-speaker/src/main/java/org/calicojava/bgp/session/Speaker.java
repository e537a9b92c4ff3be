package org.calicojava.bgp.session;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.bgp.codec.BgpError;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.config.NeighborConfig;
import org.calicojava.bgp.config.SpeakerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The speaker: owns the Netty transport, the listening socket and one {@link Peer} per configured neighbour, and hands
 * received routes to a {@link RouteSink}. Peers are created at {@link #start()} and do not change afterwards.
 */
public final class Speaker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Speaker.class);

    private volatile SpeakerConfig config;
    private final RouteSink sink;
    private final Transport transport;
    private final Map<InetAddress, Peer> peers = new java.util.concurrent.ConcurrentHashMap<>();
    private Channel server;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final LogLimiter logLimiter = new LogLimiter();

    public Speaker(SpeakerConfig config, RouteSink sink) {
        this.config = config;
        this.sink = sink;
        this.transport =
                new Transport(sink.eventLoop(), Math.min(4, Runtime.getRuntime().availableProcessors()));
        for (NeighborConfig n : config.neighbors()) {
            EventLoop loop = transport.group.next();
            peers.put(n.address(), new Peer(n, config, this, loop));
        }
    }

    /** Binds the listening socket (when configured) and starts every peer. */
    public void start() {
        boolean md5 = config.neighbors().stream().anyMatch(n -> n.password() != null);
        if (md5 && !transport.epoll) {
            throw new IllegalStateException("TCP-MD5: needs the epoll transport, not available here");
        }
        if (config.listenPort() > 0 || config.listenAddress() != null && config.listenPort() > 0) {
            ServerBootstrap b = new ServerBootstrap()
                    .group(transport.group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted(ch);
                        }
                    });
            if (md5) {
                b.option(Transport.md5Option(), md5Keys(config));
            }
            if (transport.epoll
                    && config.neighbors().stream().anyMatch(n -> n.ttlSecurity() > 0)
                    && config.listenAddress() != null) {
                b.option(Transport.ttl(config.listenAddress()), 255);
            }
            InetSocketAddress at = config.listenAddress() != null
                    ? new InetSocketAddress(config.listenAddress(), config.listenPort())
                    : new InetSocketAddress(config.listenPort());
            ChannelFuture f = b.bind(at).awaitUninterruptibly();
            if (!f.isSuccess()) {
                transport.shutdown();
                throw new IllegalStateException("listen " + Ip.string(at.getAddress()) + " port " + at.getPort() + ": "
                        + f.cause().getMessage());
            }
            server = f.channel();
            LOG.info(
                    "listening on {} port {} ({} transport)",
                    Ip.string(at.getAddress()),
                    listenPort(),
                    transport.epoll ? "epoll" : "nio");
        }
        for (Peer p : peers.values()) {
            p.start();
        }
    }

    private void accepted(Channel ch) {
        InetAddress remote = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        Peer p = peers.get(remote);
        if (p == null) {
            long suppressed = logLimiter.admit(null, "unconfigured");
            if (suppressed >= 0) {
                LOG.info(
                        "connection from {} refused: not a configured neighbour{}",
                        Ip.string(remote),
                        logLimiter.suffix(suppressed));
            }
            ch.close();
            return;
        }
        if (p.config.ttlSecurity() > 0 && transport.epoll) {
            ch.config().setOption(Transport.ttl(remote), 255);
            ch.config().setOption(Transport.minTtl(remote), 256 - p.config.ttlSecurity());
        }
        p.incoming(ch);
    }

    /**
     * Applies a new configuration without restarting what did not change (BIRD's reconfigure): removed neighbours get
     * Cease / peer de-configured, changed ones Cease / other configuration change and start again, new ones start,
     * unchanged sessions stay up (re-advertising when {@code originate:} changed).
     *
     * @throws IllegalArgumentException when routerId, asNumber or listen changed (those need a restart)
     */
    public synchronized void reconfigure(SpeakerConfig next) {
        SpeakerConfig now = config;
        if (next.routerId() != now.routerId()
                || next.asNumber() != now.asNumber()
                || next.listenPort() != now.listenPort()
                || !java.util.Objects.equals(next.listenAddress(), now.listenAddress())) {
            throw new IllegalArgumentException(
                    "routerId, asNumber, listen: changed (expected: unchanged on reload; restart the speaker)");
        }
        boolean md5 = next.neighbors().stream().anyMatch(n -> n.password() != null);
        if (md5 && !transport.epoll) {
            throw new IllegalArgumentException("TCP-MD5: needs the epoll transport, not available here");
        }
        config = next;
        Map<InetAddress, NeighborConfig> wanted = new java.util.LinkedHashMap<>();
        for (NeighborConfig n : next.neighbors()) {
            wanted.put(n.address(), n);
        }
        for (Peer p : List.copyOf(peers.values())) {
            NeighborConfig n = wanted.get(p.address());
            if (n == null) {
                LOG.info("{}: removed from the configuration", p);
                p.stop(BgpError.of(BgpError.CEASE, BgpError.PEER_DECONFIGURED));
                peers.remove(p.address());
            } else if (!n.equals(p.config)) {
                LOG.info("{}: settings changed, restarting the session", p);
                p.stop(BgpError.of(BgpError.CEASE, BgpError.OTHER_CONFIG_CHANGE));
                Peer fresh = new Peer(n, next, this, transport.group.next());
                peers.put(n.address(), fresh);
                fresh.start();
            } else {
                p.reconfigured(next);
            }
        }
        for (NeighborConfig n : wanted.values()) {
            if (!peers.containsKey(n.address())) {
                Peer fresh = new Peer(n, next, this, transport.group.next());
                peers.put(n.address(), fresh);
                fresh.start();
            }
        }
        if (server != null && transport.epoll) {
            server.config().setOption(Transport.md5Option(), md5Keys(next));
        }
    }

    private static Map<InetAddress, byte[]> md5Keys(SpeakerConfig c) {
        Map<InetAddress, byte[]> keys = new HashMap<>();
        for (NeighborConfig n : c.neighbors()) {
            if (n.password() != null) {
                keys.putAll(Transport.md5(n.address(), n.password()));
            }
        }
        return keys;
    }

    /** The bound port (useful with port 0 in tests), or 0 when not listening. */
    public int listenPort() {
        return server == null ? 0 : ((InetSocketAddress) server.localAddress()).getPort();
    }

    public Peer peer(String address) {
        return peers.get(Ip.parse(address));
    }

    public Collection<Peer> peers() {
        return peers.values();
    }

    public SpeakerConfig config() {
        return config;
    }

    RouteSink sink() {
        return sink;
    }

    /** The rate limit for log lines that peers can trigger (shared by every peer of this speaker). */
    public LogLimiter logLimiter() {
        return logLimiter;
    }

    Transport transport() {
        return transport;
    }

    /** Sends Cease / administrative shutdown to every connected peer, then closes everything. */
    @Override
    public void close() {
        close(false);
    }

    /**
     * Stops every session. With {@code graceful}, sessions where graceful restart was negotiated (both OPENs carried the
     * capability) are closed without a NOTIFICATION, so the peer keeps our routes while we restart (RFC 4724); the
     * others get Cease / administrative shutdown.
     */
    public void close(boolean graceful) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Peer p : peers.values()) {
            Negotiated n = p.negotiated();
            boolean gr = graceful
                    && n != null
                    && p.config.restartTime() >= 0
                    && n.peerOpen().capabilities().gracefulRestart() != null;
            p.stop(gr ? null : BgpError.of(BgpError.CEASE, BgpError.ADMIN_SHUTDOWN));
        }
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline && peers.values().stream().anyMatch(p -> p.state() != SessionState.IDLE)) {
            Thread.onSpinWait();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (server != null) {
            server.close().awaitUninterruptibly();
        }
        transport.shutdown();
        LOG.info("speaker stopped");
    }
}
