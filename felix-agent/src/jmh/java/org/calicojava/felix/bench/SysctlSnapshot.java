package org.calicojava.felix.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Sysctl;

/**
 * The per-interface sysctls the agent configures ({@code WorkloadInterface.configureSysctls}) of the bench's
 * interfaces as they were before the agent's first start, so that a later start can be given the same work: {@link
 * #restore} writes back those that differ. The two forwarding settings are left out: the first start's global
 * {@code ip_forward} and {@code all/forwarding} writes set them on every interface, and a later start finds the
 * global settings already on, so it would have to write them one by one where the first start did not.
 */
final class SysctlSnapshot {
    private static final List<String> KEYS = List.of(
            "net/ipv4/conf/%s/proxy_arp",
            "net/ipv4/conf/%s/route_localnet",
            "net/ipv4/neigh/%s/proxy_delay",
            "net/ipv6/conf/%s/accept_ra",
            "net/ipv6/conf/%s/proxy_ndp");

    private final String ns;
    private final Map<String, String> values;

    private SysctlSnapshot(String ns, Map<String, String> values) {
        this.ns = ns;
        this.values = values;
    }

    /** The settings of {@code ifaces} in namespace {@code ns} (a key the kernel does not have is left out). */
    static SysctlSnapshot of(String ns, List<String> ifaces) {
        return NetNs.run(ns, () -> {
            Map<String, String> v = new LinkedHashMap<>();
            for (String i : ifaces) {
                for (String k : KEYS) {
                    String key = String.format(k, i);
                    try {
                        v.put(key, Sysctl.get(key).strip());
                    } catch (RuntimeException absent) {
                        // e.g. no IPv6 settings on this interface
                    }
                }
            }
            return new SysctlSnapshot(ns, v);
        });
    }

    /** Writes back every setting that no longer has its recorded value; returns how many. */
    int restore() {
        return NetNs.run(ns, () -> {
            int written = 0;
            for (Map.Entry<String, String> e : values.entrySet()) {
                if (!Sysctl.get(e.getKey()).strip().equals(e.getValue())) {
                    Sysctl.set(e.getKey(), e.getValue());
                    written++;
                }
            }
            return written;
        });
    }
}
