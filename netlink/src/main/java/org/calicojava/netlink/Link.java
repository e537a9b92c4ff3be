package org.calicojava.netlink;

/**
 * A network interface as the kernel reports it.
 *
 * @param index     interface index
 * @param name      interface name
 * @param flags     IFF_* flags (IFF_UP = 1, IFF_LOWER_UP = 0x10000)
 * @param mtu       MTU in bytes
 * @param mac       hardware address, or null when the device has none of 6 bytes
 * @param kind      link kind ("veth", ...) from IFLA_INFO_KIND, or null (e.g. loopback)
 * @param linkIndex IFLA_LINK: for a veth, the peer's index (in the peer's namespace), else 0
 * @param operState RFC 2863 operational state (IF_OPER_*: 2 down, 6 up, 0 unknown)
 * @param inet      the IPv4 and IPv6 settings workload interfaces need, as reported ({@link InetConf#UNKNOWN}: none)
 */
public record Link(
        int index,
        String name,
        int flags,
        int mtu,
        MacAddress mac,
        String kind,
        int linkIndex,
        int operState,
        InetConf inet) {

    /**
     * The same device in the same state, whatever its IP settings ({@link #inet}): what routing and link watches
     * compare, so that a re-read after the sysctls were written is not a change of the link.
     */
    public boolean sameDevice(Link o) {
        return o != null
                && index == o.index
                && flags == o.flags
                && mtu == o.mtu
                && linkIndex == o.linkIndex
                && operState == o.operState
                && name.equals(o.name)
                && java.util.Objects.equals(mac, o.mac)
                && java.util.Objects.equals(kind, o.kind);
    }

    /** Administratively up (IFF_UP). */
    public boolean isUp() {
        return (flags & 0x1) != 0;
    }

    /** Carrier present (IFF_LOWER_UP). */
    public boolean hasCarrier() {
        return (flags & 0x10000) != 0;
    }
}
