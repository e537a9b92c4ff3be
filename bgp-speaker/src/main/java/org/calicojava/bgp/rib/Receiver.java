package org.calicojava.bgp.rib;

import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.policy.RouteSource;

/** UPDATEs into the Loc-RIB: withdrawals, then announcements through the prefix limit and the import filter. */
final class Receiver {
    private final Rib rib;

    Receiver(Rib rib) {
        this.rib = rib;
    }

    /** One UPDATE of {@code pi}'s current session (RIB thread). */
    void receive(PeerInfo pi, Update u) {
        rib.metrics.updateIn(pi.address);
        if (pi.limitStopped) {
            pi.droppedInFlight++; // the session is being stopped for its prefix limit
            return;
        }
        Family eor = u.endOfRibFamily();
        if (eor != null) {
            rib.convergence.endOfRib(pi, eor);
            return;
        }
        withdraw(pi, u.withdrawn());
        if (u.mpUnreach() != null) {
            withdraw(pi, u.mpUnreach().nlri());
        }
        if (u.treatAsWithdraw()) {
            withdraw(pi, u.nlri());
            if (u.mpReach() != null) {
                withdraw(pi, u.mpReach().nlri());
            }
        } else {
            if (!u.nlri().isEmpty()) {
                if (u.attributes().hasNextHop()
                        && rib.filter.badNextHop(
                                pi,
                                Ip.v4Address(u.attributes().nextHop()).getAddress(),
                                u.nlri().size())) {
                    withdraw(pi, u.nlri());
                } else {
                    announce(pi, u.attributes(), null, u.nlri());
                }
            }
            if (u.mpReach() != null
                    && rib.filter.badNextHop(
                            pi, u.mpReach().nextHop(), u.mpReach().nlri().size())) {
                withdraw(pi, u.mpReach().nlri());
            } else if (u.mpReach() != null) {
                byte[] nh = u.mpReach().nextHop();
                PathAttributes a = u.attributes();
                if (u.mpReach().family() == Family.IPV4_UNICAST && nh.length == 4) {
                    a = a.toBuilder().nextHop(Ip.v4Int(Ip.of(nh))).build();
                    nh = null;
                }
                announce(pi, a, nh, u.mpReach().nlri());
            }
        }
    }

    private void announce(PeerInfo pi, PathAttributes raw, byte[] nh6, Nlri nlri) {
        if (pi.limitStopped) {
            return;
        }
        raw = rib.intern(raw);
        if (nh6 != null) {
            nh6 = nh6.clone();
        }
        rib.metrics.prefixesIn(pi.address, nlri.size());
        Path last = null; // the routes of one UPDATE share one path (unless the import policy looks at the prefix)
        int fam = nlri.family().ordinal();
        for (int i = 0; i < nlri.size(); i++) {
            int d, id = nlri.pathId(i);
            if (pi.maxPrefixes != null && pi.receivedByFamily[fam] >= pi.maxPrefixes.limit()) {
                d = rib.loc.find(nlri, i, false); // a new prefix beyond the limit must not even create its destination
                if ((d < 0 || rib.loc.find(d, pi, RouteSource.BGP, id) == null)
                        && !rib.filter.beyondLimit(pi, nlri.family())) {
                    if (pi.limitStopped) {
                        return;
                    }
                    continue;
                }
                if (d < 0) {
                    d = rib.loc.find(nlri, i, true);
                }
            } else {
                d = rib.loc.find(nlri, i, true);
            }
            Path old = rib.loc.find(d, pi, RouteSource.BGP, id), now;
            if (last != null && last.pathId == id && !pi.importByPrefix) {
                now = last;
            } else {
                PathAttributes a = rib.filter.importAttrs(pi, d, raw);
                now = last = rib.path(new Path(pi, RouteSource.BGP, id, raw, a, nh6, false));
            }
            if (old == now) {
                continue;
            }
            if (old == null) {
                pi.received++;
                pi.receivedByFamily[fam]++;
            } else if (old.attrs != null) {
                pi.accepted--;
            }
            if (now.attrs != null) {
                pi.accepted++;
            }
            rib.loc.replace(d, old, now);
            rib.decide(d);
        }
    }

    private void withdraw(PeerInfo pi, Nlri nlri) {
        for (int i = 0; i < nlri.size(); i++) {
            int d = rib.loc.find(nlri, i, false);
            Path path = d < 0 ? null : rib.loc.find(d, pi, RouteSource.BGP, nlri.pathId(i));
            if (path == null) {
                continue;
            }
            rib.drop(d, path);
        }
    }
}
