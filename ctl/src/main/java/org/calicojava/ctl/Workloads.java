package org.calicojava.ctl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.calicojava.model.Cidr;
import org.calicojava.netlink.Address;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.WorkloadInterface;

/**
 * The kernel side of a workload that is not Docker's (a network namespace or a process): the workload interface as
 * {@link WorkloadInterface} makes it (Calico's conventions, shared with the Docker driver and the CNI plugin), with
 * {@code eth0} in the workload's namespace. This class only maps javactl's arguments onto it.
 */
final class Workloads {
    static final String HOST_MAC = WorkloadInterface.HOST_MAC;
    static final String GATEWAY_V4 = WorkloadInterface.GATEWAY_V4;
    static final String GATEWAY_V6 = WorkloadInterface.GATEWAY_V6;

    private Workloads() {}

    /** The namespace of a workload: a name under /var/run/netns, a PID, or a path. */
    static Path namespace(String container) {
        Path p = container.matches("\\d+")
                ? NetNs.pidPath(Long.parseLong(container))
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

    /** Plumbs the workload; {@code mtu} maps the host's uplink MTU to the workload's ({@code Pools.workloadMtu}). */
    static void plumb(String hostNetns, String iface, Path containerNs, List<Cidr> ips, IntUnaryOperator mtu) {
        try (Netlink host = hostNetlink(hostNetns)) {
            WorkloadInterface.plumb(
                    host,
                    hostNetns,
                    iface,
                    containerNs,
                    "eth0",
                    prefixes(ips),
                    mtu.applyAsInt(WorkloadInterface.uplinkMtu(host)));
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
            WorkloadInterface.addAddresses(c, eth0, prefixes(List.of(ip)));
        }
    }

    /** Deletes the host end (which takes the container end with it); false if it was not there. */
    static boolean unplumb(String hostNetns, String iface) {
        try (Netlink host = hostNetlink(hostNetns)) {
            return WorkloadInterface.remove(host, iface);
        }
    }

    private static List<IpPrefix> prefixes(List<Cidr> ips) {
        return ips.stream().map(ip -> IpPrefix.parse(ip.toString())).toList();
    }
}
