package org.calicojava.felix.encap;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.calicojava.model.Cidr;
import org.calicojava.netlink.Address;
import org.calicojava.netlink.AlreadyExistsException;
import org.calicojava.netlink.FdbEntry;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.LinkSpec;
import org.calicojava.netlink.MacAddress;
import org.calicojava.netlink.Neighbour;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.NetlinkException;
import org.calicojava.netlink.NextHop;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.RouteFilter;
import org.calicojava.netlink.Vxlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a {@link VxlanPlan} against the kernel through netlink, for one family at a time: the device
 * ({@code vxlan.calico}: VNI 4096, UDP 4789, learning off, local = this host's address, dev = its uplink, MTU uplink
 * − 50, the recorded MAC, the tunnel address on it; recreated when its parameters differ; removed when not wanted),
 * then FDB entries, neighbour entries and routes, each read back and changed only where it differs. Routes carry
 * felix's protocol; felix's routes with a gateway are this class's (the workload routes of {@code RouteManager}
 * have none). A new route is added exclusively: a route of another owner to the same block is left alone (one log
 * line). One log line per change. Owned by the dataplane thread.
 */
public final class VxlanDataplane {
    private static final Logger LOG = LoggerFactory.getLogger(VxlanDataplane.class);
    private final Netlink nl;
    private final int protocol;
    private final Set<String> conflictsLogged = new HashSet<>();
    private int failures;

    public VxlanDataplane(Netlink nl, int protocol) {
        this.nl = nl;
        this.protocol = protocol;
    }

    /** This host's address as the kernel has it: with its prefix length, the uplink's index and MTU. */
    public record Uplink(Cidr subnet, int ifindex, int mtu) {}

    /** The interface holding {@code hostIp} (the uplink), or empty when no interface has it. */
    public Optional<Uplink> uplink(Cidr hostIp) {
        int family = hostIp.isIpv4() ? 2 : 10;
        for (Address a : nl.addresses(family)) {
            if (a.prefix().address().equals(hostIp.address())) {
                int mtu = nl.link(a.ifindex()).map(Link::mtu).orElse(1500);
                return Optional.of(
                        new Uplink(Cidr.of(hostIp.address(), a.prefix().length()), a.ifindex(), mtu));
            }
        }
        return Optional.empty();
    }

    /** Applies {@code plan} (the uplink null when the device is not wanted); returns the number of changes. */
    public int apply(VxlanPlan plan, Uplink uplink) {
        failures = 0;
        int v = plan.version();
        String name = VxlanPlan.deviceName(v);
        Link dev = plan.device() != null && uplink != null ? device(plan, uplink) : null;
        int changes = 0;
        Map<Cidr, VxlanPlan.Hop> routes = dev == null ? withoutTunnel(plan.routes()) : plan.routes();
        if (dev != null) {
            changes += fdb(dev, plan.fdb());
            changes += neighbours(dev, plan.neighbours());
        }
        changes += routes(v, routes, dev, uplink);
        if (plan.device() == null) {
            Optional<Link> old = nl.link(name);
            if (old.isPresent() && "vxlan".equals(old.get().kind())) {
                try {
                    nl.deleteLink(name);
                    LOG.info("VXLAN: removed device {} (no VXLAN pool or tunnel address for IPv{})", name, v);
                    changes++;
                } catch (NetlinkException e) {
                    fail("remove device " + name, e);
                }
            }
        }
        return changes;
    }

    /** Whether the last apply had a failed request (retry soon). */
    public boolean failed() {
        return failures > 0;
    }

    private static Map<Cidr, VxlanPlan.Hop> withoutTunnel(Map<Cidr, VxlanPlan.Hop> routes) {
        Map<Cidr, VxlanPlan.Hop> out = new HashMap<>(routes);
        out.values().removeIf(VxlanPlan.Hop::tunnel);
        return out;
    }

