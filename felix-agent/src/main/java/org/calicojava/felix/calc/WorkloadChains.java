package org.calicojava.felix.calc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.EndpointChains;
import org.calicojava.felix.rules.Rule;
import org.calicojava.model.WorkloadEndpoint;

/**
 * The workload chains stage of the {@link Calculator}: for each owned interface, the policies its endpoint matches,
 * its profiles that have rules, and its {@code cali-tw-}/{@code cali-fw-} chains (which list only the profiles: the
 * policies are reached through the shared {@link TierDispatch}). What leads to them, the dispatch by interface, is
 * rendered by each backend from the result's interfaces (iptables: a chain tree; nftables: two verdict maps), as
 * Calico's felix renders its dispatch chains in the dataplane driver. It reads the owner {@link
 * InterfaceOwners.Decision}s, the {@link PolicyMatcher} and the state's profile rules; it produces those chains in
 * each family's filter table and tells {@link ActiveRules} which policies and profiles the owners start or stop
 * using. An owner that goes and comes back in the same run with the same profiles keeps its chain objects, so
 * unchanged chains stay the same objects.
 */
final class WorkloadChains {
    private final Consumer<String> onProblem;
    private final PolicyMatcher matcher;
    private final ActiveRules rules;
    private final Map<Integer, PersistentMap.Builder<String, Chain>> filter;

    private final Map<String, Owned> owned = new HashMap<>();
    /** Owners removed in this run, by interface: their chains are reused by a new owner with the same policy. */
    private Map<String, Owned> retired = new HashMap<>();

    /**
     * The chains of one owned interface and what they were made from; {@code matched} (the policies selecting the
     * endpoint, for the use counts) is kept up to date in place by {@link #rematch}.
     */
    private record Owned(
            EndpointKey key,
            Map<String, String> labels,
            Set<PolicyKey> matched,
            List<String> profiles,
            Chain tw,
            Chain fw) {}

    /** {@code filter}: each family's filter table of the result, shared with the {@link Calculator}. */
    WorkloadChains(
            Consumer<String> onProblem,
            PolicyMatcher matcher,
            ActiveRules rules,
            Map<Integer, PersistentMap.Builder<String, Chain>> filter) {
        this.onProblem = onProblem;
        this.matcher = matcher;
        this.rules = rules;
        this.filter = filter;
    }

    void reset() {
        owned.clear();
    }

    /** Starts a run: nothing retired yet. */
    void startRun() {
        retired = new HashMap<>();
        shared.clear();
    }

    /** Ends a run: retired chains are not reused by later runs. */
    void endRun() {
        retired = null;
        shared.clear();
    }

    /**
     * Within a run: the endpoint chain rules of each direction and profile list, made once and shared by every
     * endpoint with those profiles (one list instead of 20,000 at 10,000 endpoints; the nft model renders a list it
     * has seen in the same build once).
     */
    private final Map<List<Object>, List<Rule>> shared = new HashMap<>();

    private List<Rule> endpointRules(boolean inbound, List<String> profiles) {
        return shared.computeIfAbsent(List.of(inbound, profiles), k -> EndpointChains.rules(inbound, profiles));
    }

    /** Endpoint {@code e} owns {@code iface} now: its chains (reused from a retired owner when they would be equal). */
    void add(DatastoreState s, String iface, EndpointIndex.Ep e) {
        WorkloadEndpoint ep = e.ep;
        Set<PolicyKey> matched = matcher.match(e.labels);
        List<String> profiles = new ArrayList<>();
        for (String p : ep.profileIds()) {
            if (s.profileRules.containsKey(p)) {
                profiles.add(p);
            } else {
                onProblem.accept("endpoint " + e.key + ": profile " + p + " has no rules (yet)");
            }
        }
        Owned prev = retired.get(iface);
        Owned o = prev != null && prev.profiles().equals(profiles)
                ? new Owned(e.key, e.labels, matched, profiles, prev.tw(), prev.fw())
                : new Owned(
                        e.key,
                        e.labels,
                        matched,
                        profiles,
                        new Chain(ChainNames.of(ChainNames.TO_WL, iface), endpointRules(true, profiles)),
                        new Chain(ChainNames.of(ChainNames.FROM_WL, iface), endpointRules(false, profiles)));
        put(o);
        rules.usePolicies(matched, 1);
        rules.useProfiles(profiles, 1);
        owned.put(iface, o);
    }

    /** The owner of {@code iface} leaves it: its chains go (kept aside for this run). */
    void remove(String iface) {
        Owned o = owned.remove(iface);
        for (PersistentMap.Builder<String, Chain> f : filter.values()) {
            f.remove(o.tw().name());
            f.remove(o.fw().name());
        }
        rules.usePolicies(o.matched(), -1);
        rules.useProfiles(o.profiles(), -1);
        retired.put(iface, o);
    }

    /**
     * Policies whose selectors changed (or that came or went): each owner's policies follow, and the use counts; one
     * selector evaluation per owner and changed policy. The chains stay: they do not list policies.
     */
    void rematch(Set<PolicyKey> changed) {
        for (PolicyKey k : changed) {
            List<PolicyKey> one = List.of(k);
            for (Owned o : owned.values()) {
                boolean now = matcher.selects(k, o.labels());
                if (now != o.matched().contains(k)) {
                    if (now) {
                        o.matched().add(k);
                    } else {
                        o.matched().remove(k);
                    }
                    rules.usePolicies(one, now ? 1 : -1);
                }
            }
        }
    }

    private void put(Owned o) {
        for (PersistentMap.Builder<String, Chain> f : filter.values()) {
            f.put(o.tw().name(), o.tw());
            f.put(o.fw().name(), o.fw());
        }
    }
}
