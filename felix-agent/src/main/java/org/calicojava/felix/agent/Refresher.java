package org.calicojava.felix.agent;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.calicojava.felix.dataplane.Dataplane;
import org.calicojava.felix.dataplane.DataplaneException;
import org.calicojava.felix.dataplane.PolicyBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic drift check: every refresh interval the policy is read back on a thread of its own
 * ("felix-readback") and adopted on the dataplane thread; routes and the rest are re-read there. A read-back is
 * redone while commits come in, so at 10,000 endpoints it may not finish while updates keep coming: after
 * {@value #MAX_ABORTED_READS} aborted in a row, the next refresh runs on the dataplane thread and holds writes back
 * once. Used by the dataplane thread only, except {@link #stuck}.
 */
final class Refresher {
    private static final Logger LOG = LoggerFactory.getLogger(Refresher.class);
    private static final int MAX_ABORTED_READS = 3;
    private static final long READBACK_STUCK_NANOS = 600_000_000_000L;
    private final Supplier<Dataplane> dataplane;
    private final Supplier<Duration> interval;
    private final Metrics metrics;
    private final Consumer<Work> queue;
    private long lastRefresh;
    private volatile boolean reading;
    private volatile Thread readThread;
    private volatile long readStarted;
    private int abortedReads;

    Refresher(Supplier<Dataplane> dataplane, Supplier<Duration> interval, Metrics metrics, Consumer<Work> queue) {
        this.dataplane = dataplane;
        this.interval = interval;
        this.metrics = metrics;
        this.queue = queue;
    }

    /** Milliseconds until the next refresh is due (60 s when refreshing is off). */
    long nextIn() {
        long ms = interval.get().toMillis();
        return ms <= 0 ? 60_000 : ms - (System.nanoTime() - lastRefresh) / 1_000_000;
    }

    /** Starts a due read-back; returns true when it read back in line instead (program next). */
    boolean maybeStart() {
        if (nextIn() > 0 || reading) {
            return false;
        }
        if (abortedReads >= MAX_ABORTED_READS) {
            LOG.info("refresh: {} read-backs aborted by updates; reading back while holding updates", abortedReads);
            abortedReads = 0;
            refreshNow();
            return true;
        }
        lastRefresh = System.nanoTime();
        reading = true;
        readStarted = System.nanoTime();
        Dataplane d = dataplane.get();
        Thread t = new Thread(
                () -> {
                    try {
                        PolicyBackend.Snapshot snapshot = d.readPolicy();
                        if (snapshot == null) {
                            reading = false;
                            queue.accept(Work.Signal.REFRESH_INLINE);
                            return;
                        }
                        queue.accept(new Work.ReadBack(snapshot, null, false));
                    } catch (DataplaneException e) {
                        queue.accept(new Work.ReadBack(
                                null, e, Thread.currentThread().isInterrupted()));
                    } catch (RuntimeException | Error e) { // never silently: the dataplane thread gets the failure
                        queue.accept(new Work.ReadBack(null, new DataplaneException("read-back failed: " + e), false));
                    }
                },
                "felix-readback");
        t.setDaemon(true);
        readThread = t;
        t.start();
        return false;
    }

    /**
     * A write is about to commit: a running read-back is interrupted. One through the nft command then gives up and
     * counts as aborted; one over netlink is not interruptible and reads again by itself while the kernel's nftables
     * generation moves during its dumps ({@code NfTables.table}). Either way its adoption knows what was written
     * meanwhile ({@code NftBackend.adopt}).
     */
    void interruptRead() {
        Thread read = readThread;
        if (read != null) {
            read.interrupt();
        }
    }

    void adopt(Work.ReadBack r) {
        reading = false;
        readThread = null;
        long intervalNanos = interval.get().toNanos();
        if (r.aborted()) { // try again after 2 s (of quiet, with luck)
            abortedReads++;
            lastRefresh = System.nanoTime() - intervalNanos + 2_000_000_000L;
            return;
        }
        if (r.error() != null) {
            LOG.warn("refresh: {}", r.error().getMessage());
            return;
        }
        abortedReads = 0;
        int drift;
        try {
            drift = dataplane.get().adoptPolicy(r.snapshot());
        } catch (DataplaneException e) { // routes not read: they are read again before the next apply
            LOG.warn("refresh: {}", e.getMessage());
            return;
        }
        if (drift < 0) { // written while reading: read again soon
            lastRefresh = System.nanoTime() - intervalNanos + 1_000_000_000L;
            return;
        }
        counted(drift);
    }

    /** Reads everything back on the calling (dataplane) thread. */
    void refreshNow() {
        lastRefresh = System.nanoTime();
        try {
            counted(dataplane.get().refresh());
        } catch (DataplaneException e) {
            LOG.warn("refresh: {}", e.getMessage());
        }
    }

    private void counted(int drift) {
        metrics.inc("felix_refreshes");
        if (drift > 0) {
            metrics.add("felix_drift_repairs", drift);
            LOG.info("refresh: {} drifted objects, repairing", drift);
        }
    }

    /** A read-back has been running for 10 minutes (for /liveness). */
    boolean stuck(long now) {
        return reading && now - readStarted >= READBACK_STUCK_NANOS;
    }
}
