package org.calicojava.felix.encap;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.calicojava.ipam.TunnelAddress;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;

/**
 * What IP-in-IP needs on this host, computed purely from etcd's view (no I/O): whether an enabled IPIP pool exists,
 * the known hosts' addresses (each {@code ip_addr_v4} as a /32, the members of the protocol-4 allow set), and what
 * to do about this host's tunnel address ({@code IpInIpTunnelAddr}): keep it, allocate one, or release it.
 *
 * @param enabled    an enabled (not disabled) IPv4 pool with {@code ipip_mode} always or cross-subnet exists
 * @param pools      those pools, in CIDR order (where a tunnel address may come from)
 * @param hostNets   every host's valid {@code ip_addr_v4} as {@code a.b.c.d/32}, sorted
 * @param tunnelAddr this host's valid tunnel address to keep (null when none is valid or IPIP is off)
 * @param allocate   IPIP is on and this host has no valid tunnel address: allocate one
 * @param release    IPIP is off and a tunnel address is recorded: release it and delete the key
 */
public record IpipPlan(
        boolean enabled, List<Cidr> pools, Set<String> hostNets, Cidr tunnelAddr, boolean allocate, boolean release) {

    /** The per-host felix config key holding the host's IPIP tunnel address (Calico's name). */
    public static final String TUNNEL_ADDR_KEY = TunnelAddress.IPIP.configKey();
    /** IP-in-IP adds an outer IPv4 header: tunl0's MTU is the uplink's minus this. */
    public static final int OVERHEAD = 20;

    public static final String DEVICE = "tunl0";

    public IpipPlan {
        pools = List.copyOf(pools);
        hostNets = Set.copyOf(hostNets);
    }

    /** Calico's IPAM handle of a host's IPIP tunnel address. */
    public static String handle(String host) {
        return TunnelAddress.IPIP.handle(host);
    }

    /**
     * @param pools      every valid pool (any family, any mode)
     * @param hostIps    host name to its raw {@code ip_addr_v4} value from etcd
     * @param tunnelAddr this host's raw {@code IpInIpTunnelAddr} value, or null
     * @param onProblem  one line per bad value (the value is skipped)
     */
    public static IpipPlan of(
            List<IpPool> pools, Map<String, String> hostIps, String tunnelAddr, Consumer<String> onProblem) {
        List<Cidr> ipipPools = pools.stream()
                .filter(p -> p.cidr().isIpv4() && p.ipipMode().enabled() && !p.disabled())
                .map(IpPool::cidr)
                .sorted()
                .toList();
        Set<String> nets = new TreeSet<>();
        hostIps.forEach((host, raw) -> {
            Cidr ip = parseV4(raw);
            if (ip == null) {
                onProblem.accept("host " + host + ": ip_addr_v4 " + raw
                        + " is not an IPv4 address (host not allowed to send IP-in-IP)");
            } else {
                nets.add(ip.toString());
            }
        });
        boolean enabled = !ipipPools.isEmpty();
        Cidr own = null;
        if (tunnelAddr != null) {
            own = parseV4(tunnelAddr);
            if (own == null) {
                onProblem.accept(TUNNEL_ADDR_KEY + " " + tunnelAddr + " is not an IPv4 address");
            }
            Cidr ownAddr = own;
            if (own != null && enabled && ipipPools.stream().noneMatch(p -> p.contains(ownAddr))) {
                onProblem.accept(
                        TUNNEL_ADDR_KEY + " " + tunnelAddr + " is in no enabled IPIP pool (allocating another)");
                own = null;
            }
        }
        if (!enabled) {
            return new IpipPlan(false, ipipPools, nets, null, false, tunnelAddr != null);
        }
        return new IpipPlan(true, ipipPools, nets, own, own == null, false);
    }

    /** The tunnel device's MTU for an uplink MTU. */
    public static int mtu(int uplinkMtu) {
        return uplinkMtu - OVERHEAD;
    }

    /** A plain IPv4 address as a /32, or null. */
    static Cidr parseV4(String raw) {
        if (raw == null) {
            return null;
        }
        try {
            Cidr c = Cidr.host(raw.trim());
            return c.isIpv4() ? c : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
