package org.calicojava.bgp.kernel;

import java.net.InetAddress;
import java.util.List;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.netlink.IpPrefix;

/**
 * Which routes go through IP-in-IP, as Calico: a best route for a prefix inside an IP-in-IP pool is installed
 * {@code via NEXT-HOP dev tunl0 onlink} (the BGP next hop is the peer host's address; the kernel encapsulates to it);
 * in a cross-subnet pool only when the next hop is outside this host's subnet (the prefix of the kernel address equal
 * to {@code hostAddress}), else natively. Pure and immutable.
 *
 * @param pools       the IP-in-IP pools (IPv4)
 * @param hostAddress this host's IPv4 address ({@code ip_addr_v4}); null: every next hop counts as remote
 */
public record IpipRoutes(List<Pool> pools, InetAddress hostAddress) {
    public static final String DEVICE = "tunl0";
    public static final IpipRoutes NONE = new IpipRoutes(List.of(), null);

    /** One pool: its CIDR and whether it tunnels only across subnets. */
    public record Pool(IpPrefix cidr, boolean crossSubnet) {
        public Pool {
            if (cidr == null || !cidr.isIpv4()) {
                throw new IllegalArgumentException("ipip pool: " + cidr + " (expected: an IPv4 CIDR)");
            }
        }
    }

    public IpipRoutes {
        pools = List.copyOf(pools);
        if (hostAddress != null && hostAddress.getAddress().length != 4) {
            throw new IllegalArgumentException(
                    "ipip hostAddress: " + hostAddress.getHostAddress() + " (expected: IPv4)");
        }
    }

    public boolean any() {
        return !pools.isEmpty();
    }

    /**
     * Whether the route for {@code p} via {@code nextHop} goes through the tunnel; {@code localSubnet} is this host's
     * subnet (null when unknown: a cross-subnet pool then tunnels, which works either way).
     */
    public boolean tunnel(Prefix p, InetAddress nextHop, IpPrefix localSubnet) {
        if (nextHop.getAddress().length != 4) {
            return false;
        }
        IpPrefix dst = KernelPrefixes.ipPrefix(p);
        for (Pool pool : pools) {
            if (dst.isIpv4()
                    && dst.length() >= pool.cidr().length()
                    && KernelPrefixes.contains(pool.cidr(), dst.address())) {
                return !pool.crossSubnet() || localSubnet == null || !KernelPrefixes.contains(localSubnet, nextHop);
            }
        }
        return false;
    }
}
