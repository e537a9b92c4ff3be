package org.calicojava.bgp.session;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Rate limit for log lines that a peer (or anyone who can open a TCP connection) can trigger: at most one line per
 * (peer, reason) per interval. Lines in between are counted, and the next line let through says how many were
 * suppressed ({@link #suffix}). Reasons are fixed strings chosen by the caller (an error code/subcode, a state change),
 * never peer text, so the keys stay few; past {@value #MAX_KEYS} keys the table starts over. Thread-safe.
 */
public final class LogLimiter {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
    static final int MAX_KEYS = 4096;

    private record Key(Object peer, String reason) {}

    private static final class Window {
        long start;
        long suppressed;
    }

    private final long intervalNanos;
    private final LongSupplier clock;
    private final ConcurrentHashMap<Key, Window> windows = new ConcurrentHashMap<>();

    public LogLimiter() {
        this(DEFAULT_INTERVAL, System::nanoTime);
    }

    /** {@code clock} in nanoseconds (tests pass their own). */
    public LogLimiter(Duration interval, LongSupplier clock) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("log interval: " + interval + " (expected: > 0)");
        }
        this.intervalNanos = interval.toNanos();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Whether a line for ({@code peer}, {@code reason}) may be logged now: -1 when it is suppressed (and counted),
     * otherwise how many lines of this key were suppressed since the last one that was let through.
     */
    public long admit(Object peer, String reason) {
        if (windows.size() > MAX_KEYS) {
            windows.clear();
        }
        long now = clock.getAsLong();
        Window w = windows.computeIfAbsent(new Key(peer, reason), k -> {
            Window x = new Window();
            x.start = now - intervalNanos;
            return x;
        });
        synchronized (w) {
            if (now - w.start < intervalNanos) {
                w.suppressed++;
                return -1;
            }
            long s = w.suppressed;
            w.start = now;
            w.suppressed = 0;
            return s;
        }
    }

    /** The interval in whole seconds (for the log text). */
    public long intervalSeconds() {
        return Math.max(1, intervalNanos / 1_000_000_000L);
    }

    /** Text to append to a line that {@link #admit} let through with {@code suppressed} lines before it. */
    public String suffix(long suppressed) {
        return suppressed <= 0
                ? ""
                : " (" + suppressed + " more suppressed, at most one line per " + intervalSeconds() + " s)";
    }
}
