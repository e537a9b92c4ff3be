package org.calicojava.felix.calc;

import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.calicojava.model.Policy;
import org.calicojava.model.Selector;

/**
 * The policy-matching stage of the {@link Calculator}: the tiered policies in evaluation order (tier order, tier
 * name, policy order, policy name; no order sorts last), which of them select an endpoint's labels, and the parsed
 * selectors (cached by text, up to {@value #MAX_CACHED} texts, after which the cache starts again empty, so that
 * policies rewritten with ever new selectors do not grow it without end; a selector that does not parse is reported
 * once while it is cached, and selects nothing).
 */
final class PolicyMatcher {
    static final int MAX_CACHED = 50_000;
    private final Consumer<String> onProblem;
    private final Map<String, Selector> selectors = new HashMap<>();
    private List<Map.Entry<PolicyKey, Policy>> ordered = List.of();
    private Map<PolicyKey, Policy> lastPolicies = Map.of();

    PolicyMatcher(Consumer<String> onProblem) {
        this.onProblem = onProblem;
    }

    /** Selector texts cached now. */
    int cachedSelectors() {
        return selectors.size();
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
        Policy p = lastPolicies.get(k); // the state's policies, as taken by the last update
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

    /** The policies whose selectors match {@code labels}. */
    Set<PolicyKey> match(Map<String, String> labels) {
        Set<PolicyKey> out = new HashSet<>();
        for (Map.Entry<PolicyKey, Policy> p : ordered) {
            if (selects(p.getKey(), labels)) {
                out.add(p.getKey());
            }
        }
        return out;
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
            if (selectors.size() >= MAX_CACHED) {
                selectors.clear();
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
