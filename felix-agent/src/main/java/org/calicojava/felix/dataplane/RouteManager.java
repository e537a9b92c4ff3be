package org.calicojava.felix.dataplane;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.calc.PersistentMap;
import org.calicojava.model.Cidr;
import org.calicojava.netlink.Batch;
import org.calicojava.netlink.BatchException;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.NetlinkException;
import org.calicojava.netlink.NextHop;
import org.calicojava.netlink.NotFoundException;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.RouteFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles workload routes (/32, /128 via the host-side interface) in the main table, all with felix's own
 * protocol number: it reads back and changes only routes with that protocol, never others'. Ownership:
 * <ul>
 *   <li>a route felix wants whose destination already has a route of another protocol in the main table (the
 *   kernel's connected route, a boot or static route, another daemon's; any metric) is refused: one log line while
 *   the conflict lasts, the endpoint's state is {@code error} with the reason ({@link #errors}), and the conflict is
 *   looked at again at every apply until it is gone ({@link #needsRetry});</li>
 *   <li>a new route is added with {@code NLM_F_EXCL} (never a replace), so a route of another protocol that appeared
 *   after the read-back makes the kernel refuse ours (EEXIST) rather than lose its own; only a route already ours
 *   moving to another interface is replaced;</li>
 *   <li>deletes carry our protocol, so the kernel removes only a route of ours.</li>
 * </ul>
 * A route whose interface does not exist yet waits until a link event ({@link #linkEvent}) brings it. Link events are
 * applied one by one (the links are a {@link PersistentMap}, so readers find the names that changed): an event looks
 * at that interface's routes only, and a link that goes away or down takes its routes with it in {@link #actual}, as
 * the kernel drops them without telling; a full re-read ({@link #linksChanged}, {@link #refresh}) compares every
 * route. Owned by the dataplane thread.
 */
public final class RouteManager {
    private static final Logger LOG = LoggerFactory.getLogger(RouteManager.class);
    private final Netlink netlink;
    private final int protocol;
    private Map<Cidr, String> desired = Map.of();
    private final Map<IpPrefix, Integer> actual = new HashMap<>();
    /** Destinations in the main table with routes of other protocols (to their protocol), as last read. */
    private final Map<IpPrefix, Integer> foreign = new HashMap<>();
    /** Wanted routes refused because a route of another protocol has the destination: the reason. */
    private final Map<IpPrefix, String> conflicts = new HashMap<>();

    private final java.util.Set<IpPrefix> conflictsLogged = new java.util.HashSet<>();
    private final PersistentMap.Builder<String, Link> linkMap = PersistentMap.<String, Link>empty().toBuilder();
    private PersistentMap<String, Link> links = linkMap.build();
    /** When the last re-read of links and routes started ({@link System#nanoTime}). */
    private long readNanos = System.nanoTime();
    /** The name of each link of {@link #links} by ifindex (to follow a rename). */
    private final Map<Integer, String> nameByIndex = new HashMap<>();
    /** The routes were re-read: the next apply compares every route, not only the changed ones. */
    private boolean compareAll = true;
    /** Destinations of {@link #desired} by interface, for the routes of a link that changed. */
    private final Map<String, java.util.Set<Cidr>> byIface = new HashMap<>();

    private final Map<String, String> errors = new HashMap<>();
    private Map<Cidr, IpPrefix> prefixes = new HashMap<>();
    private boolean dirty = true;
    /** A request of the last apply failed. */
    private boolean requestsFailed;
    /** The routes wanted (prefix to ifindex, and its interface), as computed from {@link #wantFrom} and {@link #wantLinks}. */
    private final Map<IpPrefix, Integer> want = new HashMap<>();

    private final Map<IpPrefix, String> ifaceOf = new HashMap<>();
    private Map<Cidr, String> wantFrom;
    private PersistentMap<String, Link> wantLinks;

    public RouteManager(Netlink netlink, int protocol) {
        this.netlink = netlink;
        this.protocol = protocol;
    }

    public void setDesired(Map<Cidr, String> routes) {
        this.desired = routes;
    }

    /** Links appeared, vanished or changed: re-read links and our routes before the next apply. */
    public void linksChanged() {
        dirty = true;
    }

    /**
     * One link event ({@code removed}: RTM_DELLINK) received at {@code receivedNanos} ({@link System#nanoTime});
     * returns whether the links changed (an event that repeats what is known changes nothing). When a full re-read is
     * due anyway, the event is left to it; an event received before the last re-read started is in it already (the
     * kernel announces a change after making it), so it is not applied again (a stale "down" would take routes out
     * of {@link #actual} that are in the kernel).
     */
    public boolean linkEvent(boolean removed, Link l, long receivedNanos) {
        if (dirty) {
            return true;
        }
        if (receivedNanos - readNanos < 0) {
            return false;
        }
        Link old = linkMap.get(l.name());
        if (removed) {
            dropRoutesOn(l.index()); // the kernel removed them with the link
            if (old == null || old.index() != l.index()) {
                return false;
            }
            linkMap.remove(l.name());
            nameByIndex.remove(l.index());
        } else {
            if (l.sameDevice(old)) {
                return false;
            }
            if (old != null && (old.index() != l.index() || old.isUp() && !l.isUp())) {
                dropRoutesOn(old.index()); // a link that went down or was replaced lost its routes
            }
            String was = nameByIndex.put(l.index(), l.name());
            if (was != null && !was.equals(l.name())) {
                linkMap.remove(was); // renamed: the old name is gone (its routes stay, on the new name's link)
            }
            linkMap.put(l.name(), l);
        }
        links = linkMap.build();
        return true;
    }

    private void dropRoutesOn(int ifindex) {
        actual.values().removeIf(i -> i == ifindex);
    }

    /**
     * Re-reads links and our routes from the kernel; when a dump fails (e.g. interrupted by changes again and again),
     * nothing changes, the re-read stays due and a {@link DataplaneException} says why.
     */
    public void refresh() {
        long started = System.nanoTime();
        Map<String, Link> read = new HashMap<>();
        List<Route> routes;
        try {
            for (Link link : netlink.links()) {
                read.put(link.name(), link);
            }
            routes = netlink.routes(RouteFilter.main());
        } catch (NetlinkException e) {
            dirty = true;
            throw new DataplaneException("reading links and routes: " + e.getMessage());
        }
        readNanos = started;
        nameByIndex.clear();
        read.forEach((name, link) -> nameByIndex.put(link.index(), name));
        read.forEach((name, link) -> {
            if (!link.sameDevice(linkMap.get(name))) { // its sysctls as first read: see SysctlManager
                linkMap.put(name, link); // unchanged links stay the same objects: readers see only the changes
            }
        });
        for (String name : links.keySet()) {
            if (!read.containsKey(name)) {
                linkMap.remove(name);
            }
        }
        links = linkMap.build();
        compareAll = true;
        actual.clear();
        foreign.clear();
        for (Route r : routes) {
            if (r.protocol() == protocol && r.nextHops().stream().anyMatch(h -> h.gateway() != null)) {
                continue; // felix's routes via a gateway are encapsulation's (encap.VxlanDataplane), not endpoints'
            }
            if (r.protocol() == protocol) {
                int idx = r.nextHops().isEmpty() ? 0 : r.nextHops().get(0).ifindex();
                actual.put(r.dst(), idx);
            } else {
                foreign.put(r.dst(), r.protocol());
            }
        }
        dirty = false;
    }

    public PersistentMap<String, Link> links() {
        return links;
    }

    /** The links, re-read first if they changed since the last read. */
    public PersistentMap<String, Link> currentLinks() {
        if (dirty) {
            try {
                refresh();
            } catch (DataplaneException e) { // the links as last read; apply() tries again and reports it
                LOG.debug("{}", e.getMessage());
            }
        }
        return links;
    }

    /** Route errors (failed requests, refused conflicts) by interface name from the last apply. */
    public Map<String, String> errors() {
        return errors;
    }

    /**
     * Whether the next apply should come soon: a wanted route is refused because of another protocol's route, or a
     * request of the last apply failed (EEXIST: a route that appeared after the read-back); it re-reads the routes.
     */
    public boolean needsRetry() {
        return !conflicts.isEmpty() || requestsFailed;
    }

    /** Wanted routes refused now because of another protocol's route. */
    public int conflictCount() {
        return conflicts.size();
    }

    /** Adds, replaces and deletes routes in one batch; returns the number of changes. */
    public int apply() {
        if (dirty || !conflicts.isEmpty()) { // a conflict may have gone: read again
            try {
                refresh();
            } catch (DataplaneException e) {
                requestsFailed = true; // retried soon
                throw e;
            }
        }
        requestsFailed = false;
        errors.clear();
        List<Route> add = new ArrayList<>();
        List<Route> replace = new ArrayList<>();
        List<Route> del = new ArrayList<>();
        if (wantFrom == null || compareAll) { // routes re-read (or first run): everything is compared
            want.clear();
            ifaceOf.clear();
            conflicts.clear();
            byIface.clear();
            desired.forEach((c, iface) -> byIface.computeIfAbsent(iface, i -> new java.util.HashSet<>())
                    .add(c));
            desired.keySet().forEach(this::want);
            want.forEach((p, idx) -> compare(p, add, replace, del));
            conflictsLogged.retainAll(conflicts.keySet());
            actual.forEach((p, idx) -> {
                if (!want.containsKey(p)) {
                    del.add(route(p, idx));
                }
            });
        } else { // only the destinations whose wish changed, and those of links that changed
            Map<Cidr, String> before = wantFrom;
            java.util.Set<Cidr> todo = new java.util.LinkedHashSet<>(); // once each: a route is asked for once
            PersistentMap.changedKeys(before, desired, c -> {
                String was = before.get(c);
                String now = desired.get(c);
                java.util.Set<Cidr> of = was == null || was.equals(now) ? null : byIface.get(was);
                if (of != null) {
                    of.remove(c);
                    if (of.isEmpty()) {
                        byIface.remove(was);
                    }
                }
                if (now != null) {
                    byIface.computeIfAbsent(now, i -> new java.util.HashSet<>()).add(c);
                }
                todo.add(c);
            });
            PersistentMap.changedKeys(
                    wantLinks, links, iface -> todo.addAll(byIface.getOrDefault(iface, java.util.Set.of())));
            todo.forEach(c -> compare(want(c), add, replace, del));
        }
        compareAll = false;
        conflicts.forEach((p, why) -> {
            String iface = ifaceOf.get(p);
            if (iface != null) {
                errors.putIfAbsent(iface, why);
            }
        });
        wantFrom = desired;
        wantLinks = links;
        if (prefixes.size() > 2 * desired.size() + 1000) {
            prefixes = new HashMap<>(); // forget prefixes of long-gone routes
        }
        if (add.isEmpty() && replace.isEmpty() && del.isEmpty()) {
            return 0;
        }
        try (Batch b = netlink.batch()) {
            add.forEach(b::addRoute); // NLM_F_EXCL: never takes another's route
            replace.forEach(b::replaceRoute); // ours, moving to another interface
            del.forEach(b::deleteRoute); // carries our protocol: only ours is deleted
        } catch (BatchException e) {
            java.util.Set<Route> deletes = new java.util.HashSet<>(del);
            for (BatchException.Failure f : e.failures()) {
                Route r = (Route) f.request();
                if (f.error() instanceof NotFoundException && deletes.contains(r)) {
                    continue; // already gone (its link went first, as on a CNI delete): done
                }
                String iface = ifaceOf.get(r.dst());
                LOG.warn("route {}: {}", r.dst(), f.error().getMessage());
                actual.remove(r.dst()); // not as we asked: re-read before the next apply
                if (iface != null) {
                    errors.put(iface, "route " + r.dst() + ": " + f.error().getMessage());
                }
                dirty = true;
                requestsFailed = true;
            }
        } catch (NetlinkException e) {
            dirty = true;
            requestsFailed = true;
            throw new DataplaneException("routes: " + e.getMessage());
        }
        if (!dirty) {
            add.forEach(r -> actual.put(r.dst(), r.nextHops().get(0).ifindex()));
            replace.forEach(r -> actual.put(r.dst(), r.nextHops().get(0).ifindex()));
            del.forEach(r -> actual.remove(r.dst()));
        }
        return add.size() + replace.size() + del.size();
    }

    /**
     * Updates {@link #want} for destination {@code c} from {@link #desired} and the links; returns its prefix. Only
     * an interface that is up gets routes (as Calico's route table: the kernel refuses a route to a down device and
     * removes a device's routes when it goes down); its endpoint's state says {@code down} meanwhile.
     */
    private IpPrefix want(Cidr c) {
        IpPrefix p = prefixes.computeIfAbsent(c, x -> IpPrefix.parse(x.toString()));
        String iface = desired.get(c);
        Link link = iface == null ? null : links.get(iface);
        if (link != null && link.isUp()) {
            want.put(p, link.index());
            ifaceOf.put(p, iface);
        } else {
            want.remove(p);
            ifaceOf.remove(p);
        }
        return p;
    }

    /**
     * Adds the change {@code p} needs (to {@link #want} from {@link #actual}) to {@code add}, {@code replace} or
     * {@code del}; a new route whose destination has another protocol's route is a conflict instead.
     */
    private void compare(IpPrefix p, List<Route> add, List<Route> replace, List<Route> del) {
        Integer w = want.get(p);
        Integer a = actual.get(p);
        conflicts.remove(p);
        if (w != null && !w.equals(a)) {
            Integer other = a == null ? foreign.get(p) : null;
            if (other != null) {
                String why = "route " + p + " refused: the host has a route to " + p + " of protocol " + other
                        + " (felix owns only protocol " + protocol + ")";
                conflicts.put(p, why);
                if (conflictsLogged.add(p)) {
                    LOG.warn("{} for interface {}", why, ifaceOf.get(p));
                }
                return;
            }
            (a == null ? add : replace).add(route(p, w));
        } else if (w == null && a != null) {
            del.add(route(p, a));
        }
        if (w == null) {
            conflictsLogged.remove(p);
        }
    }

    private Route route(IpPrefix p, int ifindex) {
        return Route.builder(p)
                .protocol(protocol)
                .scope(Route.SCOPE_LINK)
                .nextHop(NextHop.dev(ifindex))
                .build();
    }
}
