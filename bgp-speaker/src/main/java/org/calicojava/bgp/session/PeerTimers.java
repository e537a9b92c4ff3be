package org.calicojava.bgp.session;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.calicojava.bgp.session.PeerEvent.Timer;
import org.calicojava.bgp.session.PeerEvent.TimerKind;

/** The ConnectRetry, Hold, Keepalive and IdleHold timers of one {@link Peer} (RFC 4271 section 10), on its event loop. */
final class PeerTimers {
    private static final int MAX_BACKOFF = 120;
    private final EventLoop loop;
    private final Consumer<PeerEvent> fire;
    ScheduledFuture<?> connectRetry;
    ScheduledFuture<?> hold;
    ScheduledFuture<?> keepalive;
    ScheduledFuture<?> idleHold;

    PeerTimers(EventLoop loop, Consumer<PeerEvent> fire) {
        this.loop = loop;
        this.fire = fire;
    }

    /** A timer of {@code kind} in {@code seconds}; ConnectRetry and IdleHold with jitter. */
    ScheduledFuture<?> schedule(TimerKind kind, int seconds) {
        if (kind == TimerKind.CONNECT_RETRY || kind == TimerKind.IDLE_HOLD) {
            // RFC 4271 section 10: jitter (75-100 %) so that peers retrying in step drift apart
            long ms = (long) (seconds
                    * 1000L
                    * (0.75 + 0.25 * ThreadLocalRandom.current().nextDouble()));
            return loop.schedule(() -> fire.accept(new Timer(kind)), ms, TimeUnit.MILLISECONDS);
        }
        return loop.schedule(() -> fire.accept(new Timer(kind)), seconds, TimeUnit.SECONDS);
    }

    /** (Re)starts the hold timer. */
    void startHold(int seconds) {
        cancel(hold);
        hold = schedule(TimerKind.HOLD, seconds);
    }

    /** The hold timer again in {@code nanos} (traffic arrived since it was set). */
    void holdIn(long nanos) {
        hold = loop.schedule(() -> fire.accept(new Timer(TimerKind.HOLD)), nanos, TimeUnit.NANOSECONDS);
    }

    /** Keepalives every {@code seconds}. */
    void startKeepalive(int seconds) {
        keepalive = loop.scheduleAtFixedRate(
                () -> fire.accept(new Timer(TimerKind.KEEPALIVE)), seconds, seconds, TimeUnit.SECONDS);
    }

    /** Cancels the timers of a session (IdleHold stays). */
    void cancelSession() {
        cancel(connectRetry);
        cancel(hold);
        cancel(keepalive);
    }

    static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /**
     * The wait before the next connect after {@code failures} failed ones: {@code base} when the last was refused (the
     * peer's host is up and its speaker not yet listening: it is starting, and a passive mesh peer, which waits for our
     * connect, must not wait for a doubled retry; a refused SYN costs one packet each way), else {@link #backoff}.
     */
    static int connectRetry(int base, int failures, boolean refused) {
        return refused ? base : backoff(base, failures);
    }

    /** {@code base} doubled per attempt after the first, up to two minutes (or {@code base} if larger). */
    static int backoff(int base, int attempt) {
        long v = (long) base << Math.min(10, Math.max(0, attempt - 1));
        return (int) Math.min(Math.max(base, MAX_BACKOFF), v);
    }
}
