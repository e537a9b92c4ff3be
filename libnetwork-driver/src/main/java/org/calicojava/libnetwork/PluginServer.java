package org.calicojava.libnetwork;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.calicojava.netlink.SocketAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 on a unix domain socket (Netty epoll) in front of {@link Plugin}. Requests are handled on a small worker
 * group, not the event loop, since they block on etcd and netlink. Bodies above 1 MiB are refused by the aggregator.
 * Local users: the socket is 0660 root:GROUP ({@link SocketAccess}); a peer that is neither root nor in the group
 * gets 403 {@code {"Err": "permission denied ..."}} for every request; at most {@value #MAX_CLIENTS} connections
 * at once (Docker opens a few), the rest are closed at once. Refusals are logged once per peer uid per minute.
 */
public final class PluginServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginServer.class);
    private static final int MAX_BODY = 1 << 20;
    static final int MAX_CLIENTS = 64;

    private final Path socket;
    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final EventExecutorGroup workers = new DefaultEventExecutorGroup(4);
    private final Channel channel;
    private final SocketAccess access;
    private final AtomicInteger clients = new AtomicInteger();
    private final AtomicLong lastRefusalLog = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();

    /** Root (and this process's own uid and group) only. */
    public PluginServer(Path socket, Plugin plugin) throws IOException, InterruptedException {
        this(socket, plugin, new SocketAccess(null));
    }

    public PluginServer(Path socket, Plugin plugin, SocketAccess access) throws IOException, InterruptedException {
        this.access = access;
        this.socket = socket.toAbsolutePath();
        Path staged = access.staging(this.socket); // bound privately, then published 0660 over a stale socket
        try {
            channel = new ServerBootstrap()
                    .group(loop)
                    .channel(EpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInitializer<DomainSocketChannel>() {
                        @Override
                        protected void initChannel(DomainSocketChannel ch) {
                            if (clients.incrementAndGet() > MAX_CLIENTS) {
                                clients.decrementAndGet();
                                refused("too many connections (at most " + MAX_CLIENTS + ")");
                                ch.close();
                                return;
                            }
                            ch.closeFuture().addListener(f -> clients.decrementAndGet());
                            String denied = denied(ch);
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY));
                            if (denied != null) {
                                refused(denied);
                                ch.pipeline().addLast(new Handler(null, denied));
                            } else {
                                ch.pipeline().addLast(workers, new Handler(plugin, null));
                            }
                        }
                    })
                    .bind(new DomainSocketAddress(staged.toString()))
                    .sync()
                    .channel();
            access.publish(staged, this.socket);
        } catch (RuntimeException | InterruptedException | IOException e) {
            Files.deleteIfExists(staged);
            Files.deleteIfExists(staged.getParent());
            shutdown();
            throw e;
        }
        LOG.info("serving Docker's plugin API on {} (mode 0660, gid {})", this.socket, access.gid());
    }

    /** Null when the peer may use the socket, else the reason. */
    private String denied(DomainSocketChannel ch) {
        try {
            PeerCredentials c = ((EpollDomainSocketChannel) ch).peerCredentials();
            return access.allows(c.uid(), c.gids(), c.pid()) ? null : access.refusal(c.uid(), c.pid());
        } catch (IOException | RuntimeException e) {
            return "permission denied: peer credentials unreadable (" + e.getMessage() + ")";
        }
    }

    private void refused(String why) {
        long n = refusals.incrementAndGet();
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if (last == 0 || now - last > 60_000_000_000L) {
            if (lastRefusalLog.compareAndSet(last, now)) {
                LOG.warn("plugin socket: refused a connection: {} ({} refusals so far)", why, n);
            }
        }
    }

    public Path socket() {
        return socket;
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Plugin plugin;
        /** Non-null: the peer may not use the socket; every request gets 403 with this. */
        private final String denied;

        Handler(Plugin plugin, String denied) {
            this.plugin = plugin;
            this.denied = denied;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            Plugin.Response r;
            if (denied != null) {
                r = Plugin.error(403, denied);
            } else if (!req.decoderResult().isSuccess()) {
                r = Plugin.error(
                        400,
                        "malformed HTTP request: " + req.decoderResult().cause().getMessage());
            } else {
                String path = req.uri();
                int q = path.indexOf('?');
                r = plugin.handle(
                        req.method().name(), q < 0 ? path : path.substring(0, q), ByteBufUtil.getBytes(req.content()));
            }
            FullHttpResponse resp = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(r.status()),
                    Unpooled.copiedBuffer(r.body(), StandardCharsets.UTF_8));
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, Plugin.CONTENT_TYPE);
            HttpUtil.setContentLength(resp, resp.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess();
            HttpUtil.setKeepAlive(resp, keepAlive);
            var f = ctx.writeAndFlush(resp);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("connection closed after error: {}", cause.toString());
            ctx.close();
        }
    }

    private void shutdown() {
        loop.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        shutdown();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", socket, e.getMessage());
        }
    }
}
