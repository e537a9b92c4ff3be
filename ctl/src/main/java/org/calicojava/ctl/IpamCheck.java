package org.calicojava.ctl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.calicojava.ipam.AllocationBlock;
import org.calicojava.ipam.IpamHandle;
import org.calicojava.ipam.TunnelAddress;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.KeyPath;
import org.calicojava.model.Keys;
import org.calicojava.model.WorkloadEndpoint;

/**
 * IPAM against what uses its addresses, as {@code calicoctl ipam check} does, over one snapshot. The users of an
 * address are the endpoint records that carry it and the nodes whose tunnel address it is (felix's host config
 * keys of {@link TunnelAddress}: {@code IpInIpTunnelAddr}, {@code IPv4VXLANTunnelAddr}, {@code IPv6VXLANTunnelAddr}).
 * Reported: addresses allocated that no user has (leaked, or a workload being set up or torn down), addresses a user
 * has that IPAM has not allocated inside a pool (it may hand them out again), addresses with several users, handle
 * records whose per-block counts differ from the blocks, and blocks affine to a host the datastore no longer knows.
 * Records a daemon would refuse (damaged blocks and handles) are left to {@link DatastoreCheck}, and nothing inside a
 * damaged block is judged. Pure: the caller lists the keys; {@link #users} is also what {@code ipam release
 * --from-report} checks each address against just before it releases it.
 */
final class IpamCheck {
    // the kinds of problem, as printed (and as a report names them)
    static final String LEAKED = "leaked";
    static final String NOT_ALLOCATED = "not allocated";
    static final String DUPLICATE = "duplicate";
    static final String HANDLE = "handle";
    static final String ORPHANED_BLOCK = "orphaned block";
    static final Set<String> KINDS = Set.of(LEAKED, NOT_ALLOCATED, DUPLICATE, HANDLE, ORPHANED_BLOCK);

    /**
     * One problem: its kind, the address or key it is about, and what was found (untrusted text, for one line); a
     * leaked address also has its allocation (else null).
     */
    record Problem(String kind, String subject, String detail, Allocation allocation) {
        Problem(String kind, String subject, String detail) {
            this(kind, subject, detail, null);
        }
    }

    /** An allocated address as IPAM holds it: its block, its handle (or null), its attributes. */
    record Allocation(Cidr address, Cidr block, String handle, Map<String, String> attributes) {
        Allocation {
            attributes = Map.copyOf(attributes);
        }
    }

    /** The report's counts: addresses allocated, addresses in use (by endpoints and tunnels). */
    record Counts(int allocated, int inUse) {}

    private final Keys keys;
    private final NavigableMap<String, String> kv;
    final List<Problem> problems = new ArrayList<>();
    private int allocated;
    /** address → its users ("endpoint h1/cni/w/eth0", "node h1's IpInIpTunnelAddr"), in key order. */
    private Map<Cidr, List<String>> users = Map.of();
    /** Hosts with a key under /v1/host, /bgp/v1/host or /felix/v1/host. */
    private final Set<String> hosts = new HashSet<>();

    IpamCheck(Keys keys, NavigableMap<String, String> kv) {
        this.keys = keys;
        this.kv = kv;
    }

    Counts counts() {
        return new Counts(allocated, users.size());
    }

