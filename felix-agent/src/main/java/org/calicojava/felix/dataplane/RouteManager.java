package org.calicojava.felix.dataplane;

import org.calicojava.felix.calc.PersistentMap;
import org.calicojava.model.Cidr;
import org.calicojava.netlink.Batch;
import org.calicojava.netlink.BatchException;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.NetlinkException;
import org.calicojava.netlink.NextHop;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.RouteFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reconciles workload routes (/32, /128 via the host-side interface) in the main table, all with felix's own
 * protocol number: it reads back and changes only routes with that protocol, never others'. A route whose interface
 * does not exist yet waits until a link event ({@link #linksChanged}) brings it. Owned by the dataplane thread.
 */
public final class RouteManager {
    private static final Logger LOG = LoggerFactory.getLogger(RouteManager.class);
    private final Netlink netlink;
    private final int protocol;
    private Map<Cidr, String> desired = Map.of();
    private final Map<IpPrefix, Integer> actual = new HashMap<>();
    private Map<String, Link> links = new HashMap<>();
    private final Map<String, String> errors = new HashMap<>();
    private Map<Cidr, IpPrefix> prefixes = new HashMap<>();
    private boolean dirty = true;
    /** The routes wanted (prefix to ifindex, and its interface), as computed from {@link #wantFrom} and {@link #wantLinks}. */
    private final Map<IpPrefix, Integer> want = new HashMap<>();
    private final Map<IpPrefix, String> ifaceOf = new HashMap<>();
    private Map<Cidr, String> wantFrom;
    private Map<String, Link> wantLinks;

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

    /** Re-reads links and our routes from the kernel. */
    public void refresh() {
        Map<String, Link> l = new HashMap<>();
        for (Link link : netlink.links()) {
            l.put(link.name(), link);
        }
        links = l;
        actual.clear();
        for (Route r : netlink.routes(RouteFilter.main().withProtocol(protocol))) {
            int idx = r.nextHops().isEmpty() ? 0 : r.nextHops().get(0).ifindex();
            actual.put(r.dst(), idx);
        }
        dirty = false;
    }

    public Map<String, Link> links() {
        return links;
    }

    /** The links, re-read first if they changed since the last read. */
    public Map<String, Link> currentLinks() {
        if (dirty) {
            refresh();
        }
        return links;
    }

    /** Route errors by interface name from the last apply. */
    public Map<String, String> errors() {
        return errors;
    }

    /** Adds, replaces and deletes routes in one batch; returns the number of changes. */
    public int apply() {
        if (dirty) {
            refresh();
        }
        errors.clear();
        List<Route> add = new ArrayList<>();
        List<Route> del = new ArrayList<>();
        if (wantFrom == null || wantLinks != links) { // links re-read (or first run): everything is compared
            want.clear();
            ifaceOf.clear();
            desired.keySet().forEach(this::want);
            want.forEach((p, idx) -> compare(p, add, del));
            actual.forEach((p, idx) -> {
                if (!want.containsKey(p)) {
                    del.add(route(p, idx));
                }
            });
        } else { // the same links and actual routes: only the destinations whose wish changed
            PersistentMap.changedKeys(wantFrom, desired, c -> compare(want(c), add, del));
        }
        wantFrom = desired;
        wantLinks = links;
        if (prefixes.size() > 2 * desired.size() + 1000) {
            prefixes = new HashMap<>(); // forget prefixes of long-gone routes
        }
        if (add.isEmpty() && del.isEmpty()) {
            return 0;
        }
        try (Batch b = netlink.batch()) {
            add.forEach(b::replaceRoute);
            del.forEach(b::deleteRoute);
        } catch (BatchException e) {
            for (BatchException.Failure f : e.failures()) {
                Route r = (Route) f.request();
                String iface = ifaceOf.get(r.dst());
                LOG.warn("route {}: {}", r.dst(), f.error().getMessage());
                if (iface != null) {
                    errors.put(iface, "route " + r.dst() + ": " + f.error().getMessage());
                }
            }
            dirty = true;
        } catch (NetlinkException e) {
            dirty = true;
            throw new DataplaneException("routes: " + e.getMessage());
        }
        add.forEach(r -> actual.put(r.dst(), r.nextHops().get(0).ifindex()));
        del.forEach(r -> actual.remove(r.dst()));
        return add.size() + del.size();
    }

    /** Updates {@link #want} for destination {@code c} from {@link #desired} and the links; returns its prefix. */
    private IpPrefix want(Cidr c) {
        IpPrefix p = prefixes.computeIfAbsent(c, x -> IpPrefix.parse(x.toString()));
        String iface = desired.get(c);
        Link link = iface == null ? null : links.get(iface);
        if (link != null) {
            want.put(p, link.index());
            ifaceOf.put(p, iface);
        } else {
            want.remove(p);
            ifaceOf.remove(p);
        }
        return p;
    }

    /** Adds the change {@code p} needs (to {@link #want} from {@link #actual}) to {@code add} or {@code del}. */
    private void compare(IpPrefix p, List<Route> add, List<Route> del) {
        Integer w = want.get(p);
        Integer a = actual.get(p);
        if (w != null && !w.equals(a)) {
            add.add(route(p, w));
        } else if (w == null && a != null) {
            del.add(route(p, a));
        }
    }

    private Route route(IpPrefix p, int ifindex) {
        return Route.builder(p).protocol(protocol).scope(Route.SCOPE_LINK).nextHop(NextHop.dev(ifindex)).build();
    }
}
