package org.calicojava.ctl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.calicojava.ipam.AllocationBlock;
import org.calicojava.ipam.IpamHandle;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.KeyPath;
import org.calicojava.model.Keys;
import org.calicojava.model.WorkloadEndpoint;

/**
 * IPAM against the endpoints, as {@code calicoctl ipam check} does, over one snapshot: addresses allocated that no
 * endpoint carries (leaked, or a workload still being set up), endpoint addresses in a pool that IPAM has not allocated
 * (it may hand them out again), tunnel addresses their node's config no longer names, handles whose counts disagree with
 * the blocks, and blocks affine to a host the datastore no longer knows. Records a daemon would refuse are left to
 * {@link DatastoreCheck}. Pure: the caller lists the keys.
 */
final class IpamCheck {
    /** One problem: its kind, the address or key it is about, and what was found (one line). */
    record Problem(String kind, String subject, String detail) {}

    /** A tunnel allocation's {@code type} attribute → the host config key felix records the address under. */
    static final Map<String, String> TUNNEL_CONFIG = Map.of(
            "ipipTunnelAddress", "IpInIpTunnelAddr",
            "vxlanTunnelAddress", "IPv4VXLANTunnelAddr",
            "vxlanV6TunnelAddress", "IPv6VXLANTunnelAddr");

    /** The report's counts: addresses allocated, endpoint addresses seen. */
    record Counts(int allocated, int endpointAddresses) {}

    private final Keys keys;
    private final NavigableMap<String, String> kv;
    final List<Problem> problems = new ArrayList<>();
    private int allocated;
    private final Map<Cidr, String> endpointOf = new TreeMap<>();

    IpamCheck(Keys keys, NavigableMap<String, String> kv) {
        this.keys = keys;
        this.kv = kv;
    }

    Counts counts() {
        return new Counts(allocated, endpointOf.size());
    }

    /** Runs every check; the problems are in {@link #problems}, in the order found (blocks in key order). */
    IpamCheck run() {
        Set<String> hosts = endpoints();
        Map<String, Map<String, Integer>> handleCounts = new HashMap<>(); // handle → block → allocations
        Set<Cidr> allocatedAddresses = new HashSet<>();
        List<AllocationBlock> blocks = new ArrayList<>();
        for (int v : new int[] {4, 6}) {
            for (Map.Entry<String, String> e :
                    DatastoreCheck.below(kv, keys.ipamBlocks(v)).entrySet()) {
                try {
                    blocks.add(AllocationBlock.read(keys, e.getKey(), e.getValue()));
                } catch (IllegalArgumentException ex) {
                    // a damaged block: javactl datastore check lists it
                }
            }
        }
        for (AllocationBlock b : blocks) {
            if (b.host() != null && !hosts.contains(b.host())) {
                problems.add(new Problem(
                        "orphaned block",
                        b.cidr().toString(),
                        "affine to host " + b.host() + ", which has no key left in the datastore"));
            }
            for (int o = 0; o < b.size(); o++) {
                AllocationBlock.Attribute a = b.attributeOf(o);
                if (a == null) {
                    continue;
                }
                allocated++;
                Cidr ip = b.address(o);
                allocatedAddresses.add(ip);
                if (a.handleId() != null) {
                    handleCounts
                            .computeIfAbsent(a.handleId(), h -> new TreeMap<>())
                            .merge(b.cidr().toString(), 1, Integer::sum);
                }
                allocation(ip, a);
            }
        }
        endpointOf.forEach((ip, endpoint) -> {
            if (!allocatedAddresses.contains(ip) && inBlockOrPool(ip, blocks)) {
                problems.add(new Problem(
                        "not allocated",
                        ip.ip(),
                        "endpoint " + endpoint + " has it, IPAM has not allocated it: it may be handed out again"));
            }
        });
        handles(handleCounts);
        return this;
    }