    /** Runs every check; the problems are in {@link #problems}. */
    IpamCheck run() {
        for (String root : List.of(keys.hosts(), keys.bgpHosts(), keys.felixStatusRoot())) {
            hosts.addAll(DatastoreCheck.children(kv, root));
        }
        users = users(keys, kv);
        Map<String, Map<String, Integer>> handleCounts = new HashMap<>(); // handle → block → allocations
        Set<Cidr> allocatedAddresses = new HashSet<>();
        List<AllocationBlock> blocks = new ArrayList<>();
        List<Cidr> damaged = new ArrayList<>();
        for (int v : new int[] {4, 6}) {
            for (Map.Entry<String, String> e :
                    DatastoreCheck.below(kv, keys.ipamBlocks(v)).entrySet()) {
                try {
                    blocks.add(AllocationBlock.read(keys, e.getKey(), e.getValue()));
                } catch (IllegalArgumentException ex) {
                    damaged(e.getKey(), damaged); // javactl datastore check lists it
                }
            }
        }
        for (AllocationBlock b : blocks) {
            if (b.host() != null && !hosts.contains(b.host())) {
                problems.add(new Problem(
                        ORPHANED_BLOCK,
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
                allocation(ip, b.cidr(), a);
            }
        }
        users.forEach((ip, who) -> {
            if (who.size() > 1) {
                problems.add(new Problem(DUPLICATE, ip.ip(), String.join(" and ", who) + " all have it"));
            }
            if (!allocatedAddresses.contains(ip) && inPoolOrBlock(ip, blocks) && !inAny(ip, damaged)) {
                problems.add(new Problem(
                        NOT_ALLOCATED,
                        ip.ip(),
                        who.get(0) + " has it, IPAM has not allocated it: it may be handed out again"));
            }
        });
        handles(handleCounts);
        return this;
    }

    private static void damaged(String key, List<Cidr> damaged) {
        try {
            damaged.add(Cidr.parse(Keys.lastSegment(key), true));
        } catch (IllegalArgumentException notABlockKey) {
            // holds nothing IPAM would use
        }
    }

    /** An allocated address: in use when a user has it; a tunnel allocation only by the node and setting it names. */
    private void allocation(Cidr ip, Cidr block, AllocationBlock.Attribute a) {
        List<String> who = users.getOrDefault(ip, List.of());
        Optional<TunnelAddress> tunnel = TunnelAddress.ofType(a.secondary().get("type"));
        String node = a.secondary().get("node");
        String what = (a.handleId() == null ? "no handle" : "handle " + a.handleId())
                + (a.secondary().isEmpty() ? "" : ", " + new TreeMap<>(a.secondary()));
        Allocation leak = new Allocation(ip, block, a.handleId(), a.secondary());
        if (tunnel.isPresent() && node != null) {
            String owner = tunnelUser(node, tunnel.get().configKey());
            if (!who.contains(owner)) {
                problems.add(new Problem(LEAKED, ip.ip(), what + ": " + owner + " does not name it", leak));
            }
        } else if (who.isEmpty()) {
            problems.add(new Problem(
                    LEAKED,
                    ip.ip(),
                    what + ": no endpoint has it (or its workload is being set up or torn down)",
                    leak));
        }
    }

    private static String tunnelUser(String node, String setting) {
        return "node " + node + "'s " + setting;
    }

    /** Each handle record against the allocations made under it. */
    private void handles(Map<String, Map<String, Integer>> counted) {
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, String> e :
                DatastoreCheck.below(kv, keys.ipamHandles()).entrySet()) {
            String id = e.getKey().substring(keys.ipamHandles().length());
            seen.add(id);
            Map<String, Integer> recorded = new TreeMap<>();
            try {
                Json.read(e.getValue(), IpamHandle.class)
                        .block()
                        .forEach((block, n) -> recorded.merge(Cidr.parse(block).toString(), n, Integer::sum));
            } catch (IllegalArgumentException ex) {
                continue; // a damaged record: javactl datastore check lists it
            }
            recorded.values().removeIf(n -> n == 0);
            Map<String, Integer> inBlocks = counted.getOrDefault(id, Map.of());
            if (!recorded.equals(inBlocks)) {
                problems.add(new Problem(
                        HANDLE,
                        id,
                        "its record counts " + recorded + ", the blocks hold " + inBlocks
                                + " (ipam release --handle frees only in the blocks its record names; the others "
                                + "need ipam release --ip)"));
            }
        }
        counted.forEach((id, inBlocks) -> {
            if (!seen.contains(id)) {
                problems.add(new Problem(
                        HANDLE,
                        id,
                        "the blocks hold " + inBlocks + " under it, but it has no handle record (ipam release "
                                + "--handle frees nothing of it; ipam release --ip does)"));
            }
        });
    }

    /**
     * The users of every address, from the keys under {@code /v1/host} in {@code kv} (the others are not read): the
     * endpoint records that carry it as a host address, and the nodes whose tunnel address it is (felix's host config
     * keys of {@link TunnelAddress}). A record felix would refuse is no user. Address → users, in key order.
     */
    static Map<Cidr, List<String>> users(Keys keys, NavigableMap<String, String> kv) {
        Map<Cidr, List<String>> users = new TreeMap<>();
        for (Map.Entry<String, String> e :
                DatastoreCheck.below(kv, keys.hosts()).entrySet()) {
            try {
                KeyPath path = KeyPath.parse(keys, e.getKey());
                if (path instanceof KeyPath.Endpoint p) {
                    WorkloadEndpoint w = p.decode(e.getValue());
                    String name =
                            "endpoint " + p.host() + "/" + p.orchestrator() + "/" + p.workload() + "/" + p.endpointId();
                    for (List<Cidr> nets : List.of(w.ipv4Nets(), w.ipv6Nets())) {
                        for (Cidr n : nets) {
                            if (n.prefixLength() == n.maxLength()) {
                                use(users, n, name);
                            }
                        }
                    }
                } else if (path instanceof KeyPath.HostConfig c
                        && TunnelAddress.ofConfigKey(c.name()).isPresent()) {
                    use(users, Cidr.host(e.getValue().strip()), tunnelUser(c.host(), c.name()));
                }
            } catch (IllegalArgumentException ex) {
                // refused by felix too: javactl datastore check lists it
            }
        }
        return users;
    }

    private static void use(Map<Cidr, List<String>> users, Cidr ip, String user) {
        List<String> who = users.computeIfAbsent(ip, k -> new ArrayList<>());
        if (!who.contains(user)) {
            who.add(user);
        }
    }

    private static boolean inAny(Cidr ip, List<Cidr> nets) {
        for (Cidr n : nets) {
            if (n.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    /** Whether IPAM manages {@code ip}: it is in a pool, or in one of the blocks. */
    private boolean inPoolOrBlock(Cidr ip, List<AllocationBlock> blocks) {
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
