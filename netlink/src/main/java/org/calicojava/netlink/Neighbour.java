package org.calicojava.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A neighbour (ARP / NDP) entry: {@code ip neigh replace DST lladdr MAC dev IFINDEX nud permanent}.
 *
 * @param ifindex interface index
 * @param dst     the neighbour's IPv4 or IPv6 address
 * @param lladdr  its link-layer address, or null (an incomplete or failed entry read back)
 * @param state   NUD_* state (0x80 permanent, 0x02 reachable, ...)
 */
public record Neighbour(int ifindex, InetAddress dst, MacAddress lladdr, int state) {
    public static final int PERMANENT = 0x80;

    public Neighbour {
        if (ifindex <= 0) {
            throw new IllegalArgumentException("neighbour ifindex: " + ifindex + " (expected: > 0)");
        }
        if (dst == null) {
            throw new IllegalArgumentException("neighbour dst: null (expected: an IP address)");
        }
    }

    /** A permanent entry, as Calico's VXLAN mode writes them. */
    public static Neighbour permanent(int ifindex, InetAddress dst, MacAddress lladdr) {
        if (lladdr == null) {
            throw new IllegalArgumentException("neighbour " + IpPrefix.format(dst) + ": no lladdr (expected: a MAC)");
        }
        return new Neighbour(ifindex, dst, lladdr, PERMANENT);
    }

    public int family() {
        return dst instanceof Inet4Address ? 2 : 10;
    }

    public boolean permanent() {
        return (state & PERMANENT) != 0;
    }

    @Override
    public String toString() {
        return IpPrefix.format(dst) + (lladdr == null ? "" : " lladdr " + lladdr) + " dev #" + ifindex
                + (permanent() ? " permanent" : " state 0x" + Integer.toHexString(state));
    }
}
