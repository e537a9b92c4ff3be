package org.calicojava.bgp.rib;

import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.policy.RouteSource;

/** A reload (SIGHUP, {@code reload} on the control socket): new settings applied on the RIB thread, the difference sent. */
final class Reload {
    private final Rib rib;

    Reload(Rib rib) {
        this.rib = rib;
    }

    /**
     * Takes the new settings, re-runs each peer's import policies over its Adj-RIB-In, adds and removes originated
     * prefixes, decides every destination again and exports the changes (RIB thread).
     */
    void apply(SpeakerConfig nsc, RoutingConfig nrc) {
        Table loc = rib.loc;
        SpeakerConfig before = rib.sc;
        rib.sc = nsc;
        rib.rc = nrc;
        rib.best = new BestPath(nrc.alwaysCompareMed());
        for (PeerInfo pi : rib.peers.values()) {
            if (pi.routing != null) {
                pi.configure(nrc.neighbor(pi.address), nrc);
            }
        }
        for (Prefix p : before.originate()) {
            if (!nsc.originate().contains(p)) {
                rib.local.remove(p, RouteSource.STATIC);
            }
        }
        for (Prefix p : nsc.originate()) {
            if (!before.originate().contains(p)) {
                rib.local.add(p, RouteSource.STATIC, Rib.localAttrs(PathAttributes.ORIGIN_IGP));
            }
        }
        for (int d = 0; d < loc.high(); d++) {
            if (!loc.live(d)) {
                continue;
            }
            rib.filter.reimport(d);
            rib.decide(d);
            if (!loc.live(d) || loc.best[d] == null && loc.paths[d] == null) {
                continue;
            }
            for (PeerInfo t : rib.peerList) {
                if (t.established) {
                    rib.out.export(t, d);
                }
            }
            rib.kernelOut.mark(loc.prefix(d));
        }
        rib.afterBatch();
        rib.out.flush();
    }
}
