package org.calicojava.netlink;

import static org.calicojava.netlink.codec.Rtnl.AF_BRIDGE;
import static org.calicojava.netlink.codec.Rtnl.AF_UNSPEC;
import static org.calicojava.netlink.codec.Rtnl.IFF_UP;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_ACK;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_CREATE;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_EXCL;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_REPLACE;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_REQUEST;
import static org.calicojava.netlink.codec.Rtnl.RTM_DELADDR;
import static org.calicojava.netlink.codec.Rtnl.RTM_DELNEIGH;
import static org.calicojava.netlink.codec.Rtnl.RTM_DELROUTE;
import static org.calicojava.netlink.codec.Rtnl.RTM_NEWADDR;
import static org.calicojava.netlink.codec.Rtnl.RTM_NEWLINK;
import static org.calicojava.netlink.codec.Rtnl.RTM_NEWNEIGH;
import static org.calicojava.netlink.codec.Rtnl.RTM_NEWROUTE;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.calicojava.netlink.KernelException.Kind;

/**
 * Typed rtnetlink: routes, links (veth pairs), addresses, and {@link #batch() batches}. One socket, bound to the
 * network namespace it was opened in ({@link #open()}: the calling thread's; {@link NetNs#open}: a named one).
 * Methods are synchronized; kernel refusals are {@link KernelException}s.
 */
public final class Netlink implements AutoCloseable {
    private final Requester requester;

    private Netlink(NetlinkSocket socket) {
        this.requester = new Requester(socket);
    }

    /** Wraps a socket opened elsewhere (e.g. on a thread inside another namespace). */
    static Netlink on(NetlinkSocket socket) {
        return new Netlink(socket);
    }

    /** Opens a netlink socket in the network namespace of the calling thread. */
    public static Netlink open() {
        return new Netlink(new NetlinkSocket(0));
    }

    // ---- routes

    /** Adds a route; {@link AlreadyExistsException} ("route exists") if an equal one is there. */
    public synchronized void addRoute(Route r) {
        requester.ack(
                Kind.ROUTE,
                "add route " + r,
                (w, s) -> RouteCodec.encode(
                        w, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, s, r));
    }

    /** Adds the route or replaces the one with the same destination, table, metric (and type). */
    public synchronized void replaceRoute(Route r) {
        requester.ack(
                Kind.ROUTE,
                "replace route " + r,
                (w, s) -> RouteCodec.encode(
                        w, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, s, r));
    }

    /** Deletes a route matching {@code r}; {@link NotFoundException} ("no such route") if none does. */
    public synchronized void deleteRoute(Route r) {
        requester.ack(
                Kind.ROUTE,
                "delete route " + r,
                (w, s) -> RouteCodec.encode(w, RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, s, r));
    }

    /** Dumps the routes that match {@code filter} (all tables, including the kernel's local table, if ANY). */
    public synchronized List<Route> routes(RouteFilter filter) {
        List<Route> all;
        try {
            all = requester.dump(
                    Kind.ROUTE,
                    "dump routes",
                    (w, s) -> RouteCodec.encodeDump(w, s, filter),
                    RTM_NEWROUTE,
                    RouteCodec::decode);
        } catch (NotFoundException e) {
            if (filter.table() == RouteFilter.ANY) {
                throw e;
            }
            return new java.util.ArrayList<>(); // ENOENT: the kernel has no such table (yet)
        }
        all.removeIf(r -> !filter.matches(r));
        return all;
    }

    // ---- links

    public synchronized List<Link> links() {
        return requester.dump(Kind.LINK, "dump links", LinkCodec::encodeDump, RTM_NEWLINK, LinkCodec::decode);
    }

    public synchronized Optional<Link> link(String name) {
        return getLink(0, name);
    }

    public synchronized Optional<Link> link(int index) {
        return getLink(index, null);
    }

    private Optional<Link> getLink(int index, String name) {
        try {
            return Optional.of(requester.get(
                    Kind.LINK,
                    "get link " + (index > 0 ? "#" + index : name),
                    (w, s) -> LinkCodec.encodeGet(w, s, index, name),
                    RTM_NEWLINK,
                    LinkCodec::decode));
        } catch (NoSuchDeviceException e) {
            return Optional.empty();
        }
    }

    /** Creates a veth pair in this namespace and returns the {@code name} end. */
    public Link createVeth(String name, String peer) {
        return createVeth(name, peer, null);
    }

