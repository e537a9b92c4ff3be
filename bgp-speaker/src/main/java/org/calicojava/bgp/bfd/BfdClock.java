package org.calicojava.bgp.bfd;

/**
 * Time and timers for {@link BfdSession}: the event loop in the daemon ({@link LoopClock}), a manual clock in tests, so
 * the state machine runs without sockets or sleeping. Every call is on the one thread that owns the sessions.
 */
public interface BfdClock {
    /** Monotonic nanoseconds. */
    long nanoTime();

    /** Runs {@code task} once after {@code delayNanos}; the result cancels it. */
    Cancel schedule(Runnable task, long delayNanos);

    /** A scheduled task. */
    interface Cancel {
        void cancel();
    }

    /** A random fraction in [0, 1) for jitter. */
    double random();
}
