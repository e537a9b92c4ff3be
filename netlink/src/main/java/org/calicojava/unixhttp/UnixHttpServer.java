package org.calicojava.unixhttp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.calicojava.netlink.SocketAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 on a unix domain socket (Netty epoll), the one server behind the Docker driver's plugin API and the
 * resident CNI server. The socket is bound privately and published 0660 in place ({@link SocketAccess}); each
 * connection's peer credentials go through {@link App#refuse} (a refused peer gets {@link App#denied} for every
 * request); at most {@code maxClients} connections at once (the rest are closed at once); bodies over
 * {@code maxBody} get {@link App#tooLarge}; requests run on {@code workers} threads, never on the event loop, since
 * they block on etcd and netlink. Refusals are logged at most once a minute. {@link #close} stops accepting
 * connections, removes the socket, then waits (at most {@link Options#drain}) until every request already read has
 * been answered, and only then closes the connections: a client never loses the answer to a request the server ran.
 * A connection that delivers no whole request within {@link Options#requestDeadline} (of its connect or of its last
 * answer) is closed, so idle or dripping clients cannot hold the {@code maxClients} slots.
 */
public final class UnixHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UnixHttpServer.class);

    /** What the server serves. */
    public interface App {
        /** Answers one well-formed request of an allowed peer (on a worker thread). */
        FullHttpResponse handle(FullHttpRequest req);

        /** Null when the peer may use the socket, else why not. */
        String refuse(PeerCredentials peer);

        /** The answer to every request of a refused peer. */
        FullHttpResponse denied(String why);

        /** The answer to a request that is not valid HTTP. */
        FullHttpResponse malformed(String why);

        /** The answer to a request whose body is over {@code maxBody} bytes. */
        FullHttpResponse tooLarge(int maxBody);
    }

    /**
     * @param name what the socket is, for the logs ("plugin socket", "CNI socket")
     * @param drain how long {@link #close} waits for requests in flight to be answered
     */
    public record Options(
            String name, int workers, int maxClients, int maxBody, Duration drain, Duration requestDeadline) {
        /** Options with the default drain, {@link #DEFAULT_DRAIN}. */
        public Options(String name, int workers, int maxClients, int maxBody) {
            this(name, workers, maxClients, maxBody, DEFAULT_DRAIN);
        }

        /** Options with the default request deadline, {@link #DEFAULT_REQUEST_DEADLINE}. */
        public Options(String name, int workers, int maxClients, int maxBody, Duration drain) {
            this(name, workers, maxClients, maxBody, drain, DEFAULT_REQUEST_DEADLINE);
        }

        public Options {
            if (drain == null || drain.isNegative()) {
                throw new IllegalArgumentException("drain: " + drain + " (expected: 0 or more)");
            }
            if (requestDeadline == null || requestDeadline.isNegative() || requestDeadline.isZero()) {
                throw new IllegalArgumentException("requestDeadline: " + requestDeadline + " (expected: more than 0)");
            }
        }
    }

    /**
     * How long a connection may take to deliver a whole request, counted from its connect or from the answer to its
     * last request: a client that connects and sends nothing, or drips a request a byte at a time, or keeps an idle
     * connection, is closed then, so it cannot hold one of the {@code maxClients} slots for good. The time a request
     * takes to run is not counted.
     */
    public static final Duration DEFAULT_REQUEST_DEADLINE = Duration.ofSeconds(30);

    /** How long {@link #close} waits for requests in flight unless {@link Options#drain} says otherwise. */
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(30);

    private final Path socket;
    private final Options options;
    private final App app;
    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final EventExecutorGroup workers;
    private final Channel channel;
    private final AtomicInteger clients = new AtomicInteger();
    private final AtomicLong lastRefusalLog = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    /** Requests read (aggregated) and not yet answered (response written or failed); guarded by itself for waits. */
    private final Object drained = new Object();

    private int inFlight;
    private volatile boolean closing;
    private boolean closed;

    public UnixHttpServer(Path socket, SocketAccess access, Options options, App app)
            throws IOException, InterruptedException {
        this.socket = socket.toAbsolutePath();
        this.options = options;
        this.app = app;
        this.workers = new DefaultEventExecutorGroup(options.workers());
        Path staged = access.staging(this.socket); // bound privately, then published 0660 over a stale socket
        try {
            channel = new ServerBootstrap()
                    .group(loop)
                    .channel(EpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInitializer<DomainSocketChannel>() {
                        @Override
                        protected void initChannel(DomainSocketChannel ch) {
                            accept(ch);
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
    }

    private void accept(DomainSocketChannel ch) {
        if (clients.incrementAndGet() > options.maxClients()) {
            clients.decrementAndGet();
            refused("too many connections (at most " + options.maxClients() + ")");
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> clients.decrementAndGet());
        String denied;
        try {
            PeerCredentials c = ((EpollDomainSocketChannel) ch).peerCredentials();
            denied = app.refuse(c);
        } catch (IOException | RuntimeException e) {
            denied = "permission denied: peer credentials unreadable (" + e.getMessage() + ")";
        }
        if (denied != null) {
            refused(denied);
        }
        Counter counter = new Counter(ch);
        ch.pipeline().addLast(new HttpServerCodec(4096, 64 * 1024, 64 * 1024), new Aggregator(), counter);
        ch.pipeline().addLast(workers, new Handler(denied, counter));
        counter.arm();
    }

    private void refused(String why) {
        long n = refusals.incrementAndGet();
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if ((last == 0 || now - last > 60_000_000_000L) && lastRefusalLog.compareAndSet(last, now)) {
            LOG.warn("{}: refused a connection: {} ({} refusals so far)", options.name(), why, n);
        }
    }

    public Path socket() {
        return socket;
    }

    /**
     * Sends {@code resp} with its length, keeping the connection open when the request asked for it (and the server
     * is not closing); returns the write's future.
     */
    static ChannelFuture send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse resp, boolean closing) {
        HttpUtil.setContentLength(resp, resp.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess() && !closing;
        HttpUtil.setKeepAlive(resp, keepAlive);
        ChannelFuture f = ctx.writeAndFlush(resp);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
        return f;
    }

    private void started() {
        synchronized (drained) {
            inFlight++;
        }
    }

    private void answered() {
        synchronized (drained) {
            inFlight--;
            drained.notifyAll();
        }
    }

    /**
     * Counts each whole request on the event loop, before it is queued for a worker; the worker's answer uncounts it.
     * While a connection has no request read and unanswered, its {@link Options#requestDeadline} runs: expired, the
     * connection is closed.
     */
    private final class Counter extends ChannelInboundHandlerAdapter {
        private final Channel ch;
        /** Requests of this connection read and not answered; on the event loop only. */
        private int pending;

        private ScheduledFuture<?> deadline;

        Counter(Channel ch) {
            this.ch = ch;
        }

        /** Starts the deadline (from any thread) unless a request is pending. */
        void arm() {
            onLoop(() -> {
                if (pending == 0 && ch.isOpen()) {
                    disarm();
                    deadline = ch.eventLoop()
                            .schedule(this::expire, options.requestDeadline().toMillis(), TimeUnit.MILLISECONDS);
                }
            });
        }

        /** Runs on the connection's event loop; nothing when the server has shut that loop down. */
        private void onLoop(Runnable r) {
            try {
                ch.eventLoop().execute(r);
            } catch (RejectedExecutionException e) {
                // closed: nothing to time
            }
        }

        private void disarm() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }

        private void expire() {
            if (pending == 0 && ch.isOpen()) {
                // an idle kept-alive connection (Docker's) ends so too: not a refusal, not worth a line at info
                LOG.debug(
                        "{}: closed a connection with no whole request within {} s",
                        options.name(),
                        options.requestDeadline().toSeconds());
                ch.close();
            }
        }

        /** The answer to one request was written (or failed): from any thread. */
        void done() {
            onLoop(() -> {
                pending--;
                arm();
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest) {
                started();
                pending++;
                disarm();
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disarm();
            ctx.fireChannelInactive();
        }
    }

    /** Refuses a body over the limit with the app's answer (the aggregator's own 413 has no body). */
    private final class Aggregator extends HttpObjectAggregator {
        Aggregator() {
            super(options.maxBody());
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            LOG.warn("{}: a request body over {} bytes refused", options.name(), options.maxBody());
            FullHttpResponse resp = app.tooLarge(options.maxBody());
            HttpUtil.setContentLength(resp, resp.content().readableBytes());
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        /** Non-null: the peer may not use the socket; every request gets the app's denial with this. */
        private final String denied;

        private final Counter counter;

        Handler(String denied, Counter counter) {
            this.denied = denied;
            this.counter = counter;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean sent = false;
            try {
                FullHttpResponse resp;
                if (denied != null) {
                    resp = app.denied(denied);
                } else if (!req.decoderResult().isSuccess()) {
                    String why = "malformed HTTP request: "
                            + req.decoderResult().cause().getMessage();
                    LOG.warn("{}: {}", options.name(), why);
                    resp = app.malformed(why);
                } else {
                    resp = app.handle(req);
                }
                send(ctx, req, resp, closing).addListener(f -> {
                    answered();
                    counter.done();
                });
                sent = true;
            } finally {
                if (!sent) {
                    answered();
                    counter.done();
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("{}: connection closed after error: {}", options.name(), cause.toString());
            ctx.close();
        }
    }

    private void shutdown() {
        loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Serves until the JVM is told to stop (SIGTERM): then closes (the socket is removed) and returns. */
    public void serveUntilTerminated() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            close();
                            done.countDown();
                        },
                        options.name() + " shutdown"));
        done.await();
    }

    /**
     * Stops accepting connections and removes the socket (a new client finds no server rather than a closing one),
     * waits until the requests already read are answered (at most {@link Options#drain}; requests arriving meanwhile
     * on open connections are still served, each answer closes its connection), then closes everything. Idempotent.
     */
    @Override
    public void close() {
        synchronized (drained) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closing = true;
        channel.close().syncUninterruptibly();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", socket, e.getMessage());
        }
        long deadline = System.nanoTime() + options.drain().toNanos();
        synchronized (drained) {
            if (inFlight > 0) {
                LOG.info("{}: closing, waiting for {} request(s) in flight", options.name(), inFlight);
            }
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn(
                            "{}: closing with {} request(s) unanswered after {} s",
                            options.name(),
                            inFlight,
                            options.drain().toSeconds());
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(drained, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        shutdown();
    }
}
