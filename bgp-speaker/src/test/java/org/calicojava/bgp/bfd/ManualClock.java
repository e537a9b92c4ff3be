package org.calicojava.bgp.bfd;

import java.util.PriorityQueue;

/** A {@link BfdClock} for tests: time moves only in {@link #advance}, timers run in order on the caller's thread. */
final class ManualClock implements BfdClock {
    private long now = 1_000_000_000L;
    private long seq;
    private double random = 1.0 - 1e-9;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();

    private final class Task implements Comparable<Task>, Cancel {
        final long at, order;
        final Runnable r;
        boolean cancelled;

        Task(long at, Runnable r) {
            this.at = at;
            this.r = r;
            this.order = seq++;
        }

        @Override
        public int compareTo(Task o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Cancel schedule(Runnable task, long delayNanos) {
        Task t = new Task(now + Math.max(0, delayNanos), task);
        tasks.add(t);
        return t;
    }

    @Override
    public double random() {
        return random;
    }

    /** The jitter fraction every later {@link #random()} returns. */
    void random(double r) {
        random = r;
    }

    /** Runs every timer due within {@code nanos}, in order, moving time to each. */
    void advance(long nanos) {
        long end = now + nanos;
        while (!tasks.isEmpty() && tasks.peek().at <= end) {
            Task t = tasks.poll();
            if (t.cancelled) {
                continue;
            }
            now = t.at;
            t.r.run();
        }
        now = end;
    }

    void advanceMs(long ms) {
        advance(ms * 1_000_000L);
    }

    long nowMs() {
        return now / 1_000_000L;
    }
}
