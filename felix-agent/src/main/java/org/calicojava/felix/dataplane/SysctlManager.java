package org.calicojava.felix.dataplane;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicojava.netlink.NetlinkException;
import org.calicojava.netlink.Sysctl;
import org.calicojava.netlink.WorkloadInterface;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-interface sysctls of a workload interface (proxy_arp=1, route_localnet=1, neigh proxy_delay=0, forwarding=1,
 * IPv6 accept_ra=0, proxy_ndp=1, forwarding=1) and global ip_forward=1; each interface instance (by ifindex) is
 * configured once. /proc/sys/net follows the calling thread's namespace, so all writes of one apply run in one
 * {@link Namespace#run}.
 */
public final class SysctlManager {
    private static final Logger LOG = LoggerFactory.getLogger(SysctlManager.class);
    private final Namespace ns;
    /** Interface name to the ifindex it was configured at. */
    private final Map<String, Integer> done = new java.util.HashMap<>();

    private boolean global;

    public SysctlManager(Namespace ns) {
        this.ns = ns;
    }

    /**
     * Configures interfaces not configured before ({@code ifaces}: name to ifindex), looking only at the names in
     * {@code changed} (those whose presence or ifindex may have changed since the last call; null: all of them);
     * returns how many.
     */
    public int apply(Map<String, Integer> ifaces, java.util.Collection<String> changed) {
        List<String> todo = new ArrayList<>();
        if (changed == null) {
            done.keySet().retainAll(ifaces.keySet());
            ifaces.forEach((name, index) -> follow(name, index, todo));
        } else {
            changed.forEach(name -> follow(name, ifaces.get(name), todo));
        }
        if (todo.isEmpty() && global) {
            return 0;
        }
        ns.run(() -> {
            configure(todo);
            return null;
        });
        return todo.size();
    }

    private void follow(String name, Integer index, List<String> todo) {
        if (index == null) {
            done.remove(name);
        } else if (!index.equals(done.put(name, index))) {
            todo.add(name);
        }
    }

    private void configure(List<String> todo) {
        if (!global) {
            Sysctl.set("net/ipv4/ip_forward", "1");
            trySet("net/ipv6/conf/all/forwarding", "1");
            global = true;
        }
        todo.forEach(this::configure);
    }

    /** Calico's workload conventions live in one place, {@link WorkloadInterface#configureSysctls}. */
    private void configure(String iface) {
        try {
            WorkloadInterface.configureSysctls(iface); // the IPv6 ones only where the interface has IPv6 settings
        } catch (NetlinkException e) {
            LOG.warn("sysctls of {}: {}", iface, e.getMessage());
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
