package org.calicojava.felix.calc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.calicojava.felix.rules.TierPolicies;
import org.calicojava.model.Policy;
import org.calicojava.model.Selector;

/**
 * The policy-matching stage of the {@link Calculator}: the tiered policies in evaluation order (tier order, tier
 * name, policy order, policy name; no order sorts last), which of them select an endpoint's labels, and the parsed
 * selectors (cached by text; a selector that does not parse is reported once and selects nothing).
 */
final class PolicyMatcher {
    private final Consumer<String> onProblem;
    private final Map<String, Selector> selectors = new HashMap<>();
    private List<Map.Entry<PolicyKey, Policy>> ordered = List.of();
    private Map<PolicyKey, Policy> lastPolicies = Map.of();

    PolicyMatcher(Consumer<String> onProblem) {
        this.onProblem = onProblem;
    }

    void reset() {
        ordered = List.of();
        lastPolicies = Map.of();
    }

    /**
     * Takes the state's policies: the keys of changed policies go to {@code dirtyRules}; returns the policies whose
     * selector changed, or that came or went (each local endpoint is matched again against those only: an order
     * change alone changes no endpoint's policies, only the tier chains).
     */
    Set<PolicyKey> update(DatastoreState s, Set<Object> dirtyRules) {
        ordered = orderedPolicies(s);
        Set<PolicyKey> all = new HashSet<>(lastPolicies.keySet());
        all.addAll(s.policies.keySet());
        Set<PolicyKey> reselect = new HashSet<>();
        for (PolicyKey k : all) {
            Policy before = lastPolicies.get(k);
            Policy now = s.policies.get(k);
            if (before != now) {
                dirtyRules.add(k);
                if (before == null || now == null || !before.selector().equals(now.selector())) {
                    reselect.add(k);
                }
            }
        }
        lastPolicies = new HashMap<>(s.policies);
        return reselect;
    }

    /** Whether policy {@code k} (as the state has it now) selects {@code labels}; false when gone or invalid. */
    boolean selects(PolicyKey k, Map<String, String> labels) {
        Policy p = lastPolicies.get(k);
        if (p == null) {
            return false;
        }
        Selector sel = selector(p.selector(), "policy " + k.tier() + "/" + k.name());
        return sel != null && sel.matches(labels);
    }

    /** The policies in evaluation order. */
    List<Map.Entry<PolicyKey, Policy>> ordered() {
        return ordered;
    }

    /** The tiers of policies (in order) whose selectors match {@code labels}; their keys go to {@code matched}. */
    List<TierPolicies> match(Map<String, String> labels, List<PolicyKey> matched) {
        Map<String, List<String>> tiers = new LinkedHashMap<>();
        for (Map.Entry<PolicyKey, Policy> p : ordered) {
            Selector sel = selector(
                    p.getValue().selector(),
                    "policy " + p.getKey().tier() + "/" + p.getKey().name());
            if (sel == null || !sel.matches(labels)) {
                continue;
            }
            tiers.computeIfAbsent(p.getKey().tier(), t -> new ArrayList<>())
                    .add(p.getKey().name());
            matched.add(p.getKey());
        }
        return tiers.entrySet().stream()
                .map(t -> new TierPolicies(t.getKey(), t.getValue()))
                .toList();
    }

    /** The parsed selector, or null (reported to onProblem with {@code where}) when it does not parse. */
    Selector selector(String text, String where) {
        Selector sel = selectors.get(text);
        if (sel == null && !selectors.containsKey(text)) {
            try {
                sel = Selector.parse(text);
            } catch (IllegalArgumentException e) {
                onProblem.accept(where + ": " + e.getMessage());
            }
            selectors.put(text, sel);
        }
        return sel;
    }

    private static List<Map.Entry<PolicyKey, Policy>> orderedPolicies(DatastoreState s) {
        Comparator<Double> nullsLast = Comparator.nullsLast(Comparator.naturalOrder());
        return s.policies.entrySet().stream()
                .sorted(Comparator.comparing(
                                (Map.Entry<PolicyKey, Policy> e) ->
                                        s.tierOrders.get(e.getKey().tier()),
                                nullsLast)
                        .thenComparing(e -> e.getKey().tier())
                        .thenComparing(e -> e.getValue().order(), nullsLast)
                        .thenComparing(e -> e.getKey().name()))
                .map(e -> Map.entry(e.getKey(), e.getValue()))
                .toList();
    }
}
