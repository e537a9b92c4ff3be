package org.calicojava.ctl;

import org.calicojava.model.Cidr;
import org.calicojava.netlink.Address;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.MacAddress;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.Route;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel side of a workload that is not Docker's (a network namespace or a process): a veth pair with the host
 * end {@code cali<11 chars>} (MAC ee:ee:ee:ee:ee:ee) in the host's namespace and {@code eth0} in the workload's, the
 * workload's /32 (/128) addresses, and its routes: 169.254.1.1 on link and default via it (IPv6: default via the
 * host end's link-local address, which that MAC fixes as fe80::ecee:eeff:feee:eeee). Calico's conventions.
 */
final class Workloads {
    static final String HOST_MAC = "ee:ee:ee:ee:ee:ee";
    static final String GATEWAY_V4 = "169.254.1.1";
    static final String GATEWAY_V6 = "fe80::ecee:eeff:feee:eeee";

    private Workloads() {
    }

    /** The namespace of a workload: a name under /var/run/netns, a PID, or a path. */
    static Path namespace(String container) {
        Path p = container.matches("\\d+") ? NetNs.pidPath(Long.parseLong(container))
                : container.startsWith("/") ? Path.of(container) : NetNs.path(container);
        if (!Files.exists(p)) {
            throw Sub.fail("container " + container + ": no network namespace at " + p);
        }
        return p;
    }

    /** The host's netlink socket: a named namespace standing in for a host, or this process's own. */
    static Netlink hostNetlink(String hostNetns) {
        return hostNetns == null ? Netlink.open() : NetNs.open(hostNetns);
    }

    static void plumb(String hostNetns, String iface, Path containerNs, List<Cidr> ips) {
        String tmp = "tmp" + iface.substring(4);
        try (Netlink host = hostNetlink(hostNetns)) {
            host.createVeth(iface, tmp, containerNs);
            host.setMac(iface, MacAddress.parse(HOST_MAC));
            host.setUp(iface);
        }
        try (Netlink c = NetNs.openAt(containerNs)) {
            c.rename(tmp, "eth0");
            c.setUp("eth0");
            c.link("lo").ifPresent(l -> c.setUp("lo"));
            Link eth0 = c.link("eth0").orElseThrow();
            addAddresses(c, eth0, ips);
        }
    }

    static void addAddresses(Netlink c, Link eth0, List<Cidr> ips) {
        for (Cidr ip : ips) {
            c.addAddress(Address.of(eth0.index(), IpPrefix.parse(ip.toString())).withFlags(ip.isIpv4() ? 0 : Address.NODAD));
        }
        boolean hasDefaultV4 = c.routes(org.calicojava.netlink.RouteFilter.main()).stream()
                .anyMatch(r -> r.isIpv4() && r.dst().length() == 0);
        if (ips.stream().anyMatch(Cidr::isIpv4) && !hasDefaultV4) {
            c.addRoute(Route.builder(GATEWAY_V4 + "/32").dev(eth0.index()).build());
            c.addRoute(Route.builder("0.0.0.0/0").via(GATEWAY_V4, eth0.index()).build());
        }
        boolean hasDefaultV6 = c.routes(org.calicojava.netlink.RouteFilter.main()).stream()
                .anyMatch(r -> !r.isIpv4() && r.dst().length() == 0);
        if (ips.stream().anyMatch(ip -> !ip.isIpv4()) && !hasDefaultV6) {
            c.addRoute(Route.builder("::/0").via(GATEWAY_V6, eth0.index()).build());
        }
    }

    static void removeAddress(Path containerNs, Cidr ip) {
        try (Netlink c = NetNs.openAt(containerNs)) {
            c.link("eth0").ifPresent(eth0 -> c.deleteAddress(Address.of(eth0.index(), IpPrefix.parse(ip.toString()))));
        }
    }

    static void addAddress(Path containerNs, Cidr ip) {
        try (Netlink c = NetNs.openAt(containerNs)) {
            Link eth0 = c.link("eth0").orElseThrow(() -> Sub.fail("the container has no eth0"));
            addAddresses(c, eth0, List.of(ip));
        }
    }

    /** Deletes the host end (which takes the container end with it); false if it was not there. */
    static boolean unplumb(String hostNetns, String iface) {
        try (Netlink host = hostNetlink(hostNetns)) {
            if (host.link(iface).isEmpty()) {
                return false;
            }
            host.deleteLink(iface);
            return true;
        }
    }
}
