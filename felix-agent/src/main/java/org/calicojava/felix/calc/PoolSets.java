package org.calicojava.felix.calc;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.model.IpPool;

/**
 * The pool sets, last stage of the {@link Calculator}: it reads the state's IP pools and produces, per family, the
 * all-pools ipset (every pool's CIDR) and the masquerade-pools ipset (the enabled pools whose traffic is
 * masqueraded), written into the result's ipsets only where they changed. Pure.
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
}
