package org.calicojava.bgp.kernel;

import org.calicojava.bgp.codec.Prefix;
import org.calicojava.netlink.AlreadyExistsException;
import org.calicojava.netlink.Batch;
import org.calicojava.netlink.BatchException;
import org.calicojava.netlink.NetlinkException;
import org.calicojava.netlink.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Collects route changes into netlink batches of {@link KernelSync#BATCH}; a failed request un-marks its prefix. */
final class KernelBatch {
    private static final Logger LOG = LoggerFactory.getLogger(KernelBatch.class);
    private final KernelSync ks;
    private final Prefix[] prefixes = new Prefix[KernelSync.BATCH];
    private final String[] ops = new String[KernelSync.BATCH];
    private Batch batch;
    private int n;
    private long t0;

    KernelBatch(KernelSync ks) {
        this.ks = ks;
    }

    /** Adds {@code r} for {@code p}, or replaces it when the route there is ours. */
    void put(Prefix p, Route r, boolean ours) {
        open();
        if (ours) {
            batch.replaceRoute(r);
        } else {
            batch.addRoute(r);
        }
        record(p, ours ? "replace" : "add");
    }

    /** Deletes our route {@code r} of {@code p}. */
    void delete(Prefix p, Route r) {
        open();
        batch.deleteRoute(r);
        record(p, "delete");
    }

    private void open() {
        if (batch == null) {
            batch = ks.nl.batch();
            t0 = System.nanoTime();
        }
    }

    private void record(Prefix p, String op) {
        prefixes[n] = p;
        ops[n] = op;
        if (++n == KernelSync.BATCH) {
            finish();
        }
    }

    /** Sends what is collected and maps failures back to their prefixes. */
    void finish() {
        if (batch == null) {
            return;
        }
        Batch b = batch;
        batch = null;
        try {
            b.finish();
        } catch (BatchException e) {
            for (BatchException.Failure f : e.failures()) {
                failed(prefixes[(int) f.index()], ops[(int) f.index()], f.error());
            }
        } catch (NetlinkException e) {
            LOG.warn("kernel: batch of {} route changes: {}", n, e.getMessage());
            ks.scheduleResync(); // outcome unknown: read the table again
        } finally {
            ks.requestsDone.addAndGet(n);
            long each = (System.nanoTime() - t0) / Math.max(1, n);
            for (int i = 0; i < n; i++) {
                ks.metrics.kernelOp(ops[i], each);
                prefixes[i] = null;
            }
            n = 0;
        }
    }

    /** A request of a batch failed: the prefix is no longer installed (kernel thread). */
    private void failed(Prefix p, String op, NetlinkException error) {
        if (op.equals("delete")) {
            return; // already gone
        }
        KernelSync.Entry e = ks.entries.get(p);
        if (e != null) {
            e.installed = null;
        }
        if (error instanceof AlreadyExistsException) {
            ks.refused(p, -1);
            return;
        }
        if (op.equals("replace")) {
            // our old route would keep a next hop that no longer resolves: withdraw it (the delete names our
            // protocol and no next hop, so it matches only ours); installed again when the next hop resolves
            ks.deleteNow(Route.builder(KernelPrefixes.ipPrefix(p))
                    .table(ks.cfg.table())
                    .protocol(ks.cfg.protocol())
                    .build());
        }
        long suppressed = ks.logLimiter.admit("kernel", "install failed");
        if (suppressed >= 0) {
            LOG.warn("kernel: route {}: {}{}", p, error.getMessage(), ks.logLimiter.suffix(suppressed));
        }
    }
}
