package org.calicojava.felix.encap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.calicojava.ipam.TunnelAddress;
import org.calicojava.model.Cidr;
import org.calicojava.model.EncapMode;
import org.calicojava.model.IpPool;
import org.calicojava.netlink.MacAddress;

/**
 * The pure VXLAN calculation: pools, hosts' addresses, tunnel records and block affinities to a {@link VxlanPlan}
 * per family, as Calico's VXLAN mode. For every remote host whose blocks lie in a VXLAN pool: a route
 * {@code block via <its tunnel address> dev vxlan.calico onlink}, a permanent neighbour entry
 * {@code <its tunnel address> lladdr <its MAC>} and an FDB entry {@code <its MAC> dst <its host address>}; in a
 * cross-subnet pool, a remote host inside this host's subnet gets a native route {@code block via <its address>}
 * instead. A host whose records are missing or bad (an address of the wrong family or outside every VXLAN pool, a
 * multicast MAC, a MAC another host has) is skipped with a problem. No I/O.
 */
public final class VxlanCalc {
    public static final String ADDR_V4 = TunnelAddress.VXLAN_V4.configKey();
    public static final String ADDR_V6 = TunnelAddress.VXLAN_V6.configKey();
    public static final String MAC_V4 = TunnelAddress.VXLAN_MAC_V4;
    public static final String MAC_V6 = TunnelAddress.VXLAN_MAC_V6;

    private VxlanCalc() {}

    public static String addrName(int version) {
        return version == 4 ? ADDR_V4 : ADDR_V6;
    }

    public static String macName(int version) {
        return version == 4 ? MAC_V4 : MAC_V6;
    }

    /**
     * The plan for one family.
     *
     * @param hostname    this host
     * @param version     4 or 6
     * @param pools       all pools
     * @param state       hosts, tunnel records, affinities
     * @param localSubnet the subnet of this host's own address as the kernel has it (e.g. 192.0.2.1/24), or null
     */
    public static VxlanPlan plan(
            String hostname, int version, Collection<IpPool> pools, EncapState state, Cidr localSubnet) {
        return plan(hostname, version, pools, state, localSubnet, Map.of());
    }

    /**
     * The plan for one family, with the workloads of other hosts: {@code workloads} maps each workload address (a
     * host prefix) to the host it runs on. An address in a VXLAN pool whose block another host owns, or nobody (IPAM
     * borrowed it when its host's blocks were full), gets a route of its own to the host it runs on, beside the block
     * route to the block's owner, as Calico's route resolver does; a route to the block's owner would send its traffic
     * to the wrong host.
     */
    public static VxlanPlan plan(
            String hostname,
            int version,
            Collection<IpPool> pools,
            EncapState state,
            Cidr localSubnet,
            Map<Cidr, String> workloads) {
        List<IpPool> vxlanPools = pools.stream()
                .filter(p -> p.cidr().version() == version && p.vxlanMode().enabled())
                .sorted(java.util.Comparator.comparing(IpPool::cidr))
                .toList();
        List<String> problems = new ArrayList<>();
        boolean wanted = vxlanPools.stream().anyMatch(p -> !p.disabled());
        String ownAddrText = state.tunnelConfig(hostname, addrName(version));
        boolean none = vxlanPools.isEmpty(); // then the own records are only released, not checked
        Cidr ownAddr = none ? null : tunnelAddr(hostname, version, ownAddrText, vxlanPools, problems);
        MacAddress ownMac =
                none ? null : mac(hostname, state.tunnelConfig(hostname, macName(version)), macName(version), problems);
        VxlanPlan.Tunnel tunnel =
                new VxlanPlan.Tunnel(wanted, !vxlanPools.isEmpty(), ownAddr, ownAddrText, ownMac != null);
        Cidr ownIp = state.hostIp(hostname, version);
        if (vxlanPools.isEmpty()) {
            return new VxlanPlan(version, null, Map.of(), Map.of(), Map.of(), tunnel, problems);
        }
        VxlanPlan.Device device = ownAddr != null && ownMac != null && ownIp != null
                ? new VxlanPlan.Device(ownAddr, ownMac, ownIp)
                : null;
        if (device == null && ownIp == null) {
            problems.add("VXLAN IPv" + version + ": host " + hostname + " has no ip_addr_v" + version
                    + " (no vxlan device)");
        }
        // remote VTEPs
        Map<String, Vtep> vteps = new TreeMap<>();
        Map<MacAddress, String> macOwner = new HashMap<>();
        Map<Cidr, MacAddress> neighbours = new HashMap<>();
        Map<MacAddress, Cidr> fdb = new HashMap<>();
        for (String host : state.hosts()) {
            if (host.equals(hostname)) {
                continue;
            }
            Cidr ip = state.hostIp(host, version);
            String addrText = state.tunnelConfig(host, addrName(version));
            String macText = state.tunnelConfig(host, macName(version));
            if (ip == null || addrText == null || macText == null) {
                continue; // not (yet) a VTEP of this family
            }
            Cidr addr = tunnelAddr(host, version, addrText, vxlanPools, problems);
            MacAddress mac = mac(host, macText, macName(version), problems);
            if (addr == null || mac == null) {
                continue;
            }
            String other = macOwner.putIfAbsent(mac, host);
            if (other != null || (device != null && mac.equals(device.mac()))) {
                problems.add("host " + host + ": " + macName(version) + " " + mac + " is also "
                        + (other != null ? "host " + other + "'s" : "this host's") + " (host skipped)");
                continue;
            }
            vteps.put(host, new Vtep(addr, mac, ip));
            if (device != null) {
                neighbours.put(addr, mac);
                fdb.put(mac, ip);
            }
        }
        // routes to remote blocks in VXLAN pools
        Map<Cidr, VxlanPlan.Hop> routes = new HashMap<>();
        Set<Integer> blockLengths = new TreeSet<>();
        state.blockOwners().forEach((block, host) -> {
            if (block.version() != version || !blockSized(block, host, vxlanPools, problems)) {
                return;
            }
            blockLengths.add(block.prefixLength());
            if (!host.equals(hostname)) {
                hop(hostname, host, block, vxlanPools, state, localSubnet, vteps, device, routes);
            }
        });
        // remote workloads on addresses borrowed from a block their host does not own
        workloads.forEach((addr, host) -> {
            if (addr.version() == version
                    && !host.equals(hostname)
                    && !host.equals(owner(addr, blockLengths, state.blockOwners()))) {
                hop(hostname, host, addr, vxlanPools, state, localSubnet, vteps, device, routes);
            }
        });
        return new VxlanPlan(version, device, routes, neighbours, fdb, tunnel, problems);
    }

