package org.calicojava.felix.dataplane;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.calc.PersistentMap;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.DispatchTree;

/**
 * The iptables rendering of the dispatch by interface. The calculation gives the interfaces that have endpoint
 * chains ({@code DesiredDataplane.interfaces}: each has {@code cali-tw-IF} and {@code cali-fw-IF}); this adds the
 * two dispatch chain trees that lead to them ({@link DispatchTree}: {@code -i IF -g cali-fw-IF}, a tree by the next
 * character of the names above 32 interfaces) to each family's filter table, following the changes only. Calico's
 * felix renders its dispatch chains in the dataplane driver too; the nftables backend renders the same dispatch as
 * two verdict maps ({@code NftModel}). Owned by the dataplane thread.
 */
final class DispatchChains {
    private final DispatchTree from = DispatchTree.from();
    private final DispatchTree to = DispatchTree.to();
    private Map<String, ?> ifaces = Map.of();
    /** Per IP version: the calculated filter table last given, and it with the dispatch chains. */
    private final Map<Integer, Map<String, Chain>> lastIn = new HashMap<>();

    private final Map<Integer, PersistentMap<String, Chain>> lastOut = new HashMap<>();
    /** Per family with a table: the dispatch chains that changed (null: went) since it was last made. */
    private final Map<Integer, Map<String, Chain>> pending = new HashMap<>();

    /** Brings both trees up to date with {@code interfaces} (the interfaces that have endpoint chains). */
    void update(Map<String, ?> interfaces) {
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        Map<String, ?> before = ifaces;
        PersistentMap.changedKeys(
                before,
                interfaces,
                k -> { // also those whose owner changed: in both
                    if (!interfaces.containsKey(k)) {
                        removed.add(k);
                    } else if (!before.containsKey(k)) {
                        added.add(k);
                    }
                });
        ifaces = interfaces;
        Map<String, Chain> changed = new HashMap<>();
        List<String> gone = new ArrayList<>();
        from.update(added, removed, changed, gone);
        to.update(added, removed, changed, gone);
        gone.forEach(name -> changed.put(name, null));
        for (int v : lastIn.keySet()) { // a family without a table yet starts from the whole trees
            pending.computeIfAbsent(v, x -> new HashMap<>()).putAll(changed);
        }
    }

    /**
     * The IPv{@code version} filter table {@code filter} with the dispatch chains (an empty table stays empty: that
     * family has no policy); only what changed since the last call for this family is looked at.
     */
    Map<String, Chain> filter(int version, Map<String, Chain> filter) {
        if (filter.isEmpty()) {
            lastIn.remove(version);
            lastOut.remove(version);
            pending.remove(version);
            return filter;
        }
        Map<String, Chain> in = lastIn.get(version);
        Map<String, Chain> changes = pending.getOrDefault(version, Map.of());
        if (in == filter && changes.isEmpty()) {
            return lastOut.get(version); // nothing changed: the same map
        }
        PersistentMap.Builder<String, Chain> out;
        if (in == null) {
            out = PersistentMap.<String, Chain>empty().toBuilder();
            filter.forEach(out::put);
            from.chains().forEach(c -> out.put(c.name(), c));
            to.chains().forEach(c -> out.put(c.name(), c));
        } else {
            out = lastOut.get(version).toBuilder();
            PersistentMap.changedKeys(in, filter, k -> {
                Chain c = filter.get(k);
                if (c == null) {
                    out.remove(k);
                } else {
                    out.put(k, c);
                }
            });
            changes.forEach((name, c) -> {
                if (c == null) {
                    out.remove(name);
                } else {
                    out.put(name, c);
                }
            });
        }
        pending.remove(version);
        PersistentMap<String, Chain> result = out.build();
        lastIn.put(version, filter);
        lastOut.put(version, result);
        return result;
    }
}
