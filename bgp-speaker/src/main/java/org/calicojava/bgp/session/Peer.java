package org.calicojava.bgp.session;

import static org.calicojava.bgp.session.SessionState.ACTIVE;
import static org.calicojava.bgp.session.SessionState.CONNECT;
import static org.calicojava.bgp.session.SessionState.ESTABLISHED;
import static org.calicojava.bgp.session.SessionState.IDLE;
import static org.calicojava.bgp.session.SessionState.OPEN_CONFIRM;
import static org.calicojava.bgp.session.SessionState.OPEN_SENT;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.calicojava.bgp.codec.BgpError;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Notification;
import org.calicojava.bgp.codec.RouteRefresh;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.config.NeighborConfig;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.session.PeerEvent.Received;
import org.calicojava.bgp.session.PeerEvent.Start;
import org.calicojava.bgp.session.PeerEvent.TcpClosed;
import org.calicojava.bgp.session.PeerEvent.TcpUp;
import org.calicojava.bgp.session.PeerEvent.Timer;
import org.calicojava.bgp.session.PeerEvent.TimerKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One neighbour and its RFC 4271 section 8 finite state machine: one method per state ({@link #idle}, {@link #connect},
 * {@link #active}, {@link #openSent}, {@link #openConfirm}, {@link #established}), the ConnectRetry, Hold, Keepalive and
 * IdleHold timers, and connection collision detection (6.8). All state is owned by the peer's event loop; public
 * getters may be read from any thread. Every fatal error passes through {@link #fail}.
 */
public final class Peer {
    private static final Logger LOG = LoggerFactory.getLogger(Peer.class);
    static final int OPEN_SENT_HOLD = 240;

    final NeighborConfig config;
    volatile SpeakerConfig speakerConfig;
    private final Speaker speaker;
    final EventLoop loop;
    final String name;

    volatile SessionState state = IDLE;
    volatile String lastError;
    private volatile Instant since = Instant.now();
    volatile Negotiated negotiated;
    boolean stopped = true;
    /** The session's connection, and a second one during a collision ({@link Collision}). */
    Connection conn;

    Connection other;
    ChannelFuture connecting;
    final PeerTimers timers;
    final Collision collision = new Collision(this);
    private final PeerFsm fsm = new PeerFsm(this);
    final Handshake handshake = new Handshake(this);
    long lastReceivedNanos;
    int connectFailures;
    private int errors;
    volatile int collisions;
    /** Id of the Established session now, 0 when none; {@link #lastSessionId} keeps the last one after it ended. */
    private volatile long session, lastSession;

    private static final java.util.concurrent.atomic.AtomicLong SESSIONS = new java.util.concurrent.atomic.AtomicLong();
    private final LogLimiter limiter;
    /**
     * The session's routes go at once, not kept stale by graceful restart: it ended by a NOTIFICATION, sent or received
     * (RFC 4724 covers only a session lost without one), or, with the N bit negotiated (RFC 8538), by a Hard Reset;
     * BFD Down without {@code graceful} too ({@link HardReset}).
     */
    private volatile boolean flushOnDown;
    /** Stopped for its prefix limit: Idle, the peer's connections refused, until the restart timer (if any) fires. */
    boolean limitHold;
    /** The RIB asked to stop reading ({@link #pauseReading}); reading also stops while the channel is not writable. */
    private boolean readPaused;

    Peer(NeighborConfig config, SpeakerConfig speakerConfig, Speaker speaker, EventLoop loop) {
        this.config = config;
        this.speakerConfig = speakerConfig;
        this.speaker = speaker;
        this.loop = loop;
        this.name = "peer " + Ip.string(config.address()) + " AS" + config.asNumber();
        this.limiter = speaker.logLimiter();
        this.timers = new PeerTimers(loop, this::handle);
    }

    public InetAddress address() {
        return config.address();
    }

    public NeighborConfig config() {
        return config;
    }

    public SessionState state() {
        return state;
    }

    /** The last error as one line (what was sent or received, or why the connection ended), or null. */
    public String lastError() {
        return lastError;
    }

    public Instant since() {
        return since;
    }

    /** Null unless Established (or OpenConfirm). */
    public Negotiated negotiated() {
        return negotiated;
    }

    /**
     * The id of the current Established session (unique in this process), or 0 when not Established. A consumer that
     * queues work for later compares the id it saw with this one to drop work of a session that is gone.
     */
    public long sessionId() {
        return session;
    }

    /** The id of the last session that reached Established, also after it ended (0 if none did). */
    public long lastSessionId() {
        return lastSession;
    }

    /** Connection collisions (RFC 4271 6.8) seen so far, resolved by us or by the peer. */
    public int collisions() {
        return collisions;
    }

    public boolean isIbgp() {
        return config.asNumber() == speakerConfig.asNumber();
    }

    // ---- inputs from the outside, each hops onto the event loop ----

    void start() {
        loop.execute(() -> {
            stopped = false;
            errors = 0;
            handle(new Start());
        });
    }

    /** Administrative stop: Cease / administrative shutdown when a connection is up, then Idle without restart. */
    void stop(BgpError reason) {
        loop.execute(() -> {
            stopped = true;
            if (conn != null || other != null) {
                fail(reason, true, "stopped: " + reason);
            } else {
                toIdle(null);
            }
            PeerTimers.cancel(timers.idleHold);
        });
    }

    void incoming(Channel ch) {
        Connection c = new Connection(ch, false, this);
        c.install();
        loop.execute(() -> accept(c));
    }

    void received(Connection c, Object m) {
        run(() -> dispatch(new Received(c, m)));
    }

    void closed(Connection c, String reason) {
        run(() -> dispatch(new TcpClosed(c, reason)));
    }

    void writabilityChanged(Connection c) {
        updateAutoRead(c);
    }

    /** Stops or resumes reading this peer's UPDATEs (a RIB that cannot keep up calls this). */
    public void pauseReading(boolean pause) {
        loop.execute(() -> {
            readPaused = pause;
            if (conn != null) {
                updateAutoRead(conn);
            }
        });
    }

    /**
     * Reading goes on only while both reasons to stop are absent: the channel is writable (back-pressure from the peer)
     * and the RIB has not paused it ({@link #pauseReading}). A closing connection is drained regardless.
     */
    private void updateAutoRead(Connection c) {
        c.channel.config().setAutoRead(c.closing || (c.channel.isWritable() && !(c == conn && readPaused)));
    }

    /** Sends UPDATEs if Established; returns false (and sends nothing) otherwise. Safe from any thread. */
    public boolean send(List<Update> updates) {
        if (state != ESTABLISHED) {
            return false;
        }
        loop.execute(() -> {
            if (state != ESTABLISHED) {
                return;
            }
            for (Update u : updates) {
                conn.write(u);
            }
            conn.flush();
        });
        return true;
    }

    /** Sends a ROUTE-REFRESH (e.g. the RFC 7313 markers around a refreshed table) if Established. Safe from any thread. */
    public void sendRouteRefresh(RouteRefresh rr) {
        loop.execute(() -> {
            if (state == ESTABLISHED) {
                conn.send(rr);
            }
        });
    }

    /**
     * The prefix limit was exceeded in session {@code sessionId} (the RIB decides, RFC 4486): sends {@code cease} and
     * goes Idle; the session starts again after {@code restartAfter} seconds (0: not until the speaker restarts or this
     * neighbour's settings change), and the peer's connections are refused until then. Safe from any thread; nothing
     * happens when that session is already gone.
     */
    public void prefixLimit(long sessionId, BgpError cease, int restartAfter) {
        run(() -> {
            if (session != sessionId || state != ESTABLISHED) {
                return;
            }
            limitHold = true;
            fail(
                    cease,
                    true,
                    "NOTIFICATION sent: " + cease + ", restart in "
                            + (restartAfter > 0 ? restartAfter + " s" : "never"));
            PeerTimers.cancel(timers.idleHold);
            timers.idleHold = null;
            if (restartAfter > 0 && !stopped) {
                timers.idleHold = loop.schedule(
                        () -> {
                            limitHold = false;
                            handle(new Timer(TimerKind.IDLE_HOLD));
                        },
                        restartAfter,
                        TimeUnit.SECONDS);
            }
        });
    }

    /**
     * BFD says the path to this neighbour is down (RFC 5882): an Established session is closed at once. Without
     * {@code graceful} with NOTIFICATION Cease / BFD Down (RFC 9384) and its routes are flushed even if graceful restart
     * was negotiated ({@link #flushOnDown}); when the N bit was negotiated (RFC 8538) that Cease goes as a Hard Reset
     * carrying it, so the peer flushes ours too instead of keeping them stale. With {@code graceful} (BIRD's {@code bfd
     * graceful}) the connection is closed without NOTIFICATION, so graceful restart keeps the routes as stale. Safe from
     * any thread.
     */
    public void bfdDown(boolean graceful, String reason) {
        run(() -> {
            if (state != ESTABLISHED) {
                return;
            }
            flushOnDown = !graceful;
            if (graceful) {
                fail(null, false, reason + ", graceful restart");
                return;
            }
            BgpError cease = BgpError.of(BgpError.CEASE, BgpError.BFD_DOWN);
            if (negotiated != null && negotiated.grNotification()) {
                fail(BgpError.hardReset(cease), true, "NOTIFICATION sent: " + reason + HardReset.SENT_AS);
            } else {
                fail(cease, true, "NOTIFICATION sent: " + reason);
            }
        });
    }

    /**
     * True when the last session's routes are flushed, not kept stale: it ended by a NOTIFICATION, either way (with
     * RFC 8538 negotiated: by a Hard Reset), or by BFD Down without {@code graceful}.
     */
    public boolean flushOnDown() {
        return flushOnDown;
    }

    /** Asks the peer to resend its routes of {@code f} (RFC 2918), e.g. after an import policy change; false when not possible. */
    public boolean requestRefresh(Family f) {
        Negotiated n = negotiated;
        if (state != ESTABLISHED
                || n == null
                || !n.routeRefresh()
                || !n.families().contains(f)) {
            return false;
        }
        loop.execute(() -> {
            if (state == ESTABLISHED) {
                conn.send(new RouteRefresh(f, RouteRefresh.REQUEST));
            }
        });
        return true;
    }

    public boolean isWritable() {
        Connection c = conn;
        return c != null && c.channel.isWritable();
    }

    private void run(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    // ---- dispatch ----

    private void dispatch(PeerEvent e) {
        if (e instanceof Received r && r.c() == other || e instanceof TcpClosed t && t.c() == other && other != null) {
            collision.candidate(e);
            return;
        }
        if (e instanceof Received r && r.c() != conn || e instanceof TcpClosed t && t.c() != conn) {
            return; // stale connection
        }
        handle(e);
    }

    void handle(PeerEvent e) {
        fsm.handle(e);
    }

    // ---- transitions and actions ----

    void to(SessionState next) {
        if (next == state) {
            return;
        }
        limited(false, "state " + state + " " + next, "{} -> {}", state, next);
        state = next;
        since = Instant.now();
    }

    /** A new TCP connection, either direction (RFC 4271 6.8 for the states where one already exists). */
    void accept(Connection c) {
        if (!c.outgoing) {
            limited(false, "incoming", "connection from {}", c.channel.remoteAddress());
        }
        switch (state) {
            case IDLE, CONNECT, ACTIVE -> handle(new TcpUp(c));
            case OPEN_SENT, OPEN_CONFIRM, ESTABLISHED -> collision.second(c);
            default -> c.close();
        }
    }

    SpeakerConfig speakerConfig() {
        return speakerConfig;
    }

    Speaker speaker() {
        return speaker;
    }

    void toEstablished() {
        flushOnDown = false;
        lastSession = SESSIONS.incrementAndGet();
        session = lastSession;
        to(ESTABLISHED);
        connectFailures = 0;
        errors = 0; // lastError stays: it is the last error, kept for status after the session recovers
        Negotiated n = negotiated;
        limited(
                false,
                "established",
                "established, hold {}s, families {}, as4 {}, add-path rx {} tx {}",
                n.holdTime(),
                n.families(),
                n.codec().as4(),
                n.codec().addPathReceive(),
                n.codec().addPathSend());
        speaker.sink().established(this); // the RIB sends its table and End-of-RIB
    }

    /** Live reconfiguration that keeps this session (its own settings did not change): takes the new global config. */
    void reconfigured(SpeakerConfig next) {
        loop.execute(() -> speakerConfig = next); // the RIB re-advertises what changed
    }

    /**
     * The one path of every fatal session error: sends the NOTIFICATION (when {@code send}; as a Hard Reset when RFC
     * 8538 asks for one), logs once, keeps the reason for status, closes the connections, and goes Idle with the
     * IdleHold timer (backing off while errors repeat).
     */
    void fail(BgpError error, boolean send, String reason) {
        boolean grNotification = negotiated != null && negotiated.grNotification();
        if (send && grNotification && HardReset.required(error)) {
            error = BgpError.hardReset(error); // the peer flushes our routes too (RFC 8538 sections 3, 5)
            reason += HardReset.SENT_AS;
        }
        lastError = reason;
        flushOnDown |= HardReset.flushes(error, grNotification); // else graceful restart (RFC 4724, RFC 8538)
        if (error != null && error.isHardReset() && state != ESTABLISHED) {
            speaker.sink().hardReset(this); // an earlier session's stale routes go too (RFC 8538 section 4)
        }
        if (stopped) {
            LOG.info("{}: session down in {}: {}", name, state, reason);
        } else {
            limited(
                    true,
                    "down " + (error == null ? "closed" : error.code() + "/" + error.subcode()),
                    "session down in {}: {}",
                    state,
                    reason);
        }
        if (conn != null) {
            if (send && error != null) {
                conn.notifyAndClose(new Notification(error));
            } else {
                conn.close();
            }
        }
        collision.close(null);
        toIdle(reason);
        if (!stopped) {
            errors++;
            int wait = errors == 1 && speakerConfig.idleHoldTime() == 0
                    ? 0
                    : PeerTimers.backoff(Math.max(1, speakerConfig.idleHoldTime()), errors);
            timers.idleHold = timers.schedule(TimerKind.IDLE_HOLD, wait);
        }
    }

    private void toIdle(String reason) {
        boolean wasEstablished = state == ESTABLISHED;
        timers.cancelSession();
        if (connecting != null) {
            connecting.cancel(false);
        }
        connecting = null;
        conn = null;
        negotiated = null;
        session = 0;
        to(IDLE);
        if (wasEstablished) {
            speaker.sink().down(this, reason);
        }
    }

    /**
     * Logs {@code "<peer>: " + fmt}, at most once per {@code reason} per interval with the count of lines suppressed
     * before it ({@link LogLimiter}): everything a peer can make us log goes through here.
     */
    void limited(boolean warn, String reason, String fmt, Object... args) {
        long suppressed = limiter.admit(config.address(), reason);
        if (suppressed < 0) {
            return;
        }
        Object[] a = new Object[args.length + 2];
        a[0] = name;
        System.arraycopy(args, 0, a, 1, args.length);
        a[a.length - 1] = limiter.suffix(suppressed);
        if (warn) {
            LOG.warn("{}: " + fmt + "{}", a);
        } else {
            LOG.info("{}: " + fmt + "{}", a);
        }
    }

    @Override
    public String toString() {
        return name + " " + state + (lastError != null ? " (" + lastError + ")" : "");
    }
}
