package org.calicojava.model;

import java.util.Collection;

/**
 * The MTU a workload's veth gets, so that no packet it sends needs fragmenting on its way between hosts: the
 * {@code VethMTU} setting when there is one, else the host's uplink MTU less the largest encapsulation overhead of any
 * pool (IP-in-IP 20 bytes, VXLAN over IPv4 50, over IPv6 70), as Calico's auto-detected MTU. The overhead of every
 * pool counts, not only the workload's own: a workload in a plain pool still sends to workloads in encapsulated ones.
 */
public final class WorkloadMtu {
    public static final int IPIP_OVERHEAD = 20;
    public static final int VXLAN_V4_OVERHEAD = 50;
    public static final int VXLAN_V6_OVERHEAD = 70;
    public static final int MIN = 68;
    public static final int MAX = 65535;
    /** The felix config name (global {@code /calico/v1/config/VethMTU}, per host under the host's config). */
    public static final String CONFIG_NAME = "VethMTU";

    private WorkloadMtu() {}

    /** Bytes that encapsulation adds to traffic to this pool's addresses (0 when it is not encapsulated). */
    public static int overhead(IpPool pool) {
        if (pool.ipipMode().enabled()) {
            return IPIP_OVERHEAD;
        }
        if (pool.vxlanMode().enabled()) {
            return pool.cidr().isIpv4() ? VXLAN_V4_OVERHEAD : VXLAN_V6_OVERHEAD;
        }
        return 0;
    }

    /** {@code vethMtu} if above 0, else {@code uplinkMtu} less the largest overhead of {@code pools}. */
    public static int of(int uplinkMtu, Collection<IpPool> pools, int vethMtu) {
        if (vethMtu > 0) {
            return check(vethMtu);
        }
        int overhead = pools.stream().mapToInt(WorkloadMtu::overhead).max().orElse(0);
        return Math.max(MIN, uplinkMtu - overhead);
    }

    /** Parses a {@code VethMTU} value. */
    public static int parse(String value) {
        try {
            return check(Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "VethMTU: " + LogText.quote(value) + " (expected: " + MIN + ".." + MAX + ")");
        }
    }

    private static int check(int mtu) {
        if (mtu < MIN || mtu > MAX) {
            throw new IllegalArgumentException("VethMTU: " + mtu + " (expected: " + MIN + ".." + MAX + ")");
        }
        return mtu;
    }
}