    /** An allocated address: in use when an endpoint carries it, or for a tunnel address when its node names it. */
    private void allocation(Cidr ip, AllocationBlock.Attribute a) {
        if (endpointOf.containsKey(ip)) {
            return;
        }
        String type = a.secondary().get("type");
        String node = a.secondary().get("node");
        String what = (a.handleId() == null ? "no handle" : "handle " + a.handleId())
                + (a.secondary().isEmpty() ? "" : ", " + new TreeMap<>(a.secondary()));
        if (type != null && TUNNEL_CONFIG.containsKey(type) && node != null) {
            String recorded;
            try {
                recorded = kv.get(keys.hostConfig(node, TUNNEL_CONFIG.get(type)));
            } catch (IllegalArgumentException badNode) {
                recorded = null;
            }
            if (recorded != null && ip.ip().equals(recorded.strip())) {
                return;
            }
            problems.add(new Problem(
                    "leaked",
                    ip.ip(),
                    what + ": node " + node + "'s " + TUNNEL_CONFIG.get(type) + " does not name it"));
            return;
        }
        problems.add(new Problem("leaked", ip.ip(), what + ": no endpoint has it (or its workload is being set up)"));
    }

    /** Each handle record against the allocations made under it. */
    private void handles(Map<String, Map<String, Integer>> counted) {
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, String> e :
                DatastoreCheck.below(kv, keys.ipamHandles()).entrySet()) {
            IpamHandle h;
            try {
                h = Json.read(e.getValue(), IpamHandle.class);
            } catch (IllegalArgumentException ex) {
                continue; // javactl datastore check lists it
            }
            String id = e.getKey().substring(keys.ipamHandles().length());
            seen.add(id);
            Map<String, Integer> inBlocks = counted.getOrDefault(id, Map.of());
            if (!new TreeMap<>(h.block()).equals(inBlocks)) {
                problems.add(new Problem(
                        "handle",
                        id,
                        "its record counts " + new TreeMap<>(h.block()) + ", the blocks hold " + inBlocks
                                + " (a release by handle frees what the blocks hold)"));
            }
        }
        counted.forEach((id, inBlocks) -> {
            if (!seen.contains(id)) {
                problems.add(new Problem(
                        "handle", id, "the blocks hold " + inBlocks + " under it, but it has no handle record"));
            }
        });
    }

    /** Every endpoint's host addresses (address → endpoint), and every host the datastore still knows. */
    private Set<String> endpoints() {
        Set<String> hosts = new HashSet<>();
        for (Map.Entry<String, String> e :
                DatastoreCheck.below(kv, keys.hosts()).entrySet()) {
            String rest = e.getKey().substring(keys.hosts().length());
            hosts.add(rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest);
            try {
                if (KeyPath.parse(keys, e.getKey()) instanceof KeyPath.Endpoint p) {
                    WorkloadEndpoint w = p.decode(e.getValue());
                    String name = p.host() + "/" + p.orchestrator() + "/" + p.workload() + "/" + p.endpointId();
                    for (List<Cidr> nets : List.of(w.ipv4Nets(), w.ipv6Nets())) {
                        for (Cidr n : nets) {
                            if (n.prefixLength() == n.maxLength()) {
                                endpointOf.putIfAbsent(n, name);
                            }
                        }
                    }
                }
            } catch (IllegalArgumentException ex) {
                // refused by felix too: javactl datastore check lists it
            }
        }
        for (String k : DatastoreCheck.below(kv, keys.bgpHosts()).keySet()) {
            String rest = k.substring(keys.bgpHosts().length());
            hosts.add(rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest);
        }
        return hosts;
    }

    /** Whether IPAM manages {@code ip}: it is in one of the blocks, or in a pool. */
    private boolean inBlockOrPool(Cidr ip, List<AllocationBlock> blocks) {
        for (AllocationBlock b : blocks) {
            if (b.cidr().contains(ip)) {
                return true;
            }
        }
        for (int v : new int[] {4, 6}) {
            for (Map.Entry<String, String> e :
                    DatastoreCheck.below(kv, keys.pools(v)).entrySet()) {
                try {
                    if (KeyPath.parse(keys, e.getKey()) instanceof KeyPath.Pool p
                            && p.cidr().contains(ip)) {
                        return true;
                    }
                } catch (IllegalArgumentException ex) {
                    // a bad pool key: not a pool
                }
            }
        }
        return false;
    }
}
