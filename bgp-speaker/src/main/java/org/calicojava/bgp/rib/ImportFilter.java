package org.calicojava.bgp.rib;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.calicojava.bgp.codec.BgpError;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.config.MaxPrefixes;
import org.calicojava.bgp.policy.Policy;
import org.calicojava.bgp.policy.RouteSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What may enter the Loc-RIB: NEXT_HOP checks, loop checks and import policies, and the neighbours' prefix limits. */
final class ImportFilter {
    private static final Logger LOG = LoggerFactory.getLogger(ImportFilter.class);
    private final Rib rib;

    ImportFilter(Rib rib) {
        this.rib = rib;
    }

    /**
     * A new prefix of family {@code f} from {@code pi} would exceed its limit: true to keep it anyway ({@code warn}),
     * false to ignore it ({@code drop}) or to stop the session ({@code stop}: NOTIFICATION Cease / maximum number of
     * prefixes reached with AFI, SAFI and the limit as data, RFC 4486; every route of the session goes).
     */
    boolean beyondLimit(PeerInfo pi, Family f) {
        MaxPrefixes max = pi.maxPrefixes;
        switch (max.action()) {
            case WARN -> {
                if (!pi.limitWarned) {
                    pi.limitWarned = true;
                    LOG.warn(
                            "peer {}: more than {} {} prefixes (maxPrefixes, action warn: accepted)",
                            Ip.string(pi.address),
                            max.limit(),
                            f);
                }
                return true;
            }
            case DROP -> {
                pi.limitDropped++;
                long suppressed = rib.errors.admit(pi.address, "max-prefixes drop");
                if (suppressed >= 0) {
                    LOG.warn(
                            "peer {}: {} {} prefixes reached (maxPrefixes, action drop): new ones ignored, {} so far{}",
                            Ip.string(pi.address),
                            max.limit(),
                            f,
                            pi.limitDropped,
                            rib.errors.suffix(suppressed));
                }
                return false;
            }
            default -> {
                pi.limitStopped = true;
                long limit = max.limit();
                byte[] data = {
                    (byte) (f.afi >> 8),
                    (byte) f.afi,
                    (byte) f.safi,
                    (byte) (limit >> 24),
                    (byte) (limit >> 16),
                    (byte) (limit >> 8),
                    (byte) limit
                };
                LOG.warn(
                        "peer {}: more than {} {} prefixes (maxPrefixes, action stop): session stopped, restart in {}",
                        Ip.string(pi.address),
                        limit,
                        f,
                        max.restartAfter() > 0 ? max.restartAfter() + " s" : "never");
                pi.peer.prefixLimit(
                        pi.session, BgpError.of(BgpError.CEASE, BgpError.MAX_PREFIXES, data), max.restartAfter());
                return false;
            }
        }
    }

    /**
     * RFC 4271 5.1.3 / RFC 7606 7.3: a martian next hop or one of ours makes the routes treat-as-withdraw (logged at
     * most once per peer per interval, with a count).
     */
    boolean badNextHop(PeerInfo pi, byte[] nextHop, int prefixes) {
        List<InetAddress> own = new ArrayList<>(3);
        if (pi.negotiated != null) {
            own.add(pi.negotiated.localAddress());
        }
        own.add(rib.sc.nextHop4());
        own.add(rib.sc.nextHop6());
        String why = NextHopCheck.refusal(nextHop, pi.address, own);
        if (why == null) {
            return false;
        }
        pi.badNextHops += prefixes;
        long suppressed = rib.errors.admit(pi.address, "next hop");
        if (suppressed >= 0) {
            LOG.warn(
                    "peer {}: NEXT_HOP {} is {}: {} prefixes treated as withdrawn ({} so far){}",
                    Ip.string(pi.address),
                    nextHop.length == 4 || nextHop.length >= 16
                            ? Prefix.formatAddress(Arrays.copyOf(nextHop, nextHop.length == 4 ? 4 : 16))
                            : "?",
                    why,
                    prefixes,
                    pi.badNextHops,
                    rib.errors.suffix(suppressed));
        }
        return true;
    }

    /** Loop checks, then the import policy (RFC 8212: eBGP without one accepts nothing); null when refused. */
    PathAttributes importAttrs(PeerInfo pi, int d, PathAttributes raw) {
        if (!pi.importByPrefix && pi.importKey == raw) {
            return pi.importResult;
        }
        PathAttributes r = importCheck(pi, rib.loc.prefix(d), raw);
        if (!pi.importByPrefix) {
            pi.importKey = raw;
            pi.importResult = r;
        }
        return r;
    }

    private PathAttributes importCheck(PeerInfo pi, Prefix p, PathAttributes raw) {
        long as = rib.sc.asNumber();
        if (raw.asPath() != null && !pi.ibgp && raw.asPath().contains(as) && pi.routing.allowOwnAs() == 0) {
            return null;
        }
        if (raw.originatorId() >= 0 && raw.originatorId() == (rib.sc.routerId() & 0xffffffffL)) {
            return null;
        }
        if (rib.rc.routeReflector() && raw.clusterList() != null) {
            for (int c : raw.clusterList()) {
                if (c == rib.rc.clusterId()) {
                    return null;
                }
            }
        }
        PathAttributes a = raw;
        if (!pi.ibgp && a.localPref() >= 0) {
            a = a.toBuilder().localPref(-1).build(); // LOCAL_PREF is not taken from eBGP
        }
        if (pi.importChain.isEmpty()) {
            return pi.ibgp ? a : null;
        }
        a = Policy.evaluate(pi.importChain, p, a, RouteSource.BGP, as);
        return a == null ? null : rib.intern(a);
    }

    /** The kernel import policy for a route learned from the kernel; other local routes pass unchanged. */
    PathAttributes localImport(Prefix p, RouteSource src, PathAttributes a) {
        if (src != RouteSource.KERNEL || rib.rc.kernel().importPolicies().isEmpty()) {
            return a;
        }
        return Policy.evaluate(rib.rc.chain(rib.rc.kernel().importPolicies()), p, a, src, rib.sc.asNumber());
    }

    /** Runs every path of destination {@code d} through the (new) import policies again. */
    void reimport(int d) {
        Table loc = rib.loc;
        for (Path p : loc.paths(d)) {
            PathAttributes a;
            if (p.from != null && p.from.routing != null) {
                a = importAttrs(p.from, d, p.raw);
                if (p.attrs != null) {
                    p.from.accepted--;
                }
                if (a != null) {
                    p.from.accepted++;
                }
            } else if (p.from == null) {
                a = localImport(loc.prefix(d), p.source, p.raw);
            } else {
                continue;
            }
            if (a != p.attrs) {
                loc.replace(d, p, rib.path(p.withAttrs(a)));
            }
        }
    }
}
