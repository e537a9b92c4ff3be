package org.calicojava.netlink;

import java.net.InetAddress;

/**
 * A forwarding database entry of a device itself (NTF_SELF), as on a vxlan device:
 * {@code bridge fdb replace MAC dev IFINDEX dst DST self permanent}.
 *
 * @param ifindex interface index (the vxlan device)
 * @param mac     the remote MAC
 * @param dst     the remote VTEP's address the frames are sent to, or null (entries read back without one)
 * @param state   NUD_* state (0x80 permanent; 0xc0 permanent and noarp as written)
 */
public record FdbEntry(int ifindex, MacAddress mac, InetAddress dst, int state) {
    /** NUD_PERMANENT | NUD_NOARP, as {@code bridge fdb ... permanent} sends it. */
    public static final int PERMANENT_NOARP = 0xc0;

    public FdbEntry {
        if (ifindex <= 0) {
            throw new IllegalArgumentException("fdb ifindex: " + ifindex + " (expected: > 0)");
        }
        if (mac == null) {
            throw new IllegalArgumentException("fdb mac: null (expected: a MAC)");
        }
    }

    /** A permanent entry to {@code dst}, as Calico's VXLAN mode writes them. */
    public static FdbEntry permanent(int ifindex, MacAddress mac, InetAddress dst) {
        if (dst == null) {
            throw new IllegalArgumentException("fdb " + mac + ": no dst (expected: the remote host's address)");
        }
        return new FdbEntry(ifindex, mac, dst, PERMANENT_NOARP);
    }

    public boolean permanent() {
        return (state & Neighbour.PERMANENT) != 0;
    }

    @Override
    public String toString() {
        return mac + " dev #" + ifindex + (dst == null ? "" : " dst " + IpPrefix.format(dst)) + " self"
                + (permanent() ? " permanent" : " state 0x" + Integer.toHexString(state));
    }
}
