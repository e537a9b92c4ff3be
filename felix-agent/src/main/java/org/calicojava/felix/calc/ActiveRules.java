package org.calicojava.felix.calc;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.TierPolicies;
import org.calicojava.model.Policy;
import org.calicojava.model.ProfileRules;
import org.calicojava.model.Rule;

/**
 * The active rules stage of the {@link Calculator}: which policies and profiles the local interface owners use
 * (counted), which profiles have rules, and which policies' and profiles' chains must be rendered again in this run
 * (their rules changed, or they started or stopped being used). It reads the use counts from {@link WorkloadChains},
 * the changed policies from {@link PolicyMatcher} and the state's policies and profile rules; it produces, through
 * {@link RuleChains}, the {@code cali-pi-}/{@code cali-po-} and {@code cali-pri-}/{@code cali-pro-} chains of each
 * family for every policy and profile in use (removed when unused) and the tag and selector references that keep
 * their ipsets.
 */
final class ActiveRules {
    private final RuleChains ruleChains;
    private final Set<String> profilesWithRules = new HashSet<>();
    private final Map<PolicyKey, Integer> policyUse = new HashMap<>();
    private final Map<String, Integer> profileUse = new HashMap<>();
    /** Policy keys and {@link ProfileId}s whose chains are rendered again (or removed) at {@link #render}. */
    private Set<Object> dirty = new HashSet<>();

    /** A profile's rules, as a key of {@link RuleChains} beside policy keys. */
    private record ProfileId(String name) {}

    ActiveRules(RuleChains ruleChains) {
        this.ruleChains = ruleChains;
    }

    /** Forgets everything (a full calculation follows); the profiles of {@code s} with rules are known. */
    void reset(DatastoreState s) {
        profilesWithRules.clear();
        policyUse.clear();
        profileUse.clear();
        ruleChains.clear();
        profilesWithRules.addAll(s.profileRules.keySet());
    }

    /** Starts a run: nothing to render yet. */
    void startRun() {
        dirty = new HashSet<>();
    }

    /** The keys to render this run, for {@link PolicyMatcher#update} to add the changed policies to. */
    Set<Object> dirty() {
        return dirty;
    }

    /** Whether a policy's chains are rendered again this run (its rules, or whether it is used, changed). */
    boolean policiesDirty() {
        return dirty.stream().anyMatch(k -> k instanceof PolicyKey);
    }

    /**
     * Profile {@code p}'s rules changed (or went, or came): its chains are rendered again; true when it gained or
     * lost its rules, so the endpoint chains listing it (only profiles with rules are listed) must be made again.
     */
    boolean profileChanged(DatastoreState s, String p) {
        dirty.add(new ProfileId(p));
        boolean exists = s.profileRules.containsKey(p);
        if (exists == profilesWithRules.contains(p)) {
            return false;
        }
        if (exists) {
            profilesWithRules.add(p);
        } else {
            profilesWithRules.remove(p);
        }
        return true;
    }

    /** Counts a local owner using ({@code delta} 1) or leaving (-1) policies; chains follow the first and last. */
    void usePolicies(Collection<PolicyKey> keys, int delta) {
        for (PolicyKey k : keys) {
            Integer n = policyUse.merge(k, delta, (a, b) -> a + b == 0 ? null : a + b);
            if (n == null || (delta > 0 && n == 1)) {
                dirty.add(k);
            }
        }
    }

    /** Counts a local owner using ({@code delta} 1) or leaving (-1) profiles; chains follow the first and last. */
    void useProfiles(List<String> profiles, int delta) {
        for (String p : profiles) {
            if (delta > 0) {
                if (profileUse.merge(p, 1, Integer::sum) == 1) {
                    dirty.add(new ProfileId(p));
                }
            } else if (profileUse.merge(p, -1, (a, b) -> a + b == 0 ? null : a + b) == null) {
                dirty.add(new ProfileId(p));
            }
        }
    }

    /** Renders (or removes) the chains of every policy and profile marked in this run into {@code filter}. */
    void render(
            DatastoreState s,
            FamilySets[] fams,
            Map<Integer, PersistentMap.Builder<String, Chain>> filter,
            Collection<EndpointIndex.Ep> eps) {
        for (Object id : dirty) {
            rules(s, id, fams, filter, eps);
        }
    }

    /** (Re)renders the chains of one policy or profile if it is used, else removes them. */
    private void rules(
            DatastoreState s,
            Object id,
            FamilySets[] fams,
            Map<Integer, PersistentMap.Builder<String, Chain>> filter,
            Collection<EndpointIndex.Ep> eps) {
        String inName;
        String outName;
        List<Rule> in = null;
        List<Rule> out = null;
        if (id instanceof PolicyKey k) {
            String pid = TierPolicies.policyId(k.tier(), k.name());
            inName = ChainNames.of(ChainNames.POLICY_IN, pid);
            outName = ChainNames.of(ChainNames.POLICY_OUT, pid);
            Policy p = s.policies.get(k);
            if (p != null && policyUse.containsKey(k)) {
                in = p.inboundRules();
                out = p.outboundRules();
            }
        } else {
            String name = ((ProfileId) id).name();
            inName = ChainNames.of(ChainNames.PROFILE_IN, name);
            outName = ChainNames.of(ChainNames.PROFILE_OUT, name);
            ProfileRules r = s.profileRules.get(name);
            if (r != null && profileUse.containsKey(name)) {
                in = r.inboundRules();
                out = r.outboundRules();
            }
        }
        ruleChains.update(id, inName, outName, in, out, fams, filter, eps);
    }

    /** Whether policy {@code k} is used by a local owner (for tests). */
    boolean uses(PolicyKey k) {
        return policyUse.containsKey(k);
    }

    /** Whether profile {@code p} is used by a local owner (for tests). */
    boolean usesProfile(String p) {
        return profileUse.containsKey(p);
    }
}
