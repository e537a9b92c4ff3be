package org.calicojava.felix.calc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;
import org.calicojava.model.KeyPath;
import org.calicojava.model.Keys;
import org.calicojava.model.Policy;
import org.calicojava.model.ProfileRules;
import org.calicojava.model.TierMetadata;
import org.calicojava.model.WorkloadEndpoint;

/**
 * The datastore as far as felix cares, kept from key/value updates under {@code /calico/v1}: every host's workload
 * endpoints (tags and selectors span hosts), profiles (rules, tags, labels), tiers and policies, pools, and felix
 * config (global and this host's). Owned by the agent's dataplane thread.
 */
public final class DatastoreState {
    final Keys keys;
    final String hostname;
    final Map<EndpointKey, WorkloadEndpoint> endpoints = new HashMap<>();
    final Map<String, ProfileRules> profileRules = new HashMap<>();
    final Map<String, List<String>> profileTags = new HashMap<>();
    final Map<String, Map<String, String>> profileLabels = new HashMap<>();
    final Map<String, Double> tierOrders = new HashMap<>();
    final Map<PolicyKey, Policy> policies = new HashMap<>();
    final Map<String, IpPool> pools = new HashMap<>();
    final Map<String, String> globalConfig = new HashMap<>();
    final Map<String, String> hostConfig = new HashMap<>();
    /** This host's endpoints whose record was refused, with the reason (their status is {@code error}). */
    final Map<EndpointKey, String> refusedEndpoints = new HashMap<>();
    /** What changed, for an incremental {@link Calculator}: one entry per applied key, in order. */
    private final List<Change> journal = new ArrayList<>();
    /** Number of changes before {@code journal.get(0)}; {@link #clear} and trimming start a new epoch. */
    private long journalBase;

    private long epoch;
    /** Moves with every endpoint change and {@link #clear}: readers outside the journal (VXLAN) tell staleness. */
    private long endpointChanges;
    /** While {@link #apply} removes what a refused key held. */
    private boolean cleaning;

    static final int JOURNAL_MAX = 100_000;

    /** One entry of the journal: what a calculator must look at again. */
    sealed interface Change permits EndpointChange, ProfileChange, Marker {}

    /** A workload endpoint changed. */
    record EndpointChange(EndpointKey key) implements Change {}

    /** The parts of a profile, each its own key in etcd. */
    enum ProfilePart {
        RULES,
        TAGS,
        LABELS
    }

    /** A change of one part of a profile. */
    record ProfileChange(String profile, ProfilePart part) implements Change {}

    /** Changes of a whole kind: any policy or tier, any pool, any felix config. */
    enum Marker implements Change {
        POLICIES,
        POOLS,
        CONFIG
    }

    public DatastoreState(Keys keys, String hostname) {
        this.keys = keys;
        this.hostname = hostname;
    }

    /** The prefix to list and watch. */
    public String prefix() {
        return keys.v1() + "/";
    }

    /**
     * Applies a put ({@code value} non-null) or delete. Returns whether the key is one felix uses. Bad data throws
     * {@link IllegalArgumentException} with a one-line message and leaves the key absent.
     */
    public boolean apply(String key, String value) {
        try {
            return applyOrThrow(key, value);
        } catch (IllegalArgumentException e) {
            cleaning = true;
            try {
                applyOrThrow(key, null); // what the key held before is gone too
            } catch (IllegalArgumentException badKey) {
                // a bad key was never stored
            } finally {
                cleaning = false;
            }
            throw e;
        }
    }

    private boolean applyOrThrow(String key, String value) {
        if (journal.size() >= JOURNAL_MAX) { // nobody consumed it: calculators behind recalculate fully
            journalBase += journal.size();
            journal.clear();
            epoch++;
        }
        KeyPath path = KeyPath.parse(keys, key); // the shared key parser: a bad segment throws, not ours is null
        if (path == null) {
            return false;
        }
        if (path instanceof KeyPath.Endpoint e) {
            return endpoint(new EndpointKey(e.host(), e.orchestrator(), e.workload(), e.endpointId()), e, value);
        }
        if (path instanceof KeyPath.HostConfig c) {
            if (!c.host().equals(hostname)) {
                return false;
            }
            journal.add(Marker.CONFIG);
            put(hostConfig, c.name(), value == null ? null : decode(c, value));
            return true;
        }
        if (path instanceof KeyPath.GlobalConfig c) {
            journal.add(Marker.CONFIG);
            put(globalConfig, c.name(), value == null ? null : decode(c, value));
            return true;
        }
        if (path instanceof KeyPath.ProfileRulesKey r) {
            journal.add(new ProfileChange(r.profile(), ProfilePart.RULES));
            put(profileRules, r.profile(), value == null ? null : decode(r, value));
            return true;
        }
        if (path instanceof KeyPath.ProfileTags t) {
            journal.add(new ProfileChange(t.profile(), ProfilePart.TAGS));
            put(profileTags, t.profile(), value == null ? null : decode(t, value));
            return true;
        }
        if (path instanceof KeyPath.ProfileLabels l) {
            journal.add(new ProfileChange(l.profile(), ProfilePart.LABELS));
            put(profileLabels, l.profile(), value == null ? null : decode(l, value));
            return true;
        }
        if (path instanceof KeyPath.Tier t) {
            journal.add(Marker.POLICIES);
            put(tierOrders, t.tier(), value == null ? null : orderOf(decode(t, value)));
            return true;
        }
        if (path instanceof KeyPath.TierPolicy tp) {
            journal.add(Marker.POLICIES);
            put(policies, new PolicyKey(tp.tier(), tp.name()), value == null ? null : decode(tp, value));
            return true;
        }
        if (path instanceof KeyPath.Pool pool) {
            journal.add(Marker.POOLS);
            put(pools, key, value == null ? null : decode(pool, value));
            return true;
        }
        return false;
    }

