package org.calicojava.bgp.session;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.calicojava.bgp.config.NeighborConfig;

/**
 * Netty plumbing: the epoll transport where present (NIO otherwise), and the socket options BGP needs there:
 * TCP-MD5 (RFC 2385, {@code TCP_MD5SIG}) and GTSM (RFC 5082: send with TTL 255, accept only TTL >= 256 - hops).
 */
public final class Transport {
    private static final int IPPROTO_IP = 0,
            IP_TTL = 2,
            IP_MINTTL = 21,
            IPPROTO_IPV6 = 41,
            IPV6_UNICAST_HOPS = 16,
            IPV6_MINHOPCOUNT = 73;
    static final ChannelOption<Integer> TTL4 = new IntegerUnixChannelOption("IP_TTL", IPPROTO_IP, IP_TTL);
    static final ChannelOption<Integer> MINTTL4 = new IntegerUnixChannelOption("IP_MINTTL", IPPROTO_IP, IP_MINTTL);
    static final ChannelOption<Integer> TTL6 =
            new IntegerUnixChannelOption("IPV6_UNICAST_HOPS", IPPROTO_IPV6, IPV6_UNICAST_HOPS);
    static final ChannelOption<Integer> MINTTL6 =
            new IntegerUnixChannelOption("IPV6_MINHOPCOUNT", IPPROTO_IPV6, IPV6_MINHOPCOUNT);

    final boolean epoll = Epoll.isAvailable();
    final EventLoopGroup group;
    private final boolean owned;

    /** On {@code shared} (not shut down here) when given, else on a group of {@code threads} of its own. */
    Transport(EventLoopGroup shared, int threads) {
        owned = shared == null;
        group = shared != null ? shared : newGroup(threads, "bgp-io");
    }

    /** A group of event loops on the best transport here (epoll, else NIO), daemon threads named {@code name-N}. */
    public static EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(
                threads,
                new io.netty.util.concurrent.DefaultThreadFactory(name, true),
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    Class<? extends Channel> socketChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Map<InetAddress, byte[]> md5(InetAddress peer, String password) {
        return Map.of(peer, password.getBytes(StandardCharsets.US_ASCII));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static ChannelOption<Map<InetAddress, byte[]>> md5Option() {
        return (ChannelOption) EpollChannelOption.TCP_MD5SIG;
    }

    static ChannelOption<Integer> ttl(InetAddress peer) {
        return peer instanceof Inet6Address ? TTL6 : TTL4;
    }

    static ChannelOption<Integer> minTtl(InetAddress peer) {
        return peer instanceof Inet6Address ? MINTTL6 : MINTTL4;
    }

    /** Starts a connection to a neighbour, with its MD5 key and GTSM options set before the SYN, from {@code local} when given. */
    ChannelFuture connect(NeighborConfig n, InetAddress local, EventLoop loop) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {}
                });
        if (n.password() != null) {
            if (!epoll) {
                throw new IllegalStateException("TCP-MD5 needs the epoll transport");
            }
            b.option(md5Option(), md5(n.address(), n.password()));
        }
        if (n.ttlSecurity() > 0 && epoll) {
            b.option(ttl(n.address()), 255).option(minTtl(n.address()), 256 - n.ttlSecurity());
        }
        InetSocketAddress remote = new InetSocketAddress(n.address(), n.port());
        return local != null && local.getClass() == n.address().getClass()
                ? b.connect(remote, new InetSocketAddress(local, 0))
                : b.connect(remote);
    }

    void shutdown() {
        if (owned) {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS)
                    .syncUninterruptibly();
        }
    }
}
