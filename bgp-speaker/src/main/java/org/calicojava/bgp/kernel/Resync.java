package org.calicojava.bgp.kernel;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.RouteFilter;
import org.calicojava.netlink.RouteType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reading the whole table again (at start, after an event overrun or a link going down); kernel thread only. */
final class Resync {
    private static final Logger LOG = LoggerFactory.getLogger(Resync.class);
    /** How long a table read after an overrun may wait for queued changes of ours to be applied first. */
    static final long MAX_DELAY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final KernelSync ks;
    /** When a wanted table read was first put off for queued changes (System.nanoTime), 0 when none is. */
    private long deferredSince;

    private long count;

    Resync(KernelSync ks) {
        this.ks = ks;
    }

    /** A put-off read is due: the queue is empty, or it waited long enough. */
    boolean due() {
        return deferredSince != 0 && (ks.pending.isEmpty() || System.nanoTime() - deferredSince >= MAX_DELAY_NANOS);
    }

    /** Table reads so far. */
    long count() {
        return count;
    }

    /**
     * One dump: the view again, the learned routes, and ours checked against what we think is installed. While changes
     * of ours are queued (a full table load, whose own events are what overruns the event socket) the dump waits until
     * they are applied, at most {@link #MAX_DELAY_NANOS}: one dump after the load instead of one per overrun.
     */
    void run() {
        ks.resyncScheduled.set(false);
        if (!ks.pending.isEmpty()) {
            if (deferredSince == 0) {
                deferredSince = System.nanoTime();
            }
            if (System.nanoTime() - deferredSince < MAX_DELAY_NANOS) {
                return; // drain() calls again once the queue is empty (a drain is queued: pending is not empty)
            }
        }
        deferredSince = 0;
        List<Route> table = ks.nl.routes(RouteFilter.all().withTable(ks.cfg.table()));
        ks.view.clear();
        Set<Prefix> now = new HashSet<>();
        Set<IpPrefix> oursThere = new HashSet<>();
        for (Route r : table) {
            if (r.protocol() == ks.cfg.protocol()) {
                oursThere.add(r.dst());
                continue;
            }
            ks.view.apply(r, true);
            if (r.type() == RouteType.UNICAST && ks.cfg.learnProtocols().contains(r.protocol())) {
                now.add(KernelPrefixes.prefix(r.dst()));
            }
        }
        for (Prefix p : List.copyOf(ks.learned)) {
            if (!now.contains(p)) {
                ks.learn(p, false);
            }
        }
        for (Prefix p : now) {
            ks.learn(p, true);
        }
        KernelBatch a = new KernelBatch(ks);
        try {
            int lost = 0;
            for (var e : ks.entries.entrySet()) {
                KernelSync.Entry en = e.getValue();
                if (en.installed != null && !oursThere.contains(KernelPrefixes.ipPrefix(e.getKey()))) {
                    en.installed = null; // gone behind our back (a link went down, someone deleted it)
                    lost++;
                }
            }
            ks.reresolve(a, null); // first, so what is installed below uses the new view
            for (var e : ks.entries.entrySet()) {
                KernelSync.Entry en = e.getValue();
                if (en.installed == null || ks.view.owner(KernelPrefixes.ipPrefix(e.getKey())) >= 0) {
                    ks.reconcile(e.getKey(), en, a);
                }
            }
            ks.blackholes.resynced(oursThere);
            count++;
            LOG.info(
                    "kernel: table {} read: {} routes of other owners, {} of ours; {} of ours were missing and are"
                            + " installed again",
                    ks.cfg.table(),
                    ks.view.size(),
                    oursThere.size(),
                    lost);
        } finally {
            a.finish();
        }
    }
}
