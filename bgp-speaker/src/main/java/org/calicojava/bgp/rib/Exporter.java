package org.calicojava.bgp.rib;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.policy.Policy;
import org.calicojava.bgp.session.Negotiated;

/**
 * Which path goes to which peer with which attributes: iBGP/eBGP rules, route reflection (RFC 4456), next hop self,
 * AS prepend toward eBGP, RFC 8212 (eBGP gets nothing without an export policy), then the peer's export policy.
 */
final class Exporter {
    private Exporter() {}

    /** The advertisement of {@code p} toward {@code t}, or null when it must not be sent. */
    static Advert export(Path p, Prefix prefix, PeerInfo t, SpeakerConfig sc, RoutingConfig rc) {
        if (p.from == t) {
            return null;
        }
        PathAttributes a = p.attrs;
        boolean fromIbgp = p.from != null && p.from.ibgp;
        if (t.ibgp && fromIbgp) {
            if (!rc.routeReflector() || !(p.from.routing.rrClient() || t.routing.rrClient())) {
                return null;
            }
            if (a.originatorId() >= 0 && a.originatorId() == (t.routerId & 0xffffffffL)) {
                return null;
            }
        }
        List<Policy> chain = t.exportChain;
        if (chain.isEmpty()) {
            if (!t.ibgp) {
                return null; // RFC 8212
            }
        } else {
            a = Policy.evaluate(chain, prefix, a, p.source, sc.asNumber());
            if (a == null) {
                return null;
            }
        }
        Negotiated n = t.negotiated;
        if (n == null) {
            return null;
        }
        PathAttributes.Builder b = a.toBuilder();
        boolean v4 = prefix.family() == org.calicojava.bgp.codec.Family.IPV4_UNICAST;
        boolean self;
        if (t.ibgp) {
            if (a.localPref() < 0) {
                b.localPref(100);
            }
            if (fromIbgp) {
                if (a.originatorId() < 0) {
                    b.originatorId(p.from.routerId & 0xffffffffL);
                }
                int[] cl = a.clusterList() == null ? new int[0] : a.clusterList();
                int[] ncl = new int[cl.length + 1];
                ncl[0] = rc.clusterId();
                System.arraycopy(cl, 0, ncl, 1, cl.length);
                b.clusterList(ncl);
                self = false; // reflected routes keep their next hop
            } else {
                self = p.from == null || !t.routing.nextHopKeep();
            }
            if (a.asPath() == null) {
                b.asPath(AsPath.EMPTY);
            }
        } else {
            AsPath path = a.asPath() == null ? AsPath.EMPTY : a.asPath();
            b.asPath(path.prepend(sc.asNumber())).localPref(-1).originatorId(-1).clusterList(null);
            if (p.from != null) {
                b.med(-1); // MED is not passed on to another AS
            }
            self = true;
        }
        if (a.origin() < 0) {
            b.origin(PathAttributes.ORIGIN_IGP);
        }
        byte[] nh6 = null;
        if (v4) {
            if (self || !a.hasNextHop()) {
                InetAddress nh = sc.nextHop4() != null
                        ? sc.nextHop4()
                        : n.localAddress() instanceof Inet4Address ? n.localAddress() : null;
                if (nh == null) {
                    return null;
                }
                b.nextHop(Ip.v4Int(nh));
            }
        } else {
            if (self || p.nh6 == null) {
                InetAddress nh = sc.nextHop6() != null ? sc.nextHop6() : n.localAddress();
                nh6 = nh instanceof Inet6Address ? nh.getAddress() : Ip.v4Mapped(nh.getAddress());
            } else {
                nh6 = p.nh6;
            }
        }
        return new Advert(b.build(), nh6);
    }
}
