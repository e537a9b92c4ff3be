package org.calicojava.netlink;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Calico's workload interface conventions, in one place for every attach path (javactl {@code container add}, the
 * Docker driver, the CNI plugin): a veth pair whose host end is {@code cali} + 11 characters of the endpoint id, with
 * MAC ee:ee:ee:ee:ee:ee, up, and Calico's per-interface sysctls (proxy ARP, route_localnet, proxy delay 0, forwarding;
 * for IPv6 accept_ra 0, proxy NDP, forwarding); in the workload the addresses as /32 (/128) host routes and the
 * routes 169.254.1.1 on link + default via 169.254.1.1 (IPv6: default via fe80::ecee:eeff:feee:eeee, the link-local
 * address that MAC fixes for the host end).
 *
 * <p>{@code hostNetns} is the named namespace standing for the host ({@code null}: the calling thread's own);
 * sysctls are written from a thread inside it, since the kernel resolves /proc/sys/net by the writer's namespace.
 */
public final class WorkloadInterface {
    public static final String HOST_MAC = "ee:ee:ee:ee:ee:ee";
    public static final MacAddress HOST_MAC_ADDRESS = MacAddress.parse(HOST_MAC);
    public static final String GATEWAY_V4 = "169.254.1.1";
    /** The EUI-64 link-local address of an interface with MAC ee:ee:ee:ee:ee:ee: the host veth's, the IPv6 gateway. */
    public static final String GATEWAY_V6 = "fe80::ecee:eeff:feee:eeee";

    public static final String HOST_PREFIX = "cali";
    /** How many characters of the endpoint id follow the prefix (15, the kernel's limit, minus 4). */
    public static final int ID_CHARS = 11;

    private WorkloadInterface() {}

    /** The host end's name: {@code cali} + the first 11 characters of the endpoint id. */
    public static String hostName(String endpointId) {
        return HOST_PREFIX + endpointId.substring(0, Math.min(ID_CHARS, endpointId.length()));
    }

    /** A temporary name for the workload end before it is moved and renamed: {@code temp} + 11 characters. */
    public static String tempName(String endpointId) {
        return "temp" + endpointId.substring(0, Math.min(ID_CHARS, endpointId.length()));
    }

    /**
     * Creates the pair {@code hostName}/{@code peerName} with both ends in the host's namespace, the host end
     * configured ({@link #configureHostEnd}) and the peer left down for a runtime (Docker) to move and rename. A stale
     * pair of the same names is replaced. On failure nothing is left.
     */
    public static void createPair(Netlink host, String hostNetns, String hostName, String peerName, int mtu) {
        try {
            host.createVeth(hostName, peerName);
        } catch (AlreadyExistsException e) {
            remove(host, hostName);
            if (host.link(peerName).isPresent()) {
                host.deleteLink(peerName);
            }
            host.createVeth(hostName, peerName);
        }
        try {
            if (mtu > 0) {
                host.setMtu(peerName, mtu); // kept when the runtime moves it into the container
            }
            configureHostEnd(host, hostNetns, hostName, mtu);
        } catch (RuntimeException e) {
            remove(host, hostName);
            throw e;
        }
    }

    /**
     * Creates the pair with the host end {@code hostName} in the host's namespace and the workload end {@code ifname}
     * in the namespace at {@code workloadNs}, with {@code ips} (host prefixes) and the gateway routes; {@code mtu} 0
     * keeps the kernel's default. Returns the workload end. On failure the pair is deleted (which also takes the
     * workload end) and the exception propagates.
     */
    public static Link plumb(
            Netlink host,
            String hostNetns,
            String hostName,
            Path workloadNs,
            String ifname,
            List<IpPrefix> ips,
            int mtu) {
        String tmp = "tmp" + hostName.substring(Math.min(4, hostName.length()));
        host.createVeth(hostName, tmp, workloadNs);
        try {
            configureHostEnd(host, hostNetns, hostName, mtu);
            try (Netlink w = NetNs.openAt(workloadNs)) {
                w.rename(tmp, ifname);
                if (mtu > 0) {
                    w.setMtu(ifname, mtu);
                }
                w.setUp(ifname);
                w.link("lo").ifPresent(l -> w.setUp("lo"));
                Link dev = w.link(ifname).orElseThrow(() -> new NetlinkException("veth end " + ifname + " vanished"));
                addAddresses(w, dev, ips);
                return w.link(ifname).orElse(dev);
            }
        } catch (RuntimeException e) {
            try {
                remove(host, hostName);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * The MTU of the host's uplink: the interface of the IPv4 default route in the main table (else IPv6's), or 1500
     * when there is none.
     */
    public static int uplinkMtu(Netlink host) {
        List<Route> main = host.routes(RouteFilter.main());
        for (boolean v4 : new boolean[] {true, false}) {
            for (Route r : main) {
                if (r.isIpv4() == v4
                        && r.dst().length() == 0
                        && !r.nextHops().isEmpty()
                        && r.nextHops().get(0).ifindex() > 0) {
                    Optional<Link> l = host.link(r.nextHops().get(0).ifindex());
                    if (l.isPresent() && l.get().mtu() > 0) {
                        return l.get().mtu();
                    }
                }
            }
        }
        return 1500;
    }

    /** MAC ee:ee:ee:ee:ee:ee, the MTU if {@code mtu > 0}, the sysctls, then up. */
    public static void configureHostEnd(Netlink host, String hostNetns, String hostName, int mtu) {
        host.setMac(hostName, HOST_MAC_ADDRESS);
        if (mtu > 0) {
            host.setMtu(hostName, mtu);
        }
        inHostNamespace(hostNetns, () -> {
            configureSysctls(hostName);
            return null;
        });
        host.setUp(hostName);
    }

    /** Calico's per-workload-interface sysctls, in the calling thread's namespace (DESIGN.md: kernel conventions). */
    public static void configureSysctls(String ifname) {
        configureSysctls(ifname, InetConf.UNKNOWN);
    }

    /**
     * As {@link #configureSysctls(String)}, leaving out the IPv4 and IPv6 settings that {@code have} (the interface's
     * link message, {@link Link#inet}) reports at their value; an unknown one is written, and so is the neighbour
     * table's proxy delay, which link messages do not carry (reading it for every interface costs as much as writing
     * it). Returns how many settings were written: one per interface when an agent restarts on interfaces it
     * configured before.
     */
    public static int configureSysctls(String ifname, InetConf have) {
        int writes = 0;
        if (have.proxyArp() != 1) {
            Sysctl.proxyArp(ifname, true);
            writes++;
        }
        if (have.routeLocalnet() != 1) {
            Sysctl.routeLocalnet(ifname, true);
            writes++;
        }
        Sysctl.proxyDelay(ifname, 0);
        writes++;
        if (have.forwarding() != 1) {
            Sysctl.forwarding(ifname, false, true);
            writes++;
        }
        if (!have.hasIpv6()) { // unknown: written where the interface has IPv6 settings at all
            if (Sysctl.acceptRaIfIpv6(ifname, 0)) {
                Sysctl.proxyNdp(ifname, true);
                Sysctl.forwarding(ifname, true, true);
                writes += 3;
            }
            return writes;
        }
        if (have.ipv6AcceptRa() != 0) {
            Sysctl.acceptRa(ifname, 0);
            writes++;
        }
        if (have.ipv6ProxyNdp() != 1) {
            Sysctl.proxyNdp(ifname, true);
            writes++;
        }
        if (have.ipv6Forwarding() != 1) {
            Sysctl.forwarding(ifname, true, true);
            writes++;
        }
        return writes;
    }

    /**
     * Adds {@code ips} to the workload end {@code dev} and, for each family that has an address and no default route
     * yet, the gateway routes.
     */
    public static void addAddresses(Netlink w, Link dev, List<IpPrefix> ips) {
        for (IpPrefix ip : ips) {
            w.addAddress(Address.of(dev.index(), ip).withFlags(ip.isIpv4() ? 0 : Address.NODAD));
        }
        List<Route> main = w.routes(RouteFilter.main());
        boolean hasDefaultV4 = main.stream().anyMatch(r -> r.isIpv4() && r.dst().length() == 0);
        if (ips.stream().anyMatch(IpPrefix::isIpv4) && !hasDefaultV4) {
            w.addRoute(Route.builder(GATEWAY_V4 + "/32").dev(dev.index()).build());
            w.addRoute(Route.builder("0.0.0.0/0").via(GATEWAY_V4, dev.index()).build());
        }
        boolean hasDefaultV6 =
                main.stream().anyMatch(r -> !r.isIpv4() && r.dst().length() == 0);
        if (ips.stream().anyMatch(ip -> !ip.isIpv4()) && !hasDefaultV6) {
            w.addRoute(Route.builder("::/0").via(GATEWAY_V6, dev.index()).build());
        }
    }

    /** Deletes the pair whose host end is {@code hostName} (the workload end goes with it); false if it was not there. */
    public static boolean remove(Netlink host, String hostName) {
        try {
            host.deleteLink(hostName);
            return true;
        } catch (NoSuchDeviceException e) {
            return false;
        }
    }

    private static void inHostNamespace(String hostNetns, Callable<Void> task) {
        if (hostNetns != null) {
            NetNs.run(hostNetns, task);
            return;
        }
        try {
            task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new NetlinkException(e.getMessage());
        }
    }
}