    private record Vtep(Cidr addr, MacAddress mac, Cidr hostIp) {}

    /**
     * Whether {@code block} (an affinity key of {@code host}) is one block of the VXLAN pool that holds it, or in none
     * ({@link #hop} leaves those alone). A wider "block" would route other hosts' addresses, up to the whole pool, to
     * {@code host}: it is a problem, and not routed.
     */
    private static boolean blockSized(Cidr block, String host, List<IpPool> vxlanPools, List<String> problems) {
        for (IpPool p : vxlanPools) {
            if (p.cidr().contains(block) || block.contains(p.cidr())) {
                if (block.prefixLength() == p.blockSize()) {
                    return true;
                }
                problems.add("host " + host + ": block " + block + " is not a /" + p.blockSize() + " block of pool "
                        + p.cidr() + " (not routed)");
                return false;
            }
        }
        return true;
    }

    /** Adds the route to {@code dest} on {@code host} if a VXLAN pool holds it and the host can be reached. */
    private static void hop(
            String hostname,
            String host,
            Cidr dest,
            List<IpPool> vxlanPools,
            EncapState state,
            Cidr localSubnet,
            Map<String, Vtep> vteps,
            VxlanPlan.Device device,
            Map<Cidr, VxlanPlan.Hop> routes) {
        IpPool pool = vxlanPools.stream()
                .filter(p -> p.cidr().contains(dest))
                .findFirst()
                .orElse(null);
        if (pool == null) {
            return;
        }
        Cidr ip = state.hostIp(host, dest.version());
        if (pool.vxlanMode() == EncapMode.CROSS_SUBNET
                && ip != null
                && localSubnet != null
                && localSubnet.contains(ip)) {
            routes.put(dest, new VxlanPlan.Hop(ip, false));
            return;
        }
        Vtep v = vteps.get(host);
        if (v != null && device != null) {
            routes.put(dest, new VxlanPlan.Hop(v.addr(), true));
        } // else: the host has not written valid tunnel records (yet; a bad one is a problem above): not routed
    }

    /** The host owning the block that holds {@code addr} (blocks of the given lengths), or null. */
    private static String owner(Cidr addr, Set<Integer> blockLengths, Map<Cidr, String> owners) {
        for (int len : blockLengths) {
            String h = owners.get(Cidr.of(addr.address(), len));
            if (h != null) {
                return h;
            }
        }
        return null;
    }

    /** A host's tunnel address if valid: of the family and inside a VXLAN pool; else null (a problem if set). */
    static Cidr tunnelAddr(String host, int version, String text, List<IpPool> vxlanPools, List<String> problems) {
        if (text == null) {
            return null;
        }
        Cidr addr;
        try {
            addr = Cidr.host(text);
        } catch (IllegalArgumentException e) {
            problems.add("host " + host + ": " + addrName(version) + ": " + e.getMessage() + " (host skipped)");
            return null;
        }
        if (addr.version() != version) {
            problems.add("host " + host + ": " + addrName(version) + " " + text + " (expected: an IPv" + version
                    + " address; host skipped)");
            return null;
        }
        if (vxlanPools.stream().noneMatch(p -> p.cidr().contains(addr))) {
            problems.add(
                    "host " + host + ": " + addrName(version) + " " + text + " is in no VXLAN pool (host skipped)");
            return null;
        }
        return addr;
    }

    /** A valid (unicast, non-zero) MAC, or null (a problem if set). */
    static MacAddress mac(String host, String text, String name, List<String> problems) {
        if (text == null) {
            return null;
        }
        try {
            MacAddress m = MacAddress.parse(text);
            if (m.value() == 0 || (m.value() >>> 40 & 1) != 0) {
                problems.add("host " + host + ": " + name + " " + text + " (expected: a unicast MAC; host skipped)");
                return null;
            }
            return m;
        } catch (IllegalArgumentException e) {
            problems.add("host " + host + ": " + name + ": " + e.getMessage() + " (host skipped)");
            return null;
        }
    }
}
