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
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketChannel;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * HTTP/1.1 on a unix domain socket (Netty epoll) in front of {@link Plugin}. Requests are handled on a small worker
 * group, not the event loop, since they block on etcd and netlink. Bodies above 1 MiB are refused by the aggregator.
 */
public final class PluginServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginServer.class);
    private static final int MAX_BODY = 1 << 20;

    private final Path socket;
    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final EventExecutorGroup workers = new DefaultEventExecutorGroup(4);
    private final Channel channel;

    public PluginServer(Path socket, Plugin plugin) throws IOException, InterruptedException {
        this.socket = socket.toAbsolutePath();
        Files.createDirectories(this.socket.getParent());
        if (Files.exists(this.socket)) {
            Files.delete(this.socket); // a stale socket from an earlier run
        }
        try {
            channel = new ServerBootstrap().group(loop).channel(EpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInitializer<DomainSocketChannel>() {
                        @Override
                        protected void initChannel(DomainSocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY));
                            ch.pipeline().addLast(workers, new Handler(plugin));
                        }
                    }).bind(new DomainSocketAddress(this.socket.toString())).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            shutdown();
            throw e;
        }
        LOG.info("serving Docker's plugin API on {}", this.socket);
    }

    public Path socket() {
        return socket;
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Plugin plugin;

        Handler(Plugin plugin) {
            this.plugin = plugin;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            Plugin.Response r;
            if (!req.decoderResult().isSuccess()) {
                r = Plugin.error(400, "malformed HTTP request: " + req.decoderResult().cause().getMessage());
            } else {
                String path = req.uri();
                int q = path.indexOf('?');
                r = plugin.handle(req.method().name(), q < 0 ? path : path.substring(0, q),
                        ByteBufUtil.getBytes(req.content()));
            }
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
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
