package org.calicojava.bgp.bfd;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** {@link BfdClock} on a Netty event loop (the loop's thread owns every session). */
public final class LoopClock implements BfdClock {
    private final EventLoop loop;

    public LoopClock(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancel schedule(Runnable task, long delayNanos) {
        ScheduledFuture<?> f = loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public double random() {
        return ThreadLocalRandom.current().nextDouble();
    }
}
