package org.calicojava.bgp.kernel;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.NextHop;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.RouteType;

/**
 * The routes of one kernel table that are not ours (connected, kernel, static, felix's workload routes, other
 * daemons'), kept current from netlink route events: a longest-prefix match for next-hop resolution and an exact
 * lookup for "does another owner have this prefix". Keyed like the kernel keys routes: (destination, metric); a
 * second route with the same key replaces the first (RTM_NEWROUTE of a replace). Pure and not thread-safe: owned by
 * the kernel sync's thread.
 */
final class RouteView {
    private final Map<IpPrefix, List<Route>> routes = new HashMap<>();
    /** Per family (0 = IPv4, 1 = IPv6), how many destinations of each prefix length are present. */
    private final int[][] lengths = {new int[33], new int[129]};

    private int size;

    /** Applies a route event ({@code present} false = RTM_DELROUTE); returns whether the view changed. */
    boolean apply(Route r, boolean present) {
        List<Route> at = routes.get(r.dst());
        if (present) {
            if (at == null) {
                at = new ArrayList<>(1);
                routes.put(r.dst(), at);
                lengths[family(r.dst())][r.dst().length()]++;
            }
            for (int i = 0; i < at.size(); i++) {
                if (at.get(i).metric() == r.metric()) {
                    return !r.equals(at.set(i, r));
                }
            }
            at.add(r);
            size++;
            return true;
        }
        if (at == null) {
            return false;
        }
        for (int i = 0; i < at.size(); i++) {
            if (at.get(i).metric() == r.metric()) {
                at.remove(i);
                size--;
                if (at.isEmpty()) {
                    routes.remove(r.dst());
                    lengths[family(r.dst())][r.dst().length()]--;
                }
                return true;
            }
        }
        return false;
    }

    void clear() {
        routes.clear();
        lengths[0] = new int[33];
        lengths[1] = new int[129];
        size = 0;
    }

    int size() {
        return size;
    }

    /** The protocol of another owner's route for exactly {@code dst} (the first one), or -1 when there is none. */
    int owner(IpPrefix dst) {
        List<Route> at = routes.get(dst);
        return at == null || at.isEmpty() ? -1 : at.get(0).protocol();
    }

    /** The unicast route with next hops that the kernel would use for {@code a} (longest prefix, lowest metric), or null. */
    Route lookup(InetAddress a) {
        byte[] b = a.getAddress();
        int f = b.length == 4 ? 0 : 1;
        int[] present = lengths[f];
        for (int len = present.length - 1; len >= 0; len--) {
            if (present[len] == 0) {
                continue;
            }
            Route best = null;
            List<Route> at = routes.get(new IpPrefix(masked(b, len), len));
            if (at != null) {
                for (Route r : at) {
                    if (r.type() == RouteType.UNICAST
                            && !r.nextHops().isEmpty()
                            && (best == null || Integer.compareUnsigned(r.metric(), best.metric()) < 0)) {
                        best = r;
                    }
                }
            }
            if (best != null) {
                return best;
            }
        }
        return null;
    }

    /**
     * How we install a route via {@code h}: a directly connected next hop stays as is (on the connected route's
     * interface); otherwise the gateway of the route to it, onlink on that route's interface (recursive, one level);
     * with no route to it, as is (the kernel will say why not).
     */
    NextHop resolve(InetAddress h) {
        Route best = lookup(h);
        if (best == null) {
            return NextHop.via(h, 0);
        }
        NextHop via = best.nextHops().get(0);
        if (via.gateway() == null) {
            return NextHop.via(h, via.ifindex());
        }
        return new NextHop(via.gateway(), via.ifindex(), 1, true);
    }

    private static int family(IpPrefix p) {
        return p.isIpv4() ? 0 : 1;
    }

    private static InetAddress masked(byte[] b, int len) {
        byte[] m = new byte[b.length];
        int bits = len;
        for (int i = 0; i < b.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            m[i] = (byte) (b[i] & mask);
        }
        try {
            return InetAddress.getByAddress(m);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
