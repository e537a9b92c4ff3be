package org.calicojava.felix.calc;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.model.IpPool;
import org.calicojava.model.WorkloadEndpoint;

/**
 * Two small stages of the calculation: the pool ipsets (every pool's CIDR, and the pools whose traffic is masqueraded)
 * per family, and an endpoint's effective labels (its profiles' labels overridden by its own). Pure.
 */
final class PoolSets {
    private PoolSets() {}

    /** Puts the all-pools and masquerade-pools sets of each family into {@code ipsets} where they changed. */
    static void update(DatastoreState s, FamilySets[] fams, PersistentMap.Builder<String, IpSetSpec> ipsets) {
        for (FamilySets f : fams) {
            int v = f.version;
            Set<String> all = new HashSet<>();
            Set<String> masq = new HashSet<>();
            for (IpPool p : s.pools.values()) {
                if (p.cidr().version() == v) {
                    all.add(p.cidr().toString());
                    if (p.masquerade() && !p.disabled()) {
                        masq.add(p.cidr().toString());
                    }
                }
            }
            for (IpSetSpec spec : List.of(
                    new IpSetSpec(ChainNames.allPoolsSet(v), v, all),
                    new IpSetSpec(ChainNames.masqPoolsSet(v), v, masq))) {
                if (!spec.equals(ipsets.get(spec.name()))) {
                    ipsets.put(spec.name(), spec);
                }
            }
        }
    }

    /** Profile labels, overridden by the endpoint's own. */
    static Map<String, String> labels(DatastoreState s, WorkloadEndpoint ep) {
        boolean anyProfileLabels = ep.profileIds().stream().anyMatch(s.profileLabels::containsKey);
        if (!anyProfileLabels) {
            return ep.labels();
        }
        Map<String, String> m = new HashMap<>();
        ep.profileIds().forEach(p -> m.putAll(s.profileLabels.getOrDefault(p, Map.of())));
        m.putAll(ep.labels());
        return m;
    }
}
