package org.calicojava.netlink;

import java.nio.ByteBuffer;
import org.calicojava.netlink.codec.Attrs;
import org.calicojava.netlink.codec.Rtnl;

/**
 * The per-interface IP settings that Calico's workload conventions set ({@link WorkloadInterface#configureSysctls}),
 * as the kernel reports them in a link's {@code IFLA_AF_SPEC}: IPv4's {@code IFLA_INET_CONF} (the
 * {@code net.ipv4.conf.IF.*} values) and IPv6's {@code IFLA_INET6_CONF} ({@code net.ipv6.conf.IF.*}). Each value is
 * -1 where the kernel did not report it (the family has no settings on the link, or an older message layout), so a
 * caller can tell "not set" from "unknown".
 */
public record InetConf(
        int forwarding, int proxyArp, int routeLocalnet, int ipv6Forwarding, int ipv6AcceptRa, int ipv6ProxyNdp) {
    public static final InetConf UNKNOWN = new InetConf(-1, -1, -1, -1, -1, -1);

    static final int IFLA_AF_SPEC = 26;
    static final int IFLA_INET_CONF = 1;
    static final int IFLA_INET6_CONF = 2;
    // include/uapi/linux/ip.h: IPV4_DEVCONF_* start at 1; IFLA_INET_CONF is a u32 array whose entry i is id i + 1
    static final int IPV4_DEVCONF_FORWARDING = 1;
    static final int IPV4_DEVCONF_PROXY_ARP = 3;
    static final int IPV4_DEVCONF_ROUTE_LOCALNET = 26;
    // include/uapi/linux/ipv6.h: DEVCONF_* start at 0; IFLA_INET6_CONF is an s32 array indexed by them
    static final int DEVCONF_FORWARDING = 0;
    static final int DEVCONF_ACCEPT_RA = 3;
    static final int DEVCONF_PROXY_NDP = 22;

    /** Whether the link reported its IPv6 settings (it has them: IPv6 is on in the kernel and the MTU allows it). */
    public boolean hasIpv6() {
        return ipv6Forwarding >= 0;
    }

    /**
     * From a link message's attributes (the settings of families absent from IFLA_AF_SPEC are -1). Walks the nested
     * attributes in place rather than parsing them: every link of a dump goes through here.
     */
    static InetConf decode(Attrs link) {
        ByteBuffer af = link.get(IFLA_AF_SPEC);
        if (af == null) {
            return UNKNOWN;
        }
        ByteBuffer v4 = Attrs.find(Attrs.find(af, Rtnl.AF_INET), IFLA_INET_CONF);
        ByteBuffer v6 = Attrs.find(Attrs.find(af, Rtnl.AF_INET6), IFLA_INET6_CONF);
        if (v4 == null && v6 == null) {
            return UNKNOWN;
        }
        return new InetConf(
                entry(v4, IPV4_DEVCONF_FORWARDING - 1),
                entry(v4, IPV4_DEVCONF_PROXY_ARP - 1),
                entry(v4, IPV4_DEVCONF_ROUTE_LOCALNET - 1),
                entry(v6, DEVCONF_FORWARDING),
                entry(v6, DEVCONF_ACCEPT_RA),
                entry(v6, DEVCONF_PROXY_NDP));
    }

    /** Entry {@code i} of an array of 32-bit values; -1 when the array is absent or too short. */
    private static int entry(ByteBuffer array, int i) {
        return array != null && array.remaining() >= (i + 1) * 4 ? array.getInt(array.position() + i * 4) : -1;
    }
}
