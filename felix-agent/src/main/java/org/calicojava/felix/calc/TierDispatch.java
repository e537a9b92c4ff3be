package org.calicojava.felix.calc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.TierChains;
import org.calicojava.felix.rules.TierPolicies;
import org.calicojava.model.Policy;
import org.calicojava.model.Selector;

/**
 * The tier dispatch stage of the {@link Calculator}: each family's shared tier chains ({@link TierChains}) for the
 * policies the local endpoints use, in evaluation order, each keyed on its selector's ipset (referenced here in
 * {@link FamilySets}, so the set exists while the dispatch uses it). It reads the {@link PolicyMatcher}'s order and
 * the {@link ActiveRules}' use counts, and runs when either changed; it puts only the chains that differ, so a policy
 * that starts applying to more endpoints changes its set's members and at most its tier's chains.
 */
final class TierDispatch {
    private final PolicyMatcher matcher;
    private final ActiveRules rules;
    private final Map<Integer, PersistentMap.Builder<String, Chain>> filter;
    /** Per family: the selector texts referenced (one per policy in the dispatch) and the chains made. */
    private final Map<Integer, List<String>> refs = new HashMap<>();

    private final Map<Integer, Map<String, Chain>> made = new HashMap<>();

    TierDispatch(PolicyMatcher matcher, ActiveRules rules, Map<Integer, PersistentMap.Builder<String, Chain>> filter) {
        this.matcher = matcher;
        this.rules = rules;
        this.filter = filter;
    }

    void reset() {
        refs.clear();
        made.clear();
    }

    /** Makes each family's tier chains again from the current policies and their use; puts those that changed. */
    void update(FamilySets[] fams, Collection<EndpointIndex.Ep> eps) {
        for (FamilySets f : fams) {
            int v = f.version;
            List<String> sels = new ArrayList<>();
            Map<String, List<TierChains.Applied>> tiers = new LinkedHashMap<>();
            for (Map.Entry<PolicyKey, Policy> e : matcher.ordered()) {
                PolicyKey k = e.getKey();
                String text = e.getValue().selector();
                Selector sel = rules.uses(k) ? matcher.selector(text, "policy " + k.tier() + "/" + k.name()) : null;
                if (sel == null) {
                    continue;
                }
                sels.add(text);
                tiers.computeIfAbsent(k.tier(), t -> new ArrayList<>())
                        .add(new TierChains.Applied(
                                TierPolicies.policyId(k.tier(), k.name()),
                                k.name(),
                                ChainNames.selectorSet(v, sel.canonical())));
            }
            List<TierChains.Tier> list = tiers.entrySet().stream()
                    .map(t -> new TierChains.Tier(t.getKey(), t.getValue()))
                    .toList();
            sels.forEach(x -> f.selectorRef(x, matcher.selector(x, "policy"), 1, eps)); // new first: kept, not re-made
            refs.getOrDefault(v, List.of()).forEach(x -> f.selectorRef(x, matcher.selector(x, "policy"), -1, eps));
            refs.put(v, sels);
            Map<String, Chain> now = new HashMap<>();
            TierChains.inbound(list).forEach(c -> now.put(c.name(), c));
            TierChains.outbound(list).forEach(c -> now.put(c.name(), c));
            Map<String, Chain> before = made.getOrDefault(v, Map.of());
            PersistentMap.Builder<String, Chain> table = filter.get(v);
            for (String name : before.keySet()) {
                if (!now.containsKey(name)) {
                    table.remove(name);
                }
            }
            for (Chain c : now.values()) {
                if (!c.equals(before.get(c.name()))) {
                    table.put(c.name(), c);
                }
            }
            made.put(v, now);
        }
    }
}
