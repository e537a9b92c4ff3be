package org.calicojava.felix.encap;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ObjIntConsumer;
import org.calicojava.felix.calc.EndpointKey;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;
import org.calicojava.model.LogText;
import org.calicojava.model.WorkloadEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Felix's VXLAN mode, once per programming pass on the dataplane thread: for IPv4 and IPv6, the uplink and local
 * subnet from the kernel, the {@link VxlanCalc calculation}, this host's tunnel records ({@link VxlanAllocator}),
 * then the {@link VxlanDataplane}. Skipped while nothing it depends on changed (the pools, {@link EncapState}, links)
 * unless the last pass failed or {@link #refresh} asked for a full pass; with no VXLAN pool and nothing programmed
 * it costs nothing after the first pass (which removes leftovers of an earlier run). Data problems are logged once
 * each while they last.
 */
public final class VxlanMode {
    private static final Logger LOG = LoggerFactory.getLogger(VxlanMode.class);
    private final String hostname;
    private final EncapState state;
    private final VxlanAllocator allocator;
    private final VxlanDataplane dataplane;
    private final ObjIntConsumer<String> gauges;
    private Set<IpPool> lastPools;
    private long lastChanges = -1;
    private long lastEndpointChanges = -1;
    private boolean dirty = true;
    private boolean failed;
    private final boolean[] active = new boolean[7];
    /** The family had its first pass (leftovers of an earlier run removed). */
    private final boolean[] applied = new boolean[7];

    private Set<String> problems = Set.of();

    /** {@code gauges} receives felix_vxlan_routes and felix_vxlan_remote_vteps after each pass. */
    public VxlanMode(
            String hostname,
            EncapState state,
            VxlanAllocator allocator,
            VxlanDataplane dataplane,
            ObjIntConsumer<String> gauges) {
        this.hostname = hostname;
        this.state = state;
        this.allocator = allocator;
        this.dataplane = dataplane;
        this.gauges = gauges;
    }

    /** Links changed, or a periodic refresh: the next pass reads the kernel again. */
    public void refresh() {
        dirty = true;
    }

    /** Whether the last pass left something to retry. */
    public boolean failed() {
        return failed;
    }

    /** One pass without workloads of other hosts (no borrowed addresses routed); returns the kernel changes. */
    public int program(Collection<IpPool> pools) {
        return program(pools, Map.of(), 0);
    }

    /**
     * One pass; returns the number of kernel changes. {@code endpoints} are the workload endpoints of every host, for
     * the addresses borrowed from another host's block; {@code endpointChanges} moves whenever they change.
     */
    public int program(Collection<IpPool> pools, Map<EndpointKey, WorkloadEndpoint> endpoints, long endpointChanges) {
        Set<IpPool> now = Set.copyOf(pools);
        boolean anyVxlan = now.stream().anyMatch(p -> p.vxlanMode().enabled());
        long endpointsSeen = anyVxlan ? endpointChanges : lastEndpointChanges;
        if (!dirty
                && !failed
                && now.equals(lastPools)
                && state.changes() == lastChanges
                && endpointsSeen == lastEndpointChanges) {
            return 0;
        }
        dirty = false;
        lastPools = now;
        lastChanges = state.changes();
        lastEndpointChanges = endpointsSeen;
        Map<Cidr, String> workloads = anyVxlan ? remoteWorkloads(endpoints) : Map.of();
        boolean fail = false;
        int changes = 0;
        int routes = 0;
        int vteps = 0;
        Set<String> seen = new LinkedHashSet<>();
        for (int v : new int[] {4, 6}) {
            boolean any = pools.stream()
                    .anyMatch(p -> p.cidr().version() == v && p.vxlanMode().enabled());
            Cidr ownIp = state.hostIp(hostname, v);
            VxlanDataplane.Uplink up =
                    any && ownIp != null ? dataplane.uplink(ownIp).orElse(null) : null;
            if (any && ownIp != null && up == null) {
                seen.add("VXLAN IPv" + v + ": no interface has this host's address " + ownIp.ip()
                        + " (no vxlan device)");
            }
            VxlanPlan plan = VxlanCalc.plan(hostname, v, pools, state, up == null ? null : up.subnet(), workloads);
            seen.addAll(plan.problems());
            if (allocator != null && allocator.reconcile(plan, pools)) {
                fail = true; // a datastore failure: retried (a write comes back through the watch instead)
            }
            boolean empty = plan.device() == null && plan.routes().isEmpty();
            if (empty && !active[v] && applied[v]) {
                continue; // nothing wanted, nothing programmed
            }
            applied[v] = true;
            changes += dataplane.apply(plan, up);
            fail |= dataplane.failed();
            active[v] = !empty;
            routes += plan.routes().size();
            vteps += plan.fdb().size();
        }
        Set<String> fresh = new HashSet<>(seen);
        fresh.removeAll(problems);
        fresh.forEach(p -> LOG.warn("datastore problem: {}", LogText.quote(p)));
        problems = seen;
        failed = fail;
        gauges.accept("felix_vxlan_routes", routes);
        gauges.accept("felix_vxlan_remote_vteps", vteps);
        return changes;
    }

    /** Every address of the other hosts' workloads, to its host. */
    private Map<Cidr, String> remoteWorkloads(Map<EndpointKey, WorkloadEndpoint> endpoints) {
        Map<Cidr, String> out = new HashMap<>();
        endpoints.forEach((k, e) -> {
            if (!k.host().equals(hostname)) {
                e.ipv4Nets().forEach(n -> out.put(n, k.host()));
                e.ipv6Nets().forEach(n -> out.put(n, k.host()));
            }
        });
        return out;
    }

    /** Problems of the last pass (for tests and diagnostics). */
    public List<String> problems() {
        return List.copyOf(problems);
    }
}
