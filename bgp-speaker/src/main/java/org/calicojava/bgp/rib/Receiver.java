package org.calicojava.bgp.rib;

import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.MpReach;
import org.calicojava.bgp.codec.MpUnreach;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.policy.RouteSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UPDATEs into the Loc-RIB: withdrawals, then announcements through the prefix limit and the import filter; parts of
 * families the session did not negotiate are ignored.
 */
final class Receiver {
    private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);
    private static final Nlri NO_V4 = Nlri.empty(Family.IPV4_UNICAST);
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
            if (negotiated(pi, eor)) {
                rib.convergence.endOfRib(pi, eor);
            }
            return;
        }
        // RFC 4760 6: only the families negotiated in the OPEN exchange (IPv4 unicast is implied when the peer sent no
        // multiprotocol capability, see session.Negotiation); the parts of other families are ignored (RFC 7606 style)
        boolean v4 = negotiated(pi, Family.IPV4_UNICAST);
        Nlri withdrawn = v4 ? u.withdrawn() : NO_V4, nlri = v4 ? u.nlri() : NO_V4;
        MpUnreach unreach =
                u.mpUnreach() != null && negotiated(pi, u.mpUnreach().family()) ? u.mpUnreach() : null;
        MpReach r = u.mpReach() != null && negotiated(pi, u.mpReach().family()) ? u.mpReach() : null;
        if ((!v4 && (!u.withdrawn().isEmpty() || !u.nlri().isEmpty()))
                || unreach != u.mpUnreach()
                || r != u.mpReach()) {
            notNegotiated(pi, u);
        }
        withdraw(pi, withdrawn);
        if (unreach != null) {
            withdraw(pi, unreach.nlri());
        }
        if (u.treatAsWithdraw()) {
            withdraw(pi, nlri);
            if (r != null) {
                withdraw(pi, r.nlri());
            }
        } else {
            if (!nlri.isEmpty()) {
                if (u.attributes().hasNextHop()
                        && rib.filter.badNextHop(
                                pi, Ip.v4Address(u.attributes().nextHop()).getAddress(), nlri.size())) {
                    withdraw(pi, nlri);
                } else {
                    announce(pi, u.attributes(), null, nlri);
                }
            }
            if (r != null && rib.filter.badNextHop(pi, r.nextHop(), r.nlri().size())) {
                withdraw(pi, r.nlri());
            } else if (r != null && r.family() == Family.IPV4_UNICAST) {
                // RFC 4760 3: routes in MP_REACH_NLRI go via its next hop (4 bytes, checked just now), never NEXT_HOP
                PathAttributes a = u.attributes().toBuilder()
                        .nextHop(Ip.v4Int(Ip.of(r.nextHop())))
                        .build();
                announce(pi, a, null, r.nlri());
            } else if (r != null) {
                announce(pi, u.attributes(), r.nextHop(), r.nlri());
            }
        }
    }

    private static boolean negotiated(PeerInfo pi, Family f) {
        return pi.negotiated == null || pi.negotiated.families().contains(f);
    }

    /** Routes of a family the session did not negotiate: ignored, one line per peer per interval with a count. */
    private void notNegotiated(PeerInfo pi, Update u) {
        pi.notNegotiated++;
        long suppressed = rib.errors.admit(pi.address, "family not negotiated");
        if (suppressed >= 0) {
            LOG.warn(
                    "peer {}: UPDATE with routes of a family not negotiated (negotiated: {}): ignored, {} so far{}",
                    Ip.string(pi.address),
                    pi.negotiated.families(),
                    pi.notNegotiated,
                    rib.errors.suffix(suppressed));
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
