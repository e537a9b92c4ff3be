package org.calicojava.felix.calc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.model.Cidr;
import org.calicojava.model.WorkloadEndpoint;

/**
 * The endpoint index, first stage of the {@link Calculator}: every endpoint of every host (tags and selectors span
 * hosts) as the calculation sees it ({@link Ep}: its effective labels, its profiles' tags, its addresses per family,
 * the selector sets it is in and the interface it claims), and which endpoints use each profile. It reads the
 * state's endpoints, profile tags and profile labels; it produces the entries that {@link FamilySets} counts into
 * ipsets, {@link InterfaceOwners} takes claims from and {@link RuleChains} scans when a selector set is made, and the
 * endpoints to recalculate when a profile's tags or labels change ({@link #usersOf}).
 */
final class EndpointIndex {
    private final Map<EndpointKey, Ep> eps = new HashMap<>();
    private final Map<String, Set<EndpointKey>> byProfile = new HashMap<>();

    /** What one endpoint (of any host) contributes. */
    static final class Ep {
        final EndpointKey key;
        final WorkloadEndpoint ep;
        final Map<String, String> labels;
        /** Its profiles' tags (repeated when several profiles carry one). */
        final List<String> tags = new ArrayList<>();

        final List<String> nets4;
        final List<String> nets6;
        /** Selector sets it was found in (refreshed when a set comes back). */
        final Set<String> selectorSets = new HashSet<>();

        /** The interface it claims ({@link InterfaceOwners}), null when none (another host's, or not active). */
        String claimed;

        Ep(EndpointKey key, WorkloadEndpoint ep, Map<String, String> labels) {
            this.key = key;
            this.ep = ep;
            this.labels = labels;
            this.nets4 = ep.ipv4Nets().stream().map(Cidr::toString).toList();
            this.nets6 = ep.ipv6Nets().stream().map(Cidr::toString).toList();
        }

        Collection<String> nets(int v) {
            return v == 4 ? nets4 : nets6;
        }
    }

    void clear() {
        eps.clear();
        byProfile.clear();
    }

    /** Takes endpoint {@code k} out of the index; its entry (to remove its contributions), or null when absent. */
    Ep remove(EndpointKey k) {
        Ep old = eps.remove(k);
        if (old != null) {
            for (String p : old.ep.profileIds()) {
                Set<EndpointKey> ks = byProfile.get(p);
                if (ks != null && ks.remove(k) && ks.isEmpty()) {
                    byProfile.remove(p);
                }
            }
        }
        return old;
    }

    /** Indexes endpoint {@code k} as {@code ep} with its profiles' labels and tags in {@code s}. */
    Ep add(DatastoreState s, EndpointKey k, WorkloadEndpoint ep) {
        Ep e = new Ep(k, ep, labels(s, ep));
        for (String p : ep.profileIds()) {
            e.tags.addAll(s.profileTags.getOrDefault(p, List.of()));
            byProfile.computeIfAbsent(p, x -> new HashSet<>()).add(k);
        }
        eps.put(k, e);
        return e;
    }

    Ep get(EndpointKey k) {
        return eps.get(k);
    }

    /** Every indexed endpoint (a live view). */
    Collection<Ep> all() {
        return eps.values();
    }

    /** The endpoints that list profile {@code p} (a live view; empty when none). */
    Set<EndpointKey> usersOf(String p) {
        return byProfile.getOrDefault(p, Set.of());
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
