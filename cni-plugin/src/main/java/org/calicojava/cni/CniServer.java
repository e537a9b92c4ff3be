package org.calicojava.cni;

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
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.calicojava.netlink.SocketAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resident calico-java CNI server ({@code calico-java-cni serve}): one JVM that runs CNI calls handed over by the
 * thin shim {@code bin/calico-java-cni} (and calico-java-ipam), so a call costs no JVM start. HTTP/1.1 on a unix
 * domain socket (Netty epoll, as the Docker driver's {@code PluginServer}): {@code POST /v1/network} or
 * {@code /v1/ipam} with the call's CNI_* variables as headers and the configuration as body ({@link ServerRequest});
 * the answer is 200 with header {@code CNI-Exit-Code} and, as body, exactly the bytes the one-shot process would
 * write on stdout, produced by the same code ({@link Cli#run}). {@code GET /health} and {@code GET /metrics}
 * (Prometheus, {@link ServerMetrics}) beside them. A request that cannot be run gets 4xx with a CNI error JSON body;
 * an unexpected failure 500 with one; the server logs one line and keeps serving.
 * Access: the socket is 0660 root:root ({@link SocketAccess}: bound privately, published in place) and each
 * connection's peer credentials must be uid 0 (or this process's own uid): the plugin acts as root on the host.
 * Calls run on {@value #WORKERS} worker threads (they block on etcd, netlink and delegated plugins), not the event loop.
 */
public final class CniServer implements AutoCloseable {
    static final String DEFAULT_SOCKET = "/var/run/calico-java/cni.sock";
    static final int WORKERS = 32;
    static final int MAX_CLIENTS = 256;
    private static final Logger LOG = LoggerFactory.getLogger(CniServer.class);
    private static final int OWN_UID = ownUid();

    private final Path socket;
    private final Map<String, String> serverEnv;
    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final EventExecutorGroup workers = new DefaultEventExecutorGroup(WORKERS);
    private final Channel channel;
    private final AtomicInteger clients = new AtomicInteger();
    private final AtomicLong lastRefusalLog = new AtomicLong();
    private final ServerMetrics metrics = new ServerMetrics();

    public CniServer(Path socket, Map<String, String> serverEnv) throws IOException, InterruptedException {
        this.socket = socket.toAbsolutePath();
        this.serverEnv = Map.copyOf(serverEnv);
        SocketAccess access = new SocketAccess(null);
        Path staged = access.staging(this.socket);
        try {
            channel = new ServerBootstrap()
                    .group(loop)
                    .channel(EpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInitializer<DomainSocketChannel>() {
                        @Override
                        protected void initChannel(DomainSocketChannel ch) {
                            if (clients.incrementAndGet() > MAX_CLIENTS) {
                                clients.decrementAndGet();
                                refusedLog("too many connections (at most " + MAX_CLIENTS + ")");
                                ch.close();
                                return;
                            }
                            ch.closeFuture().addListener(f -> clients.decrementAndGet());
                            String denied = denied(ch);
                            if (denied != null) {
                                refusedLog(denied);
                            }
                            ch.pipeline().addLast(new HttpServerCodec(4096, 64 * 1024, 64 * 1024), new Aggregator());
                            ch.pipeline().addLast(workers, new Handler(denied));
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
        LOG.info("calico-java CNI server on {} (mode 0660, root only, {} workers)", this.socket, WORKERS);
    }

    Path socket() {
        return socket;
    }

    private static String denied(DomainSocketChannel ch) {
        try {
            PeerCredentials c = ((EpollDomainSocketChannel) ch).peerCredentials();
            return c.uid() == 0 || c.uid() == OWN_UID
                    ? null
                    : "permission denied: uid " + c.uid() + " (pid " + c.pid() + ") is not root";
        } catch (IOException | RuntimeException e) {
            return "permission denied: peer credentials unreadable (" + e.getMessage() + ")";
        }
    }

    private void refusedLog(String why) {
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if ((last == 0 || now - last > 60_000_000_000L) && lastRefusalLog.compareAndSet(last, now)) {
            LOG.warn("CNI socket: refused a connection: {}", why);
        }
    }

    /** One call through the plugin's own code path; the body is its stdout. */
    private FullHttpResponse run(ServerRequest req) {
        long t0 = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        ByteArrayOutputStream err = new ByteArrayOutputStream(256);
        int rc;
        try (PrintStream o = new PrintStream(out, false, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, false, StandardCharsets.UTF_8)) {
            rc = Cli.run(req.kind(), req.processEnv(serverEnv), new ByteArrayInputStream(req.stdin()), o, e);
        }
        metrics.call(req.kind(), req.command(), rc, (System.nanoTime() - t0) / 1e9);
        FullHttpResponse resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(out.toByteArray()));
        resp.headers().set("CNI-Exit-Code", Integer.toString(rc));
        if (err.size() > 0) {
            String line = err.toString(StandardCharsets.UTF_8).strip();
            LOG.warn("{}", line);
            // the one-shot process's stderr line, for the shim to pass on: one line of printable ASCII
            line = line.replaceAll("[^\\x20-\\x7e]", " ");
            resp.headers().set("CNI-Stderr", line.length() > 2000 ? line.substring(0, 2000) : line);
        }
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return resp;
    }

    private FullHttpResponse error(int status, int code, String msg) {
        metrics.refused(status);
        byte[] body = (new CniException(code, msg).toJson(Versions.CURRENT).toString() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        resp.headers().set("CNI-Exit-Code", "1");
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return resp;
    }

    private static FullHttpResponse text(String body, String type) {
        FullHttpResponse resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        return resp;
    }

    /** Refuses a body over the configuration limit with a CNI error JSON (the aggregator's own 413 has none). */
    private final class Aggregator extends HttpObjectAggregator {
        Aggregator() {
            super(NetConf.MAX_BYTES);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            LOG.warn("CNI socket: a request body over {} bytes refused", NetConf.MAX_BYTES);
            FullHttpResponse resp = error(
                    413, CniException.DECODE_FAILURE, "network configuration: over " + NetConf.MAX_BYTES + " bytes");
            HttpUtil.setContentLength(resp, resp.content().readableBytes());
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        /** Non-null: the peer may not use the socket; every request gets 403 with this. */
        private final String denied;

        Handler(String denied) {
            this.denied = denied;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            FullHttpResponse resp = answer(req);
            HttpUtil.setContentLength(resp, resp.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess();
            HttpUtil.setKeepAlive(resp, keepAlive);
            var f = ctx.writeAndFlush(resp);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private FullHttpResponse answer(FullHttpRequest req) {
            if (denied != null) {
                return error(403, CniException.INVALID_ENVIRONMENT, denied);
            }
            if (!req.decoderResult().isSuccess()) {
                LOG.warn(
                        "CNI socket: malformed HTTP request: {}",
                        req.decoderResult().cause().toString());
                return error(
                        400,
                        CniException.DECODE_FAILURE,
                        "malformed HTTP request: " + req.decoderResult().cause().getMessage());
            }
            String path = req.uri();
            int q = path.indexOf('?');
            path = q < 0 ? path : path.substring(0, q);
            String method = req.method().name();
            if (method.equals("GET") && path.equals("/health")) {
                return text("{\"status\":\"ok\"}\n", "application/json");
            }
            if (method.equals("GET") && path.equals("/metrics")) {
                return text(metrics.text(), "text/plain; version=0.0.4; charset=utf-8");
            }
            try {
                return run(
                        ServerRequest.of(method, path, req.headers().entries(), ByteBufUtil.getBytes(req.content())));
            } catch (ServerRequest.Invalid e) {
                LOG.warn("CNI socket: bad request: {}", e.getMessage());
                return error(e.status, e.code, e.getMessage());
            } catch (RuntimeException | Error e) {
                LOG.error("CNI call failed unexpectedly (server keeps running)", e);
                return error(500, CniException.PLUGIN_FAILURE, "calico-java CNI server: " + e);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("CNI socket: connection closed after error: {}", cause.toString());
            ctx.close();
        }
    }

    private void shutdown() {
        loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
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

    private static int ownUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
