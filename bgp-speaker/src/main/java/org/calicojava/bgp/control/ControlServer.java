package org.calicojava.bgp.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.calicojava.bgp.bfd.BfdManager;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.rib.Rib;
import org.calicojava.common.OneLine;
import org.calicojava.netlink.SocketAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket (unix domain): a client writes one command line and reads the answer until EOF. Commands:
 * {@code show protocols [json]}, {@code show route [PREFIX] [all]}, {@code show bfd sessions [json]}, {@code reload}, {@code watch routes} (streams one
 * line per best-route change until the client closes).
 *
 * <p>Local users are a trust boundary: the socket is created 0660, owned by the speaker's user and {@link
 * ControlConfig#group} (bound in a private directory, then renamed into place, so it never exists with other modes);
 * each client's peer credentials ({@code SO_PEERCRED}) are checked as well: uid 0, the speaker's own uid, or a member of
 * the group (primary or supplementary group of the client process), otherwise its command is answered with an error
 * line. At most {@link ControlConfig#maxClients} clients at once (one more gets an error line), a command line of at
 * most {@link ControlConfig#maxLineLength} bytes sent within 10 s. All clients share one I/O thread and commands run
 * one at a time on one worker thread: no thread per client.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int COMMAND_TIMEOUT_S = 10;
    /**
     * An answer whose writing makes no progress this long (the client does not read it) is abandoned and the connection
     * closed, so such clients cannot hold the {@code maxClients} places.
     */
    static final int WRITE_STALL_S = 30;

    /** Package-private for tests: {@link #WRITE_STALL_S} unless a test sets less. */
    int writeStallSeconds = WRITE_STALL_S;

    private final ControlConfig config;
    private final Rib rib;
    private final Supplier<String> reload;
    private final org.calicojava.bgp.session.LogLimiter refusals = new org.calicojava.bgp.session.LogLimiter();
    private EventLoopGroup group;
    private ExecutorService worker;
    private Channel server;
    private final SocketAccess access;
    int clients; // on the I/O thread
    private volatile boolean closed;
    private volatile BfdManager bfd;

    /** With the defaults of {@link ControlConfig#at}. */
    public ControlServer(Path path, Rib rib, Supplier<String> reload) {
        this(ControlConfig.at(path), rib, reload);
    }

    public ControlServer(ControlConfig config, Rib rib, Supplier<String> reload) {
        if (config.path() == null) {
            throw new IllegalArgumentException("controlSocket.path: missing (expected: a path)");
        }
        this.config = config;
        this.access = new SocketAccess(config.group());
        this.rib = rib;
        this.reload = reload;
    }

    public void start() throws IOException {
        if (!Epoll.isAvailable()) {
            throw new IOException("control socket: needs the epoll transport (" + Epoll.unavailabilityCause() + ")");
        }
        Path path = config.path().toAbsolutePath();
        Path tmp = access.staging(path); // private 0700 directory: the socket is not reachable until published
        group = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("control", true), EpollIoHandler.newFactory());
        worker = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                new DefaultThreadFactory("control-command", true));
        try {
            ChannelFuture f = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerDomainSocketChannel.class)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    // write until the socket is full or the answer is done: Netty 4.2.18 otherwise stops after 16
                    // writes and drops EPOLLOUT, and a half-closed client (no EPOLLIN, no EPOLLRDHUP) would then be
                    // taken out of epoll in the middle of its answer (see ControlClient#reply)
                    .childOption(ChannelOption.WRITE_SPIN_COUNT, Integer.MAX_VALUE)
                    .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                        @Override
                        protected void initChannel(EpollDomainSocketChannel ch) {
                            ch.pipeline()
                                    .addLast(
                                            new IdleStateHandler(COMMAND_TIMEOUT_S, 0, 0),
                                            new ControlClient(
                                                    ControlServer.this, config.maxLineLength(), writeStallSeconds));
                        }
                    })
                    .bind(new DomainSocketAddress(tmp.toFile()))
                    .awaitUninterruptibly();
            if (!f.isSuccess()) {
                throw new IOException(
                        "control socket " + path + ": " + f.cause().getMessage());
            }
            server = f.channel();
            access.publish(tmp, path);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(tmp.getParent());
        }
        LOG.info("control socket {} (mode 0660, gid {}, at most {} clients)", path, access.gid(), config.maxClients());
    }

    // ---- called by ControlClient on the I/O thread ----

    /** A client connected: false when there are too many already. */
    boolean admit() {
        if (clients >= config.maxClients()) {
            return false;
        }
        clients++;
        return true;
    }

    void left() {
        clients--;
    }

    int maxClients() {
        return config.maxClients();
    }

    /** Null when the client may give commands, else why not (for its error line). */
    String refusal(EpollDomainSocketChannel ch) {
        try {
            io.netty.channel.unix.PeerCredentials c = ch.peerCredentials();
            if (access.allows(c.uid(), c.gids(), c.pid())) {
                return null;
            }
            long suppressed = refusals.admit(null, "refused");
            if (suppressed >= 0) {
                LOG.warn(
                        "control socket: refused uid {} pid {}: not root and not in group {}{}",
                        c.uid(),
                        c.pid(),
                        access.gid(),
                        refusals.suffix(suppressed));
            }
            return access.refusal(c.uid(), c.pid());
        } catch (IOException e) {
            return "permission denied: peer credentials unknown (" + e.getMessage() + ")";
        }
    }

    /** Runs a command off the I/O thread (one at a time) and hands its answer to {@code done}. */
    void run(String line, java.util.function.Consumer<String> done) {
        try {
            worker.execute(() -> {
                String answer;
                try {
                    answer = answer(line);
                } catch (RuntimeException e) { // unexpected: the client gets an answer, the worker goes on
                    LOG.warn("control: a command failed unexpectedly: {}", OneLine.of(String.valueOf(e)));
                    answer = "error: the command failed unexpectedly ("
                            + e.getClass().getSimpleName() + "); see the speaker's log\n";
                }
                done.accept(answer);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.accept("error: shutting down\n");
        }
    }

    Rib rib() {
        return rib;
    }

    /** The BFD sessions for {@code show bfd sessions} and the {@code bfd} column of {@code show protocols}. */
    public void bfd(BfdManager b) {
        bfd = b;
    }

    /** The answer to one command (also used by tests). */
    public String answer(String line) {
        String[] w = line.trim().split("\\s+");
        try {
            if (w.length >= 2 && w[0].equals("show") && w[1].equals("protocols")) {
                List<Map<String, Object>> rows = rib.protocols();
                BfdManager b = bfd;
                Map<String, String> bfdStates = new java.util.HashMap<>();
                if (b != null) {
                    for (Map<String, Object> s : b.sessions()) {
                        bfdStates.put((String) s.get("address"), (String) s.get("state"));
                    }
                }
                for (Map<String, Object> r : rows) {
                    r.put("bfd", bfdStates.getOrDefault((String) r.get("address"), "off"));
                }
                if (w.length == 3 && w[2].equals("json")) {
                    return JSON.writeValueAsString(rows) + "\n";
                }
                if (w.length > 2) {
                    return "error: show protocols [json]\n";
                }
                return table(rows);
            }
            if (w.length >= 2 && w[0].equals("show") && w[1].equals("route")) {
                Prefix p = null;
                boolean all = false;
                for (int i = 2; i < w.length; i++) {
                    if (w[i].equals("all")) {
                        all = true;
                    } else {
                        p = Prefix.parse(w[i]);
                    }
                }
                return rib.showRoute(p, all);
            }
            if (w.length >= 3 && w[0].equals("show") && w[1].equals("bfd") && w[2].equals("sessions")) {
                return BfdStatus.answer(
                        bfd,
                        w.length == 4 && w[3].equals("json"),
                        w.length > 4 || w.length == 4 && !w[3].equals("json"));
            }
            if (w.length == 1 && w[0].equals("reload")) {
                return reload.get() + "\n";
            }
            return "error: unknown command: " + line.trim()
                    + " (expected: show protocols [json], show route [PREFIX] [all], show bfd sessions [json], reload, watch routes)\n";
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            return "error: " + e.getMessage() + "\n";
        }
    }

    static String table(List<Map<String, Object>> rows) {
        String fmt = "%-22s %-6s %-12s %-9s %-9s %-9s %-9s %s%n";
        StringBuilder sb = new StringBuilder(
                String.format(fmt, "Peer", "Type", "State", "Since", "Received", "Accepted", "Advert.", "Info"));
        for (Map<String, Object> r : rows) {
            sb.append(String.format(
                    fmt,
                    r.get("address"),
                    r.get("type"),
                    r.get("state"),
                    r.get("since"),
                    r.get("received"),
                    r.get("accepted"),
                    r.get("advertised"),
                    r.get("info")));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        closed = true;
        if (server != null) {
            server.close().awaitUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (worker != null) {
            worker.shutdownNow();
        }
        try {
            if (server != null) {
                Files.deleteIfExists(config.path());
            }
        } catch (IOException e) {
            LOG.debug("control socket close: {}", e.getMessage());
        }
    }

    boolean closed() {
        return closed;
    }
}