    /**
     * Creates a veth pair whose {@code peer} end is created directly in the namespace at {@code peerNetns}
     * (e.g. {@link NetNs#path}), or here when null. Returns the {@code name} end.
     */
    public synchronized Link createVeth(String name, String peer, Path peerNetns) {
        checkName(name);
        checkName(peer);
        String what = "create veth " + name + " peer " + peer + (peerNetns == null ? "" : " in " + peerNetns);
        if (peerNetns == null) {
            requester.ack(Kind.LINK, what, (w, s) -> LinkCodec.encodeVeth(w, s, name, peer, -1));
        } else {
            try (NsFd ns = new NsFd(peerNetns)) {
                requester.ack(Kind.LINK, what, (w, s) -> LinkCodec.encodeVeth(w, s, name, peer, ns.fd));
            }
        }
        return getLink(0, name).orElseThrow(() -> new NetlinkException(what + ": created but not found"));
    }

    /**
     * Creates a link of a kind through IFLA_LINKINFO ({@code ip link add NAME [mtu M] [address MAC] type KIND ...}):
     * e.g. {@code vxlan} with its {@link Vxlan} parameters, or {@code ipip}. Returns it as read back;
     * {@link AlreadyExistsException} if the name is taken.
     */
    public synchronized Link createLink(LinkSpec spec) {
        String what =
                "create " + spec.kind() + " link " + spec.name() + (spec.vxlan() == null ? "" : " " + spec.vxlan());
        requester.ack(Kind.LINK, what, (w, s) -> LinkCodec.encodeCreate(w, s, spec));
        return getLink(0, spec.name()).orElseThrow(() -> new NetlinkException(what + ": created but not found"));
    }

    /** The vxlan parameters of link {@code name} ({@code ip -d link show}); empty when it is missing or no vxlan. */
    public synchronized Optional<Vxlan> vxlan(String name) {
        try {
            return Optional.ofNullable(requester.get(
                    Kind.LINK,
                    "get link " + name,
                    (w, s) -> LinkCodec.encodeGet(w, s, 0, name),
                    RTM_NEWLINK,
                    LinkCodec::decodeVxlan));
        } catch (NoSuchDeviceException e) {
            return Optional.empty();
        }
    }

