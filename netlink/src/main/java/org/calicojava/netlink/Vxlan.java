package org.calicojava.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The VXLAN parameters of a {@code vxlan} link (IFLA_INFO_DATA), as created and as read back by
 * {@link Netlink#vxlan}.
 *
 * @param vni         VXLAN network identifier, 1..16777215 (Calico: 4096)
 * @param uplinkIndex IFLA_VXLAN_LINK: the interface the encapsulated packets leave by (0: any)
 * @param local       IFLA_VXLAN_LOCAL (IPv4) or IFLA_VXLAN_LOCAL6 (IPv6) source address, or null
 * @param port        UDP destination port (Calico and IANA: 4789)
 * @param learning    whether the device learns remote MACs from received packets (Calico: off)
 */
public record Vxlan(int vni, int uplinkIndex, InetAddress local, int port, boolean learning) {
    public Vxlan {
        if (vni < 1 || vni > 0xffffff) {
            throw new IllegalArgumentException("vxlan vni: " + vni + " (expected: 1..16777215)");
        }
        if (uplinkIndex < 0) {
            throw new IllegalArgumentException("vxlan uplink ifindex: " + uplinkIndex + " (expected: >= 0)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("vxlan port: " + port + " (expected: 1..65535)");
        }
    }

    /** Whether the local address is IPv6 (so the device encapsulates in IPv6). */
    public boolean ipv6() {
        return local != null && !(local instanceof Inet4Address);
    }

    @Override
    public String toString() {
        return "vxlan id " + vni + (uplinkIndex == 0 ? "" : " dev #" + uplinkIndex)
                + (local == null ? "" : " local " + IpPrefix.format(local)) + " dstport " + port
                + (learning ? "" : " nolearning");
    }
}
