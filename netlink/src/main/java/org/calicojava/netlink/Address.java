package org.calicojava.netlink;

/**
 * An address assigned to an interface.
 *
 * @param ifindex interface index
 * @param prefix  the address and its prefix length, e.g. 10.0.0.1/24
 * @param scope   0 universe (global), 253 link, 254 host
 * @param flags   IFA_F_* flags (0x80 permanent)
 * @param label   the IPv4 label (usually the interface name), or null
 */
public record Address(int ifindex, IpPrefix prefix, int scope, int flags, String label) {
    public Address {
        if (ifindex <= 0) {
            throw new IllegalArgumentException("address ifindex: " + ifindex + " (expected: > 0)");
        }
        if (prefix == null) {
            throw new IllegalArgumentException("address prefix: null (expected: e.g. 10.0.0.1/24)");
        }
    }

    /** IFA_F_NODAD: an IPv6 address usable at once, without duplicate address detection. */
    public static final int NODAD = 0x02;

    /** A global-scope address for add/delete. */
    public static Address of(int ifindex, IpPrefix prefix) {
        return new Address(ifindex, prefix, 0, 0, null);
    }

    public Address withFlags(int f) {
        return new Address(ifindex, prefix, scope, f, label);
    }
}
