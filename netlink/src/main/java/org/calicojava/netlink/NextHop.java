package org.calicojava.netlink;

import java.net.InetAddress;

/**
 * One next hop of a route: a gateway, an output interface, or both.
 *
 * @param gateway  next router, or null for a directly connected destination
 * @param ifindex  output interface index, 0 to let the kernel pick it from the gateway
 * @param weight   ECMP weight 1..256 (only used in multipath routes)
 * @param onlink   treat the gateway as on-link even without a matching interface route (RTNH_F_ONLINK)
 */
public record NextHop(InetAddress gateway, int ifindex, int weight, boolean onlink) {
    public NextHop {
        if (gateway == null && ifindex == 0) {
            throw new IllegalArgumentException("next hop: no gateway and no interface (expected: at least one)");
        }
        if (ifindex < 0) {
            throw new IllegalArgumentException("next hop ifindex: " + ifindex + " (expected: >= 0)");
        }
        if (weight < 1 || weight > 256) {
            throw new IllegalArgumentException("next hop weight: " + weight + " (expected: 1..256)");
        }
        if (onlink && ifindex == 0) {
            throw new IllegalArgumentException("next hop onlink: needs an interface (expected: ifindex > 0)");
        }
    }

    public static NextHop via(InetAddress gateway, int ifindex) {
        return new NextHop(gateway, ifindex, 1, false);
    }

    public static NextHop dev(int ifindex) {
        return new NextHop(null, ifindex, 1, false);
    }

    public NextHop withWeight(int w) {
        return new NextHop(gateway, ifindex, w, onlink);
    }

    public NextHop withOnlink(boolean o) {
        return new NextHop(gateway, ifindex, weight, o);
    }

    @Override
    public String toString() {
        return (gateway == null ? "" : "via " + IpPrefix.format(gateway) + " ")
                + (ifindex == 0 ? "" : "if " + ifindex)
                + (weight == 1 ? "" : " weight " + weight)
                + (onlink ? " onlink" : "");
    }
}
