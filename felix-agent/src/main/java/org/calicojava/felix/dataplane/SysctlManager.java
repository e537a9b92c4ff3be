package org.calicojava.felix.dataplane;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.NetlinkException;
import org.calicojava.netlink.Sysctl;
import org.calicojava.netlink.WorkloadInterface;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-interface sysctls of a workload interface (proxy_arp=1, route_localnet=1, neigh proxy_delay=0, forwarding=1,
 * IPv6 accept_ra=0, proxy_ndp=1, forwarding=1) and global ip_forward=1 (at start, as Calico's felix does, before
 * the datastore is read); each interface instance (by ifindex) is configured once. A setting that the interface's link message, as last read, reports at its value ({@link
 * Link#inet}) is not written, so an agent that restarts on the interfaces it configured before writes one of their 7
 * settings (the proxy delay, which link messages do not carry) instead of all of them. /proc/sys/net follows the
 * calling thread's namespace, so all writes of one apply run in one {@link Namespace#run}.
 */
public final class SysctlManager {
    private static final Logger LOG = LoggerFactory.getLogger(SysctlManager.class);
    private final Namespace ns;
    /** Interface name to the ifindex it was configured at. */
    private final Map<String, Integer> done = new java.util.HashMap<>();

    private boolean global;
    private volatile long written; // written on the sysctl thread only, read by tests

    public SysctlManager(Namespace ns) {
        this.ns = ns;
    }

    /**
     * Configures interfaces not configured before ({@code ifaces}: name to its link as last read), looking only at
     * the names in {@code changed} (those whose presence or link may have changed since the last call; null: all of
     * them); returns how many.
     */
    public int apply(Map<String, Link> ifaces, java.util.Collection<String> changed) {
        List<Link> todo = new ArrayList<>();
        if (changed == null) {
            done.keySet().retainAll(ifaces.keySet());
            ifaces.forEach((name, link) -> follow(name, link, todo));
        } else {
            changed.forEach(name -> follow(name, ifaces.get(name), todo));
        }
        if (todo.isEmpty() && global) {
            return 0;
        }
        global();
        long before = written;
        ns.run(() -> {
            configure(todo);
            return null;
        });
        long writes = written - before;
        if (todo.size() >= 100) { // many at once: the start, or after the links were re-read
            LOG.info("sysctls of {} interfaces: {} settings written, the others already set", todo.size(), writes);
        }
        return todo.size();
    }

    /** Per-interface settings written so far (those the kernel already had are not counted). */
    public long written() {
        return written;
    }

    private void follow(String name, Link link, List<Link> todo) {
        if (link == null) {
            done.remove(name);
        } else if (!Integer.valueOf(link.index()).equals(done.put(name, link.index()))) {
            todo.add(link);
        }
    }

    /**
     * Sets the global ip_forward=1 and IPv6 all/forwarding=1 once. The kernel copies them into every interface's own
     * forwarding setting, so done before the links are read (the start's take-over), it leaves the per-interface
     * forwarding writes out of the first configuration.
     */
    public void global() {
        if (!global) {
            ns.run(() -> {
                Sysctl.set("net/ipv4/ip_forward", "1");
                trySet("net/ipv6/conf/all/forwarding", "1");
                return null;
            });
            global = true;
        }
    }

    private void configure(List<Link> todo) {
        todo.forEach(this::configure);
    }

    /** Calico's workload conventions live in one place, {@link WorkloadInterface#configureSysctls}. */
    private void configure(Link link) {
        try {
            written += WorkloadInterface.configureSysctls(link.name(), link.inet());
        } catch (NetlinkException e) {
            LOG.warn("sysctls of {}: {}", link.name(), e.getMessage());
        }
    }

    private static void trySet(String key, String value) {
        try {
            Sysctl.set(key, value);
        } catch (NetlinkException e) {
            LOG.debug("{} = {}: {}", key, value, e.getMessage()); // IPv6 disabled: harmless
        }
    }
}
