package org.calicojava.ctl;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.calicojava.ipam.TunnelAddress;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;

/**
 * The hosts' tunnel records, as felix writes them (per-host felix config keys, Calico's names):
 * {@code /calico/v1/host/<host>/config/IpInIpTunnelAddr}, {@code IPv4VXLANTunnelAddr}, {@code IPv6VXLANTunnelAddr},
 * {@code VXLANTunnelMACAddr}, {@code VXLANTunnelMACAddrV6}. A value that is not what its key holds shows as
 * {@code (invalid)}; a missing one as empty.
 */
final class TunnelAddresses {
    /** Key name to column title, in column order. */
    static final Map<String, String> COLUMNS = new java.util.LinkedHashMap<>();

    static {
        COLUMNS.put(TunnelAddress.IPIP.configKey(), "IPIP");
        COLUMNS.put(TunnelAddress.VXLAN_V4.configKey(), "VXLAN v4");
        COLUMNS.put(TunnelAddress.VXLAN_V6.configKey(), "VXLAN v6");
        COLUMNS.put(TunnelAddress.VXLAN_MAC_V4, "VXLAN MAC");
        COLUMNS.put(TunnelAddress.VXLAN_MAC_V6, "VXLAN MAC v6");
    }

    private TunnelAddresses() {}

    /** One row per host that has any of the keys (hosts: those under /calico/bgp/v1/host, or only {@code onlyHost}). */
    static Table table(KvStore store, Keys keys, String onlyHost) {
        java.util.Set<String> hosts = new java.util.TreeSet<>();
        if (onlyHost != null) {
            hosts.add(onlyHost);
        } else {
            for (KeyValue kv : store.list(keys.bgpHosts()).kvs()) { // small: a few keys per host, no endpoints
                String h = Keys.segmentAfter(kv.key(), keys.bgpHosts(), 0);
                if (h != null && !h.isEmpty()) {
                    hosts.add(h);
                }
            }
        }
        Map<String, Map<String, String>> byHost = new TreeMap<>();
        for (String host : hosts) {
            String prefix;
            try {
                prefix = keys.host(host) + "/config/";
            } catch (IllegalArgumentException e) { // not a valid host name: not ours to show
                continue;
            }
            for (KeyValue kv : store.list(prefix).kvs()) {
                String name = Keys.lastSegment(kv.key());
                if (COLUMNS.containsKey(name)) {
                    byHost.computeIfAbsent(host, h -> new TreeMap<>()).put(name, shown(name, kv.value()));
                }
            }
        }
        List<String> titles = new java.util.ArrayList<>(List.of("Host"));
        titles.addAll(COLUMNS.values());
        Table t = new Table(titles.toArray(String[]::new));
        byHost.forEach((host, values) -> {
            Object[] row = new Object[COLUMNS.size() + 1];
            row[0] = host;
            int i = 1;
            for (String k : COLUMNS.keySet()) {
                row[i++] = values.getOrDefault(k, "");
            }
            t.row(row);
        });
        return t;
    }

    /** The value if it is what the key holds (an address of the right family, a unicast MAC), else "(invalid)". */
    static String shown(String name, String value) {
        String v = value == null ? "" : value.trim();
        try {
            if (name.equals(TunnelAddress.VXLAN_MAC_V4) || name.equals(TunnelAddress.VXLAN_MAC_V6)) {
                if (!v.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")
                        || (Integer.parseInt(v.substring(0, 2), 16) & 1) != 0) {
                    return "(invalid)";
                }
                return v.toLowerCase(java.util.Locale.ROOT);
            }
            Cidr c = Cidr.host(v);
            int version = TunnelAddress.ofConfigKey(name).orElseThrow().version();
            return c.version() == version ? c.ip() : "(invalid)";
        } catch (IllegalArgumentException e) {
            return "(invalid)";
        }
    }
}
