package org.calicojava.felix.dataplane;

import org.calicojava.netlink.NetlinkException;
import org.calicojava.netlink.Sysctl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Per-interface sysctls of a workload interface (proxy_arp=1, route_localnet=1, neigh proxy_delay=0, forwarding=1,
 * IPv6 accept_ra=0, proxy_ndp=1, forwarding=1) and global ip_forward=1; each interface instance (by ifindex) is
 * configured once. /proc/sys/net follows the calling thread's namespace, so this runs on the dataplane thread.
 */
public final class SysctlManager {
    private static final Logger LOG = LoggerFactory.getLogger(SysctlManager.class);
    private final Set<String> done = new HashSet<>();
    private boolean global;

    /** Configures interfaces not configured before ({@code ifaces}: name to ifindex); returns how many. */
    public int apply(Map<String, Integer> ifaces) {
        if (!global) {
            Sysctl.set("net/ipv4/ip_forward", "1");
            trySet("net/ipv6/conf/all/forwarding", "1");
            global = true;
        }
        int n = 0;
        done.retainAll(ifaces.entrySet().stream().map(e -> e.getKey() + "#" + e.getValue()).toList());
        for (Map.Entry<String, Integer> e : ifaces.entrySet()) {
            if (done.add(e.getKey() + "#" + e.getValue())) {
                configure(e.getKey());
                n++;
            }
        }
        return n;
    }

    private void configure(String iface) {
        try {
            Sysctl.proxyArp(iface, true);
            Sysctl.routeLocalnet(iface, true);
            Sysctl.proxyDelay(iface, 0);
            Sysctl.forwarding(iface, false, true);
        } catch (NetlinkException e) {
            LOG.warn("sysctls of {}: {}", iface, e.getMessage());
        }
        trySet("net/ipv6/conf/" + iface + "/accept_ra", "0");
        trySet("net/ipv6/conf/" + iface + "/proxy_ndp", "1");
        trySet("net/ipv6/conf/" + iface + "/forwarding", "1");
    }

    private static void trySet(String key, String value) {
        try {
            Sysctl.set(key, value);
        } catch (NetlinkException e) {
            LOG.debug("{} = {}: {}", key, value, e.getMessage()); // IPv6 disabled: harmless
        }
    }
}
