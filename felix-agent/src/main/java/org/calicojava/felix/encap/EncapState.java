package org.calicojava.felix.encap;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.calicojava.model.Names;

/**
 * What encapsulation needs from the datastore beyond felix's {@code /calico/v1} state, kept from key/value updates:
 * every host's address ({@code /calico/bgp/v1/host/H/ip_addr_v4|v6}), every host's tunnel settings
 * ({@code /calico/v1/host/H/config/IPv4VXLANTunnelAddr}, ... as raw text, checked by the calculation against the
 * pools) and the block affinities ({@code /calico/ipam/v2/host/H/ipv4|ipv6/block/CIDR}: who owns which block).
 * A bad key or address throws {@link IllegalArgumentException} (the agent logs it once and skips the key).
 * Owned by the agent's dataplane thread.
 */
public final class EncapState {
    /** The per-host tunnel settings (felix host config names, as Calico's). */
    public static final Set<String> TUNNEL_CONFIG =
            Set.of(VxlanCalc.ADDR_V4, VxlanCalc.ADDR_V6, VxlanCalc.MAC_V4, VxlanCalc.MAC_V6, IpipPlan.TUNNEL_ADDR_KEY);

    private final Keys keys;
    final Map<String, Cidr> hostIp4 = new HashMap<>();
    final Map<String, Cidr> hostIp6 = new HashMap<>();
    final Map<String, Map<String, String>> tunnelConfig = new HashMap<>();
    /** Block to the host with its affinity (host, block): ownership as the affinity keys say. */
    final Map<Cidr, String> blockOwner = new HashMap<>();

    private long changes;

    public EncapState(Keys keys) {
        this.keys = keys;
    }

    /** The prefixes outside {@code /calico/v1} to list and watch. */
    public List<String> extraPrefixes() {
        return List.of(keys.bgpHosts(), keys.ipamHostRoot());
    }

    /** Number of changes applied so far (a calculation is needed when it moved). */
    public long changes() {
        return changes;
    }

    /** Applies a put ({@code value} non-null) or delete; returns whether the key is one encapsulation uses. */
    public boolean apply(String key, String value) {
        if (key.startsWith(keys.bgpHosts())) {
            String[] p = key.substring(keys.bgpHosts().length()).split("/", -1);
            if (p.length != 2 || !p[1].matches("ip_addr_v[46]")) {
                return false;
            }
            String host = Names.check("host", p[0]);
            Map<String, Cidr> map = p[1].endsWith("4") ? hostIp4 : hostIp6;
            map.remove(host);
            changes++;
            if (value != null && !value.isBlank()) { // Calico writes "" for a host without IPv6
                Cidr ip = Cidr.host(value.strip());
                if (ip.version() != (map == hostIp4 ? 4 : 6)) {
                    throw new IllegalArgumentException(p[1] + ": " + value.strip() + " (expected: an IPv"
                            + (map == hostIp4 ? 4 : 6) + " address)");
                }
                map.put(host, ip);
            }
            return true;
        }
        if (key.startsWith(keys.ipamHostRoot())) {
            String[] p = key.substring(keys.ipamHostRoot().length()).split("/", -1);
            if (p.length != 4 || !p[1].matches("ipv[46]") || !p[2].equals("block")) {
                return false;
            }
            String host = Names.check("host", p[0]);
            Cidr block = Cidr.parse(p[3], true);
            if (block.version() != (p[1].equals("ipv4") ? 4 : 6)) {
                throw new IllegalArgumentException("affinity block: " + p[3] + " (expected: an " + p[1] + " block)");
            }
            changes++;
            if (value == null) {
                blockOwner.remove(block, host);
            } else {
                blockOwner.put(block, host);
            }
            return true;
        }
        if (key.startsWith(keys.hosts())) {
            String[] p = key.substring(keys.hosts().length()).split("/", -1);
            if (p.length != 3 || !p[1].equals("config") || !TUNNEL_CONFIG.contains(p[2])) {
                return false;
            }
            String host = Names.check("host", p[0]);
            changes++;
            Map<String, String> c = tunnelConfig.computeIfAbsent(host, h -> new HashMap<>());
            if (value == null) {
                c.remove(p[2]);
                if (c.isEmpty()) {
                    tunnelConfig.remove(host);
                }
            } else {
                c.put(p[2], value.strip());
            }
            return true;
        }
        return false;
    }

    /** Forgets the keys under {@code prefix} (before a resync snapshot of it is applied). */
    public void clear(String prefix) {
        changes++;
        if (prefix.startsWith(keys.bgpHosts()) || keys.bgpHosts().startsWith(prefix)) {
            hostIp4.clear();
            hostIp6.clear();
        }
        if (prefix.startsWith(keys.ipamHostRoot()) || keys.ipamHostRoot().startsWith(prefix)) {
            blockOwner.clear();
        }
        if (prefix.startsWith(keys.hosts()) || keys.hosts().startsWith(prefix)) {
            tunnelConfig.clear();
        }
    }

    public Cidr hostIp(String host, int version) {
        return (version == 4 ? hostIp4 : hostIp6).get(host);
    }

    /** A host's tunnel setting as written (unchecked), or null. */
    public String tunnelConfig(String host, String name) {
        Map<String, String> c = tunnelConfig.get(host);
        return c == null ? null : c.get(name);
    }

    /** Read-only view: block to owning host. */
    public Map<Cidr, String> blockOwners() {
        return java.util.Collections.unmodifiableMap(blockOwner);
    }

    /** Hosts with an address of {@code version} or tunnel settings (sorted). */
    public java.util.SortedSet<String> hosts() {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(hostIp4.keySet());
        all.addAll(hostIp6.keySet());
        all.addAll(tunnelConfig.keySet());
        return all;
    }
}
