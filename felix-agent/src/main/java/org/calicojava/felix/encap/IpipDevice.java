package org.calicojava.felix.encap;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.calicojava.model.Cidr;
import org.calicojava.netlink.Address;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.LinkSpec;
import org.calicojava.netlink.Netlink;

/**
 * Makes {@code tunl0} match the plan over netlink: up, MTU = uplink MTU − 20 (the uplink is the link holding the
 * host's {@code ip_addr_v4}), exactly the host's tunnel address as a /32. {@code tunl0} is the kernel's fallback
 * IP-in-IP device, present in every namespace once the {@code ipip} module is loaded; when it is missing, an
 * {@code ipip} link named tunl0 is created (as Calico's felix), and when that fails (a kernel without IP-in-IP)
 * that is reported and nothing else is done. With IP-in-IP off, its IPv4 addresses are removed.
 */
final class IpipDevice {
    /** The MTU assumed for the uplink when the host's address is not (yet) on any link. */
    static final int DEFAULT_UPLINK_MTU = 1500;

    private static final int AF_INET = 2;

    private IpipDevice() {}

    /** What was done, for the log (empty when nothing changed). */
    static List<String> program(
            Netlink nl, boolean enabled, Cidr tunnelAddr, Cidr released, String hostIp, Consumer<String> problem) {
        Optional<Link> found = nl.link(IpipPlan.DEVICE);
        List<String> done = new java.util.ArrayList<>();
        if (found.isEmpty()) {
            if (!enabled) {
                return List.of();
            }
            try { // as Calico: the fallback device is missing (fb_tunnels_only_for_init_net): an ipip link of that name
                found = Optional.of(nl.createLink(LinkSpec.of(IpipPlan.DEVICE, "ipip")));
                done.add("created");
            } catch (RuntimeException e) {
                problem.accept(IpipPlan.DEVICE + " does not exist and cannot be created (" + e.getMessage()
                        + "): this kernel has no IP-in-IP (modprobe ipip)");
                return List.of();
            }
        }
        Link tunl = found.get();
        IpPrefix want = enabled && tunnelAddr != null ? IpPrefix.parse(tunnelAddr.ip() + "/32") : null;
        List<Address> addrs = nl.addresses(AF_INET);
        for (Address a : addrs) {
            boolean ours = enabled || (released != null && a.prefix().address().equals(released.address()));
            if (a.ifindex() == tunl.index() && !a.prefix().equals(want) && ours) {
                nl.deleteAddress(a);
                done.add("removed " + a.prefix());
            }
        }
        if (!enabled) {
            return done;
        }
        int mtu = IpipPlan.mtu(uplinkMtu(nl, addrs, hostIp, problem));
        if (tunl.mtu() != mtu) {
            nl.setMtu(IpipPlan.DEVICE, mtu);
            done.add("mtu " + mtu);
        }
        if (!tunl.isUp()) {
            nl.setUp(IpipPlan.DEVICE);
            done.add("up");
        }
        if (want != null
                && addrs.stream()
                        .noneMatch(
                                a -> a.ifindex() == tunl.index() && a.prefix().equals(want))) {
            nl.addAddress(Address.of(tunl.index(), want));
            done.add("address " + want);
        }
        return done;
    }

    /** The MTU of the link holding {@code hostIp}, or {@link #DEFAULT_UPLINK_MTU} (reported) when none does. */
    static int uplinkMtu(Netlink nl, List<Address> addrs, String hostIp, Consumer<String> problem) {
        Cidr host = IpipPlan.parseV4(hostIp);
        if (host != null) {
            InetAddress ip = host.address();
            for (Address a : addrs) {
                if (a.prefix().address().equals(ip)) {
                    Optional<Link> l = nl.link(a.ifindex());
                    if (l.isPresent()) {
                        return l.get().mtu();
                    }
                }
            }
        }
        problem.accept("uplink: no link holds this host's ip_addr_v4 " + hostIp + " (tunl0 MTU from "
                + DEFAULT_UPLINK_MTU + ")");
        return DEFAULT_UPLINK_MTU;
    }
}