    /** Creates or fixes the device; returns it, or null when that failed. */
    private Link device(VxlanPlan plan, Uplink uplink) {
        int v = plan.version();
        String name = VxlanPlan.deviceName(v);
        VxlanPlan.Device d = plan.device();
        Vxlan want = new Vxlan(VxlanPlan.VNI, uplink.ifindex(), d.hostAddr().address(), VxlanPlan.PORT, false);
        int mtu = Math.max(68, uplink.mtu() - VxlanPlan.overhead(v));
        try {
            Optional<Link> link = nl.link(name);
            if (link.isPresent()) {
                Optional<Vxlan> have = nl.vxlan(name);
                if (have.isEmpty() || !have.get().equals(want)) {
                    LOG.info(
                            "VXLAN: device {} is {} (expected: {}): recreating it",
                            name,
                            have.map(Vxlan::toString)
                                    .orElse("kind " + link.get().kind()),
                            want);
                    nl.deleteLink(name);
                    link = Optional.empty();
                }
            }
            if (link.isEmpty()) {
                link = Optional.of(nl.createLink(LinkSpec.vxlan(name, want, mtu, d.mac())));
                LOG.info("VXLAN: created device {} ({}, mtu {}, address {})", name, want, mtu, d.mac());
            }
            Link l = link.get();
            if (l.mtu() != mtu) {
                nl.setMtu(name, mtu);
                LOG.info("VXLAN: device {} mtu {} -> {}", name, l.mtu(), mtu);
            }
            if (!d.mac().equals(l.mac())) {
                nl.setMac(name, d.mac());
                LOG.info("VXLAN: device {} address {} -> {}", name, l.mac(), d.mac());
            }
            if (!l.isUp()) {
                nl.setUp(name);
            }
            address(l, d.tunnelAddr());
            return l;
        } catch (NetlinkException e) {
            fail("device " + name, e);
            return null;
        }
    }

    /** Exactly the tunnel address (as a host prefix) among the device's global addresses of its family. */
    private void address(Link l, Cidr tunnelAddr) {
        int family = tunnelAddr.isIpv4() ? 2 : 10;
        IpPrefix want = IpPrefix.parse(tunnelAddr.toString());
        boolean present = false;
        for (Address a : nl.addresses(family)) {
            if (a.ifindex() != l.index() || a.scope() != 0) {
                continue;
            }
            if (a.prefix().equals(want)) {
                present = true;
            } else {
                nl.deleteAddress(a);
                LOG.info("VXLAN: removed address {} from {}", a.prefix(), l.name());
            }
        }
        if (!present) {
            Address a = Address.of(l.index(), want);
            nl.addAddress(family == 10 ? a.withFlags(Address.NODAD) : a);
            LOG.info("VXLAN: address {} on {}", want, l.name());
        }
    }

    private int fdb(Link dev, Map<MacAddress, Cidr> want) {
        int n = 0;
        Map<MacAddress, FdbEntry> have = new HashMap<>();
        try {
            for (FdbEntry e : nl.fdb(dev.index())) {
                if (e.dst() != null) {
                    have.put(e.mac(), e);
                }
            }
        } catch (NetlinkException e) {
            fail("read fdb of " + dev.name(), e);
            return 0;
        }
        for (Map.Entry<MacAddress, Cidr> w : want.entrySet()) {
            FdbEntry h = have.get(w.getKey());
            if (h == null || !h.dst().equals(w.getValue().address()) || !h.permanent()) {
                n += run(
                        "fdb " + w.getKey() + " dst " + w.getValue().ip() + " dev " + dev.name() + " self permanent",
                        () -> nl.replaceFdb(FdbEntry.permanent(
                                dev.index(), w.getKey(), w.getValue().address())));
            }
        }
        for (FdbEntry h : have.values()) {
            if (!want.containsKey(h.mac())) {
                n += run(
                        "delete fdb " + h.mac() + " dst " + IpPrefix.format(h.dst()) + " dev " + dev.name(),
                        () -> nl.deleteFdb(h));
            }
        }
        return n;
    }