    /**
     * Sets link {@code name}'s alias ({@code ip link set NAME alias TEXT}, IFLA_IFALIAS: at most 255 bytes; "" clears
     * it): a label the kernel keeps with the link, e.g. which endpoint a workload veth was made for.
     */
    public synchronized void setAlias(String name, String alias) {
        if (alias.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255 || alias.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                    "alias: " + alias.length() + " characters (expected: at most 255 bytes, no NUL)");
        }
        requester.ack(Kind.LINK, "set link " + name + " alias", (w, s) -> LinkCodec.encodeAlias(w, s, name, alias));
    }

    /** Link {@code name}'s alias ("" when it has none); empty when there is no such link. */
    public synchronized Optional<String> alias(String name) {
        try {
            return Optional.of(requester.get(
                    Kind.LINK,
                    "get link " + name,
                    (w, s) -> LinkCodec.encodeGet(w, s, 0, name),
                    RTM_NEWLINK,
                    LinkCodec::decodeAlias));
        } catch (NoSuchDeviceException e) {
            return Optional.empty();
        }
    }

    public synchronized void deleteLink(String name) {
        requester.ack(Kind.LINK, "delete link " + name, (w, s) -> LinkCodec.encodeDelete(w, s, 0, name));
    }

    public void setUp(String name) {
        change("set link " + name + " up", LinkCodec.Change.of(0, name), IFF_UP, IFF_UP);
    }

    public void setDown(String name) {
        change("set link " + name + " down", LinkCodec.Change.of(0, name), 0, IFF_UP);
    }

    public void setMtu(String name, int mtu) {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("mtu: " + mtu + " (expected: 68..65535)");
        }
        change("set link " + name + " mtu " + mtu, new LinkCodec.Change(0, name, 0, 0, mtu, null, null, -1), 0, 0);
    }

    public void setMac(String name, MacAddress mac) {
        change("set link " + name + " address " + mac, new LinkCodec.Change(0, name, 0, 0, 0, mac, null, -1), 0, 0);
    }

    public synchronized void rename(String name, String newName) {
        checkName(newName);
        int index = getLink(0, name)
                .orElseThrow(() -> KernelException.of(Kind.LINK, "rename link " + name, 19, null))
                .index();
        change(
                "rename link " + name + " to " + newName,
                new LinkCodec.Change(index, name, 0, 0, 0, null, newName, -1),
                0,
                0);
    }

    /** Moves a link into the namespace at {@code netns}: /var/run/netns/NAME or /proc/PID/ns/net. */
    public synchronized void moveToNetns(String name, Path netns) {
        try (NsFd ns = new NsFd(netns)) {
            change(
                    "move link " + name + " to " + netns,
                    new LinkCodec.Change(0, name, 0, 0, 0, null, null, ns.fd),
                    0,
                    0);
        }
    }

    private synchronized void change(String what, LinkCodec.Change c, int flags, int mask) {
        LinkCodec.Change withFlags =
                new LinkCodec.Change(c.index(), c.name(), flags, mask, c.mtu(), c.mac(), c.newName(), c.netnsFd());
        requester.ack(Kind.LINK, what, (w, s) -> LinkCodec.encodeChange(w, s, withFlags));
    }

    static void checkName(String name) {
        InterfaceNames.check(name);
    }

    // ---- addresses

    public synchronized void addAddress(Address a) {
        requester.ack(
                Kind.ADDRESS,
                "add address " + a.prefix() + " on #" + a.ifindex(),
                (w, s) -> AddressCodec.encode(
                        w, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, s, a));
    }

    public synchronized void deleteAddress(Address a) {
        requester.ack(
                Kind.ADDRESS,
                "delete address " + a.prefix() + " on #" + a.ifindex(),
                (w, s) -> AddressCodec.encode(w, RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, s, a));
    }

    /** Addresses of {@code family} (2, 10, or {@link RouteFilter#ANY} for both). */
    public synchronized List<Address> addresses(int family) {
        int f = family == RouteFilter.ANY ? AF_UNSPEC : family;
        return requester.dump(
                Kind.ADDRESS,
                "dump addresses",
                (w, s) -> AddressCodec.encodeDump(w, s, f),
                RTM_NEWADDR,
                AddressCodec::decode);
    }

    // ---- neighbours and FDB entries

    /** Adds or replaces a neighbour entry ({@code ip neigh replace}). */
    public synchronized void replaceNeighbour(Neighbour n) {
        requester.ack(
                Kind.NEIGHBOUR,
                "replace neighbour " + n,
                (w, s) -> NeighbourCodec.encode(
                        w, RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, s, n));
    }

    /** Deletes the neighbour entry of {@code n.dst()} on {@code n.ifindex()}; {@link NotFoundException} if none. */
    public synchronized void deleteNeighbour(Neighbour n) {
        requester.ack(
                Kind.NEIGHBOUR,
                "delete neighbour " + n,
                (w, s) -> NeighbourCodec.encode(w, RTM_DELNEIGH, NLM_F_REQUEST | NLM_F_ACK, s, n));
    }

    /** IPv4 and IPv6 neighbour entries on interface {@code ifindex} (0: all interfaces). */
    public synchronized List<Neighbour> neighbours(int ifindex) {
        List<Neighbour> all = requester.dump(
                Kind.NEIGHBOUR,
                "dump neighbours",
                (w, s) -> NeighbourCodec.encodeDump(w, s, AF_UNSPEC),
                RTM_NEWNEIGH,
                NeighbourCodec::decode);
        all.removeIf(n -> ifindex != 0 && n.ifindex() != ifindex);
        return all;
    }

    /** Adds or replaces a device's own FDB entry ({@code bridge fdb replace MAC dev D dst IP self permanent}). */
    public synchronized void replaceFdb(FdbEntry e) {
        requester.ack(
                Kind.NEIGHBOUR,
                "replace fdb " + e,
                (w, s) -> NeighbourCodec.encodeFdb(
                        w, RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, s, e));
    }

    /** Deletes a device's own FDB entry (MAC and, when given, dst must match); {@link NotFoundException} if none. */
    public synchronized void deleteFdb(FdbEntry e) {
        requester.ack(
                Kind.NEIGHBOUR,
                "delete fdb " + e,
                (w, s) -> NeighbourCodec.encodeFdb(w, RTM_DELNEIGH, NLM_F_REQUEST | NLM_F_ACK, s, e));
    }

    /** The device's own FDB entries of interface {@code ifindex} (0: all), as {@code bridge fdb show ... self}. */
    public synchronized List<FdbEntry> fdb(int ifindex) {
        List<FdbEntry> all = requester.dump(
                Kind.NEIGHBOUR,
                "dump fdb",
                (w, s) -> NeighbourCodec.encodeDump(w, s, AF_BRIDGE),
                RTM_NEWNEIGH,
                NeighbourCodec::decodeFdb);
        all.removeIf(e -> ifindex != 0 && e.ifindex() != ifindex);
        return all;
    }

    // ---- batches

    /** A batch of route and address changes sent without waiting for each ack; see {@link Batch}. */
    public Batch batch() {
        return new Batch(this, requester);
    }

    @Override
    public synchronized void close() {
        requester.close();
    }
}
