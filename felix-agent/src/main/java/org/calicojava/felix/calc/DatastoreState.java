package org.calicojava.felix.calc;

import com.fasterxml.jackson.core.type.TypeReference;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;
import org.calicojava.model.Policy;
import org.calicojava.model.ProfileRules;
import org.calicojava.model.TierMetadata;
import org.calicojava.model.WorkloadEndpoint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The datastore as far as felix cares, kept from key/value updates under {@code /calico/v1}: every host's workload
 * endpoints (tags and selectors span hosts), profiles (rules, tags, labels), tiers and policies, pools, and felix
 * config (global and this host's). Owned by the agent's dataplane thread.
 */
public final class DatastoreState {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() { };
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
    private final List<Object> journal = new ArrayList<>();
    /** Number of changes before {@code journal.get(0)}; {@link #clear} and trimming start a new epoch. */
    private long journalBase;
    private long epoch;
    /** While {@link #apply} removes what a refused key held. */
    private boolean cleaning;
    static final int JOURNAL_MAX = 100_000;

    /** A change of one part ("rules", "tags", "labels") of a profile. */
    record ProfileChange(String profile, String part) {
    }

    /** Marker journal entries. */
    enum Change { POLICIES, POOLS, CONFIG }

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
        if (key.startsWith(keys.hosts())) {
            return host(key.substring(keys.hosts().length()).split("/", -1), value);
        }
        if (key.startsWith(keys.profiles())) {
            String[] p = key.substring(keys.profiles().length()).split("/", -1);
            if (p.length != 2) {
                return false;
            }
            switch (p[1]) {
                case "rules", "tags", "labels" -> journal.add(new ProfileChange(p[0], p[1]));
                default -> {
                    return false;
                }
            }
            Names.check("profile", p[0]);
            switch (p[1]) {
                case "rules" -> put(profileRules, p[0], value == null ? null : read(value, ProfileRules.class));
                case "tags" -> put(profileTags, p[0], value == null ? null : tags(readJson(value, STRINGS, "profile tags")));
                case "labels" -> put(profileLabels, p[0], value == null ? null : labels(readJson(value, LABELS, "labels")));
                default -> {
                    return false;
                }
            }
            return true;
        }
        if (key.startsWith(keys.tiers())) {
            String[] p = key.substring(keys.tiers().length()).split("/", -1);
            if (p.length == 2 && p[1].equals("metadata")) {
                journal.add(Change.POLICIES);
                Names.check("tier", p[0]);
                put(tierOrders, p[0], value == null ? null : orderOf(read(value, TierMetadata.class)));
                return true;
            }
            if (p.length == 3 && p[1].equals("policy")) {
                journal.add(Change.POLICIES);
                PolicyKey k = new PolicyKey(Names.check("tier", p[0]), Names.check("policy", p[2]));
                put(policies, k, value == null ? null : read(value, Policy.class));
                return true;
            }
            return false;
        }
        for (int v : new int[]{4, 6}) {
            if (key.startsWith(keys.pools(v))) {
                journal.add(Change.POOLS);
                put(pools, key, value == null ? null : read(value, IpPool.class));
                return true;
            }
        }
        if (key.startsWith(keys.felixConfigs())) {
            String name = key.substring(keys.felixConfigs().length());
            if (name.startsWith("/")) {
                name = name.substring(1);
            }
            journal.add(Change.CONFIG);
            put(globalConfig, configName(name), value == null ? null : value.strip());
            return true;
        }
        return false;
    }

    private boolean host(String[] p, String value) {
        // HOST/workload/ORCH/WL/endpoint/ID or HOST/config/NAME
        if (p.length == 6 && p[1].equals("workload") && p[4].equals("endpoint")) {
            EndpointKey k = new EndpointKey(Names.check("host", p[0]), Names.check("orchestrator", p[2]),
                    Names.check("workload", p[3]), Names.check("endpoint", p[5]));
            journal.add(k);
            if (value == null) {
                if (!cleaning) { // a refused record's key stays refused until it is deleted or fixed
                    refusedEndpoints.remove(k);
                }
                put(endpoints, k, null);
                return true;
            }
            try {
                put(endpoints, k, EndpointChecks.check(read(value, WorkloadEndpoint.class)));
                refusedEndpoints.remove(k);
            } catch (IllegalArgumentException e) {
                if (k.host().equals(hostname)) {
                    refusedEndpoints.put(k, e.getMessage());
                }
                throw e;
            }
            return true;
        }
        if (p.length == 3 && p[1].equals("config") && p[0].equals(hostname)) {
            journal.add(Change.CONFIG);
            put(hostConfig, configName(p[2]), value == null ? null : value.strip());
            return true;
        }
        return false;
    }

    private static Double orderOf(TierMetadata m) {
        Double o = m.order();
        if (o != null && (o.isNaN() || o.isInfinite())) {
            throw new IllegalArgumentException("tier order: " + o + " (expected: a finite number)");
        }
        return o;
    }

    /** A config name (one key segment: letters and digits, as Felix's settings are named). */
    private static String configName(String name) {
        if (!name.matches("[A-Za-z0-9]{1,64}")) {
            throw new IllegalArgumentException("config name: " + LogText.quote(name)
                    + " (expected: 1-64 letters and digits)");
        }
        return name;
    }

    /** {@link Json#read}, but a value that parses to nothing (JSON {@code null}) is refused too. */
    static <T> T read(String value, Class<T> type) {
        T t = Json.read(value, type);
        if (t == null) {
            throw new IllegalArgumentException("invalid " + type.getSimpleName() + " JSON: null (expected: an object)");
        }
        return t;
    }

    private static <T> T readJson(String value, TypeReference<T> type, String what) {
        T t;
        try {
            t = Json.MAPPER.readValue(value, type);
        } catch (Exception e) {
            throw new IllegalArgumentException("invalid " + what + " JSON");
        }
        if (t == null) {
            throw new IllegalArgumentException("invalid " + what + " JSON: null");
        }
        return t;
    }

    private static List<String> tags(List<String> tags) {
        for (String t : tags) {
            Names.check("tag", t);
        }
        return tags;
    }

    private static Map<String, String> labels(Map<String, String> labels) {
        labels.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new IllegalArgumentException("labels: null key or value");
            }
        });
        return labels;
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
    List<Object> changesSince(long count) {
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

    /** Read-only: changes go through {@link #apply} (the calculator follows its journal). */
    public Map<EndpointKey, WorkloadEndpoint> endpoints() {
        return java.util.Collections.unmodifiableMap(endpoints);
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