    private int neighbours(Link dev, Map<Cidr, MacAddress> want) {
        int n = 0;
        Map<InetAddress, Neighbour> have = new HashMap<>();
        try {
            for (Neighbour e : nl.neighbours(dev.index())) {
                if (e.permanent()) {
                    have.put(e.dst(), e);
                }
            }
        } catch (NetlinkException e) {
            fail("read neighbours of " + dev.name(), e);
            return 0;
        }
        for (Map.Entry<Cidr, MacAddress> w : want.entrySet()) {
            Neighbour h = have.get(w.getKey().address());
            if (h == null || !w.getValue().equals(h.lladdr())) {
                n += run(
                        "neighbour " + w.getKey().ip() + " lladdr " + w.getValue() + " dev " + dev.name()
                                + " permanent",
                        () -> nl.replaceNeighbour(
                                Neighbour.permanent(dev.index(), w.getKey().address(), w.getValue())));
            }
        }
        Set<InetAddress> wanted = new HashSet<>();
        want.keySet().forEach(c -> wanted.add(c.address()));
        for (Neighbour h : have.values()) {
            if (!wanted.contains(h.dst())) {
                n += run(
                        "delete neighbour " + IpPrefix.format(h.dst()) + " dev " + dev.name(),
                        () -> nl.deleteNeighbour(h));
            }
        }
        return n;
    }

    private int routes(int v, Map<Cidr, VxlanPlan.Hop> want, Link dev, Uplink uplink) {
        int n = 0;
        Map<IpPrefix, Route> have = new HashMap<>();
        try {
            for (Route r : nl.routes(RouteFilter.main().withProtocol(protocol).withFamily(v == 4 ? 2 : 10))) {
                if (r.nextHops().size() == 1 && r.nextHops().get(0).gateway() != null) {
                    have.put(r.dst(), r);
                }
            }
        } catch (NetlinkException e) {
            fail("read routes", e);
            return 0;
        }
        Set<IpPrefix> wanted = new HashSet<>();
        for (Map.Entry<Cidr, VxlanPlan.Hop> w : want.entrySet()) {
            IpPrefix dst = IpPrefix.parse(w.getKey().toString());
            VxlanPlan.Hop hop = w.getValue();
            NextHop nh;
            if (hop.tunnel()) {
                nh = NextHop.via(hop.gateway().address(), dev.index()).withOnlink(true);
            } else if (uplink != null) {
                nh = NextHop.via(hop.gateway().address(), uplink.ifindex());
            } else {
                nh = NextHop.via(hop.gateway().address(), 0);
            }
            wanted.add(dst);
            Route r = Route.builder(dst)
                    .protocol(protocol)
                    .scope(Route.SCOPE_UNIVERSE)
                    .nextHop(nh)
                    .build();
            Route h = have.get(dst);
            String text = dst + " via " + hop.gateway().ip() + (hop.tunnel() ? " dev " + dev.name() + " onlink" : "");
            if (h == null) {
                n += run("route " + text, () -> {
                    try {
                        nl.addRoute(r);
                        conflictsLogged.remove(text);
                    } catch (AlreadyExistsException e) { // another owner's route to the block: theirs stays
                        if (conflictsLogged.add(text)) {
                            LOG.warn(
                                    "VXLAN: route {} refused: the host has another route to {} (not felix's)",
                                    text,
                                    dst);
                        }
                    }
                });
            } else if (!sameHop(h.nextHops().get(0), nh)) {
                n += run("route " + text + " (was " + h.nextHops().get(0) + ")", () -> nl.replaceRoute(r));
            }
        }
        for (Route h : have.values()) {
            if (!wanted.contains(h.dst())) {
                n += run(
                        "delete route " + h.dst() + " via "
                                + IpPrefix.format(h.nextHops().get(0).gateway()),
                        () -> nl.deleteRoute(h));
            }
        }
        return n;
    }

    private static boolean sameHop(NextHop have, NextHop want) {
        return have.gateway().equals(want.gateway())
                && have.onlink() == want.onlink()
                && (want.ifindex() == 0 || have.ifindex() == want.ifindex());
    }

    private int run(String what, Runnable r) {
        try {
            r.run();
            LOG.info("VXLAN: {}", what);
            return 1;
        } catch (NetlinkException e) {
            fail(what, e);
            return 0;
        }
    }

    private void fail(String what, NetlinkException e) {
        failures++;
        LOG.warn("VXLAN: {}: {} (will retry)", what, e.getMessage());
    }
}