    private boolean endpoint(EndpointKey k, KeyPath.Endpoint path, String value) {
        journal.add(new EndpointChange(k));
        endpointChanges++;
        if (value == null) {
            if (!cleaning) { // a refused record's key stays refused until it is deleted or fixed
                refusedEndpoints.remove(k);
            }
            put(endpoints, k, null);
            return true;
        }
        try {
            put(endpoints, k, EndpointChecks.check(decode(path, value)));
            refusedEndpoints.remove(k);
        } catch (IllegalArgumentException e) {
            if (k.host().equals(hostname)) {
                refusedEndpoints.put(k, e.getMessage());
            }
            throw e;
        }
        return true;
    }

    /** The shared layer's decoding of the value at {@code path}; a value that decodes to nothing is refused too. */
    @SuppressWarnings("unchecked")
    private static <T> T decode(KeyPath path, String value) {
        Object o = path.decode(value);
        if (o == null) {
            throw new IllegalArgumentException("value: null (expected: a record)");
        }
        return (T) o;
    }

    private static Double orderOf(TierMetadata m) {
        Double o = m.order();
        if (o != null && (o.isNaN() || o.isInfinite())) {
            throw new IllegalArgumentException("tier order: " + o + " (expected: a finite number)");
        }
        return o;
    }

    private static <K, V> void put(Map<K, V> map, K key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    /** Forgets everything (before a resync snapshot is applied). */
    public void clear() {
        endpointChanges++;
        journalBase += journal.size();
        journal.clear();
        epoch++;
        endpoints.clear();
        profileRules.clear();
        profileTags.clear();
        profileLabels.clear();
        tierOrders.clear();
        policies.clear();
        pools.clear();
        globalConfig.clear();
        hostConfig.clear();
        refusedEndpoints.clear();
    }

    /** Identifies a run of the journal: changes since {@link #clear} (or trimming). */
    long epoch() {
        return epoch;
    }

    /** Number of changes recorded so far (in this epoch and before). */
    long changeCount() {
        return journalBase + journal.size();
    }

    /** The changes after the first {@code count} (of this epoch), or null when they are no longer kept. */
    List<Change> changesSince(long count) {
        if (count < journalBase || count > changeCount()) {
            return null;
        }
        return journal.subList((int) (count - journalBase), journal.size());
    }

    /** Drops the changes before {@code count} (a calculator has consumed them; one behind recalculates fully). */
    void forgetChangesBefore(long count) {
        if (count == changeCount()) {
            journal.clear();
        } else if (count > journalBase && count < changeCount()) {
            journal.subList(0, (int) (count - journalBase)).clear();
        } else {
            return;
        }
        journalBase = count;
    }

    public String hostname() {
        return hostname;
    }

    /** A number that moves whenever {@link #endpoints} may have changed. */
    public long endpointChanges() {
        return endpointChanges;
    }

    /** Read-only: changes go through {@link #apply} (the calculator follows its journal). */
    public Map<EndpointKey, WorkloadEndpoint> endpoints() {
        return java.util.Collections.unmodifiableMap(endpoints);
    }

    /**
     * The interfaces this host's endpoints claim, as the calculation's interface owners stage will (before any
     * calculation: the dataplane configures their sysctls while the first one runs): those of local active endpoints
     * whose name starts with {@code prefix} (InterfacePrefix).
     */
    public java.util.Set<String> localInterfaces(String prefix) {
        java.util.Set<String> out = new java.util.HashSet<>();
        endpoints.forEach((k, ep) -> {
            if (InterfaceOwners.claims(k, ep, hostname, prefix)) {
                out.add(ep.name());
            }
        });
        return out;
    }

    /** Read-only: changes go through {@link #apply} (the calculator follows its journal). */
    public Map<String, String> globalConfig() {
        return java.util.Collections.unmodifiableMap(globalConfig);
    }

    /** Read-only: changes go through {@link #apply} (the calculator follows its journal). */
    public Map<String, String> hostConfig() {
        return java.util.Collections.unmodifiableMap(hostConfig);
    }

    /** Read-only: changes go through {@link #apply} (the calculator follows its journal). */
    public Map<String, IpPool> pools() {
        return java.util.Collections.unmodifiableMap(pools);
    }

    /** Read-only: changes go through {@link #apply} (the calculator follows its journal). */
    public Map<PolicyKey, Policy> policies() {
        return java.util.Collections.unmodifiableMap(policies);
    }

    /** This host's endpoints whose record was refused, with the reason (read-only). */
    public Map<EndpointKey, String> refusedEndpoints() {
        return java.util.Collections.unmodifiableMap(refusedEndpoints);
    }

    /** For tests and diagnostics: the pool CIDRs. */
    public List<Cidr> poolCidrs() {
        return pools.values().stream().map(IpPool::cidr).sorted().toList();
    }
}
