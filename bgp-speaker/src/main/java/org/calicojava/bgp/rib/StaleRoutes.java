package org.calicojava.bgp.rib;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Graceful restart (RFC 4724): a peer's routes kept as stale while it restarts, swept at End-of-RIB or when time runs out. */
final class StaleRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(StaleRoutes.class);
    private final Rib rib;

    StaleRoutes(Rib rib) {
        this.rib = rib;
    }

    /** The session of {@code pi} went down with graceful restart: marks its routes stale and schedules their sweep. */
    void keep(PeerInfo pi) {
        Table loc = rib.loc;
        int n = 0;
        for (int d = 0; d < loc.high(); d++) {
            if (!loc.live(d)) {
                continue;
            }
            for (Path p : loc.paths(d)) {
                if (p.from != pi || p.stale) {
                    continue;
                }
                Path s = rib.path(p.withStale(true));
                loc.replace(d, p, s);
                if (loc.best[d] == p) {
                    loc.best[d] = s; // the same route, now marked: nothing to send
                }
                n++;
            }
        }
        pi.staleFamilies.addAll(Set.of(Family.values()));
        // the peer's restart time, capped by ours; a pending sweep keeps its deadline (flapping cannot extend it)
        int keep = Math.min(pi.restartTime, rib.rc.maxStaleRoutesTime());
        if (pi.staleSweep == null || pi.staleSweep.isDone()) {
            pi.staleSweep = rib.thread.schedule(() -> sweep(pi, null, "stale time expired"), keep, TimeUnit.SECONDS);
        }
        long suppressed = rib.errors.admit(pi.address, "graceful restart");
        if (suppressed >= 0) {
            LOG.info(
                    "peer {}: down, graceful restart: keeping {} routes as stale for up to {}s (restart time {}s, our maximum {}s){}",
                    Ip.string(pi.address),
                    n,
                    (pi.staleSweep.getDelay(TimeUnit.MILLISECONDS) + 999) / 1000,
                    pi.restartTime,
                    rib.rc.maxStaleRoutesTime(),
                    rib.errors.suffix(suppressed));
        }
    }

    /** Removes the stale routes of {@code pi} in family {@code f} (null: every family), e.g. at its End-of-RIB. */
    void sweep(PeerInfo pi, Family f, String why) {
        Table loc = rib.loc;
        int n = 0;
        for (int d = 0; d < loc.high(); d++) {
            if (!loc.live(d) || f != null && loc.family(d) != f) {
                continue;
            }
            for (Path p : loc.paths(d)) {
                if (p.from == pi && p.stale) {
                    rib.drop(d, p);
                    n++;
                }
            }
        }
        if (f == null) {
            pi.staleFamilies.clear();
        } else {
            pi.staleFamilies.remove(f);
        }
        if (pi.staleFamilies.isEmpty() && pi.staleSweep != null) {
            pi.staleSweep.cancel(false);
            pi.staleSweep = null;
        }
        if (n > 0 || f == null) {
            LOG.info("peer {}: {}: removed {} stale routes", Ip.string(pi.address), why, n);
        }
        rib.afterBatch();
    }
}
