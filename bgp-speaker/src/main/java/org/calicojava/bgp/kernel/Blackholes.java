package org.calicojava.bgp.kernel;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.netlink.AlreadyExistsException;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.NetlinkException;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.RouteType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Blackhole routes for the originated blocks, never over a route of another owner; kernel thread only. */
final class Blackholes {
    private static final Logger LOG = LoggerFactory.getLogger(Blackholes.class);
    private final KernelSync ks;
    /** Ours in the kernel. */
    private final Map<Prefix, Route> installed = new HashMap<>();

    private Set<Prefix> wanted = Set.of();

    Blackholes(KernelSync ks) {
        this.ks = ks;
    }

    /** Installs blackhole routes for {@code blocks} and removes ours for blocks no longer listed. */
    void want(Set<Prefix> blocks) {
        wanted = blocks;
        for (Prefix p : Set.copyOf(installed.keySet())) {
            if (!wanted.contains(p)) {
                ks.deleteNow(installed.remove(p));
            }
        }
        for (Prefix p : wanted) {
            sync(p);
        }
    }

    /** Whether {@code p} is (or should be) one of ours. */
    boolean concerns(Prefix p) {
        return installed.containsKey(p) || wanted.contains(p);
    }

    /** After a table read: forgets ours that are not there any more ({@code oursThere}), then installs what is wanted. */
    void resynced(Set<IpPrefix> oursThere) {
        for (Prefix p : Set.copyOf(installed.keySet())) {
            if (!oursThere.contains(KernelPrefixes.ipPrefix(p))) {
                installed.remove(p);
            }
        }
        for (Prefix p : wanted) {
            sync(p);
        }
    }

    /** Ours now. */
    Map<Prefix, Route> installed() {
        return installed;
    }

    /** Brings the blackhole of {@code p} to what is wanted and what the table holds. */
    void sync(Prefix p) {
        Route ours = installed.get(p);
        int owner = ks.view.owner(KernelPrefixes.ipPrefix(p));
        if (!wanted.contains(p) || owner >= 0) {
            if (ours != null) {
                ks.deleteNow(installed.remove(p));
            }
            if (owner >= 0 && wanted.contains(p)) {
                ks.refused(p, owner);
            }
            return;
        }
        if (ours != null) {
            return;
        }
        Route r = Route.builder(KernelPrefixes.ipPrefix(p))
                .type(RouteType.BLACKHOLE)
                .table(ks.cfg.table())
                .protocol(ks.cfg.protocol())
                .build();
        try {
            if (ks.leftovers.remove(p) != null) {
                ks.nl.replaceRoute(r);
            } else {
                ks.nl.addRoute(r);
            }
            installed.put(p, r);
        } catch (AlreadyExistsException e) {
            ks.refused(p, -1);
        } catch (NetlinkException e) {
            LOG.warn("kernel: blackhole {}: {}", p, e.getMessage());
        }
    }
}
