package org.calicojava.bgp.rib;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.config.NeighborConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** End-of-RIB from the neighbours: their stale routes go, and once all have sent it the RIB has converged (RIB thread). */
final class Convergence {
    private static final Logger LOG = LoggerFactory.getLogger(Rib.class);
    private final Rib rib;
    private final Set<InetAddress> eorFrom = new HashSet<>();
    private Runnable onConverged;

    Convergence(Rib rib) {
        this.rib = rib;
    }

    /** {@code r} runs once every configured neighbour has sent End-of-RIB. */
    void onConverged(Runnable r) {
        onConverged = r;
        check();
    }

    /** Runs the converged action now, if it has not run yet. */
    void converge() {
        Runnable r = onConverged;
        onConverged = null;
        if (r != null) {
            rib.kernelOut.sync();
            r.run();
        }
    }

    /** {@code pi} sent End-of-RIB for {@code f}: its stale routes of {@code f} go, and the RIB may have converged. */
    void endOfRib(PeerInfo pi, Family f) {
        LOG.info("peer {}: End-of-RIB {}", Ip.string(pi.address), f);
        if (pi.staleFamilies.contains(f)) {
            rib.stale.sweep(pi, f, "End-of-RIB");
        }
        eorFrom.add(pi.address);
        check();
    }

    private void check() {
        if (onConverged == null) {
            return;
        }
        for (NeighborConfig n : rib.sc.neighbors()) {
            if (!eorFrom.contains(n.address())) {
                return;
            }
        }
        Runnable r = onConverged;
        onConverged = null;
        rib.kernelOut.sync();
        LOG.info("rib: End-of-RIB from every neighbour, {} prefixes", rib.loc.size());
        r.run();
    }
}
