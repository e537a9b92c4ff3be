package org.calicojava.bgp.rib;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.GracefulRestart;
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

    /**
     * The session of {@code pi} was lost without a NOTIFICATION (TCP closed or reset), or with RFC 8538's N bit
     * negotiated by a NOTIFICATION other than Hard Reset, with graceful restart negotiated:
     * its routes of the families its capability listed are marked stale and their sweep scheduled; the routes of other
     * families go at once (RFC 4724 4.2). The Forwarding State bit does not matter here, only in the next session's
     * capability ({@link #reestablished}).
     */
    void keep(PeerInfo pi) {
        Table loc = rib.loc;
        int n = 0, removed = 0;
        for (int d = 0; d < loc.high(); d++) {
            if (!loc.live(d)) {
                continue;
            }
            boolean retained = pi.grFamilies.contains(loc.family(d));
            for (Path p : loc.paths(d)) {
                if (p.from != pi) {
                    continue;
                }
                if (!retained) {
                    rib.drop(d, p);
                    removed++;
                    continue;
                }
                if (p.stale) {
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
        if (removed > 0) {
            LOG.info(
                    "peer {}: down, graceful restart covers {} only: removed {} routes of other families",
                    Ip.string(pi.address),
                    pi.grFamilies,
                    removed);
        }
        pi.staleFamilies.clear(); // any other family's were swept when this session came up
        pi.staleFamilies.addAll(pi.grFamilies);
        if (pi.staleFamilies.isEmpty()) {
            forget(pi);
            return;
        }
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

    /**
     * A new session of {@code pi} is Established with the peer's graceful restart capability {@code gr} (null: none, or
     * not negotiated) and {@code families}: the stale routes of a family go at once when the capability is missing, does
     * not list the family or has its Forwarding State bit clear (RFC 4724 4.2), or when the family was not negotiated
     * (no End-of-RIB can come for it); the others stay stale until the End-of-RIB or the sweep.
     */
    void reestablished(PeerInfo pi, GracefulRestart gr, Set<Family> families) {
        pi.grFamilies = EnumSet.noneOf(Family.class);
        if (gr != null) {
            pi.grFamilies.addAll(gr.forwarding().keySet());
        }
        for (Family f : EnumSet.copyOf(pi.staleFamilies)) {
            String why = notKept(gr, families, f);
            if (why != null) {
                sweep(pi, f, why);
            }
        }
    }

    /** Why the stale routes of {@code f} go when a session comes up with {@code gr} and {@code families}, or null. */
    private static String notKept(GracefulRestart gr, Set<Family> families, Family f) {
        if (gr == null) {
            return "re-established without graceful restart";
        }
        Boolean forwarding = gr.forwarding().get(f);
        if (forwarding == null) {
            return "re-established without " + f + " in graceful restart";
        }
        if (!forwarding) {
            return "re-established, forwarding state of " + f + " not preserved";
        }
        return families.contains(f) ? null : "re-established without " + f;
    }

    /** The routes of {@code pi} were removed (no graceful restart): nothing is stale, no sweep is due. */
    void forget(PeerInfo pi) {
        pi.staleFamilies.clear();
        if (pi.staleSweep != null) {
            pi.staleSweep.cancel(false);
            pi.staleSweep = null;
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
