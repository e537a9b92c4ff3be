package org.calicojava.felix.calc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.DispatchTree;
import org.calicojava.felix.rules.EndpointChains;
import org.calicojava.felix.rules.StaticChains;
import org.calicojava.felix.rules.TierPolicies;
import org.calicojava.model.Cidr;
import org.calicojava.model.Policy;
import org.calicojava.model.ProfileRules;
import org.calicojava.model.Rule;
import org.calicojava.model.WorkloadEndpoint;

/**
 * The pure calculation: {@link DatastoreState} + {@link FelixConfig} to {@link DesiredDataplane}: routes and policy
 * for IPv4 and (with {@code Ipv6Support}, the default) IPv6. The per-endpoint chains are the same for both
 * families; policy and profile chains are rendered per family ({@link RuleChains}: a rule limited to the other
 * family by its nets or ICMP protocol renders to nothing), tags and selectors become {@code cali4-}/{@code cali6-}
 * ipsets of the endpoints' IPv4/IPv6 addresses, and each family gets its raw anti-spoofing chain. No I/O. Problems
 * in the data (a bad selector, an unknown profile) go to {@code onProblem} (when the affected item is calculated)
 * and the affected rule or policy is skipped.
 *
 * <p>Incremental: the first run (and any run after {@link DatastoreState#clear}, with another state or another
 * config) calculates everything; later runs read the state's journal of changed keys and recalculate only what
 * they affect: a changed endpoint (any host) its own routes, chains, interface claim and ipset memberships; a
 * profile's tags or labels the endpoints that use it; a policy's rules its chains; a change of the policies'
 * order or selectors re-matches the local endpoints. The result's maps are {@link PersistentMap}s that share
 * everything unchanged with the previous run's (readers find the changed keys cheaply), and unchanged chains are
 * the same objects. Owned by the caller's thread.
 */
public final class Calculator {
    private final Consumer<String> onProblem;
    private final PolicyMatcher matcher;
    private final RuleChains ruleChains;

    private DatastoreState src;
    private FelixConfig cfg;
    private long epoch;
    private long seen;

    private final Map<EndpointKey, Ep> eps = new HashMap<>();
    private final Map<String, Set<EndpointKey>> byProfile = new HashMap<>();
    private final Map<String, TreeSet<EndpointKey>> claims = new HashMap<>();
    private final Map<String, Owner> owners = new HashMap<>();
    private final Map<Cidr, TreeMap<EndpointKey, String>> routeClaims = new HashMap<>();
    private final Set<String> profilesWithRules = new HashSet<>();
    private final Map<PolicyKey, Integer> policyUse = new HashMap<>();
    private final Map<String, Integer> profileUse = new HashMap<>();
    private FamilySets[] fams = {};
    private DispatchTree fromTree;
    private DispatchTree toTree;

    private PersistentMap.Builder<Cidr, String> routes;
    private PersistentMap.Builder<String, EndpointKey> interfaces;
    private PersistentMap.Builder<String, IpSetSpec> ipsets;
    private final Map<Integer, PersistentMap.Builder<String, Chain>> filter = new HashMap<>();
    private final Map<Integer, PersistentMap.Builder<String, Chain>> nat = new HashMap<>();
    private final Map<Integer, PersistentMap.Builder<String, Chain>> raw = new HashMap<>();

    /** Per run. */
    private Set<Object> dirtyRules;
    /** The policies' order or selectors changed: every owner is matched again. */
    private boolean rematch;

    private Map<String, Owner> retired;

    /** A profile's rules, as a key of {@link RuleChains} beside policy keys. */
    private record ProfileId(String name) {}

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

    /** The local active endpoint that owns an interface: its routes and chains. */
    private record Owner(
            EndpointKey key,
            String iface,
            List<Cidr> routed,
            List<PolicyKey> matched,
            List<TierPolicies> tiers,
            List<String> profiles,
            Chain tw,
            Chain fw) {}

    public Calculator(Consumer<String> onProblem) {
        this.onProblem = onProblem;
        this.matcher = new PolicyMatcher(onProblem);
        this.ruleChains = new RuleChains(onProblem, matcher::selector);
    }

    public DesiredDataplane calculate(DatastoreState s, FelixConfig cfg) {
        List<DatastoreState.Change> changes =
                s == src && cfg.equals(this.cfg) && s.epoch() == epoch ? s.changesSince(seen) : null;
        src = null; // until this run completes: a failure midway makes the next run start afresh
        dirtyRules = new HashSet<>();
        retired = new HashMap<>();
        Set<EndpointKey> dirtyEps = new LinkedHashSet<>();
        Set<String> dirtyProfiles = new HashSet<>();
        boolean policiesChanged = true;
        boolean poolsChanged = true;
        if (changes == null) {
            reset(s, cfg);
            dirtyEps.addAll(s.endpoints.keySet());
            profilesWithRules.addAll(s.profileRules.keySet());
        } else {
            policiesChanged = false;
            poolsChanged = false;
            for (DatastoreState.Change c : changes) {
                if (c instanceof DatastoreState.EndpointChange e) {
                    dirtyEps.add(e.key());
                } else if (c instanceof DatastoreState.ProfileChange p) {
                    if (p.part() == DatastoreState.ProfilePart.RULES) {
                        dirtyProfiles.add(p.profile());
                    } else {
                        dirtyEps.addAll(byProfile.getOrDefault(p.profile(), Set.of()));
                    }
                } else if (c == DatastoreState.Marker.POLICIES) {
                    policiesChanged = true;
                } else if (c == DatastoreState.Marker.POOLS) {
                    poolsChanged = true;
                }
            }
        }
        for (String p : dirtyProfiles) {
            dirtyRules.add(new ProfileId(p));
            boolean exists = s.profileRules.containsKey(p);
            if (exists != profilesWithRules.contains(p)) { // endpoint chains list only profiles that have rules
                dirtyEps.addAll(byProfile.getOrDefault(p, Set.of()));
                if (exists) {
                    profilesWithRules.add(p);
                } else {
                    profilesWithRules.remove(p);
                }
            }
        }
        rematch = policiesChanged && matcher.update(s, dirtyRules);
        endpoints(s, cfg, dirtyEps);
        for (Object id : dirtyRules) {
            rules(s, id);
        }
        if (poolsChanged) {
            PoolSets.update(s, fams, ipsets);
        }
        for (FamilySets f : fams) {
            for (String set : f.drainDirty()) {
                Set<String> members = f.members(set);
                IpSetSpec old = ipsets.get(set);
                if (members == null) {
                    ipsets.remove(set);
                } else if (old == null || old.members() != members) { // members: the same object while unchanged
                    ipsets.put(set, new IpSetSpec(set, f.version, members));
                }
            }
        }
        src = s;
        this.cfg = cfg;
        epoch = s.epoch();
        seen = s.changeCount();
        s.forgetChangesBefore(seen);
        retired = null;
        PersistentMap<String, Chain> none = PersistentMap.empty();
        boolean v6 = filter.containsKey(6);
        return new DesiredDataplane(
                routes.build(),
                interfaces.build(),
                filter.get(4).build(),
                nat.get(4).build(),
                ipsets.build(),
                raw.get(4).build(),
                v6 ? filter.get(6).build() : none,
                v6 ? nat.get(6).build() : none,
                v6 ? raw.get(6).build() : none);
    }

    private void reset(DatastoreState s, FelixConfig cfg) {
        eps.clear();
        byProfile.clear();
        claims.clear();
        owners.clear();
        routeClaims.clear();
        matcher.reset();
        profilesWithRules.clear();
        policyUse.clear();
        profileUse.clear();
        ruleChains.clear();
        fams = cfg.ipv6Support()
                ? new FamilySets[] {new FamilySets(4), new FamilySets(6)}
                : new FamilySets[] {new FamilySets(4)};
        fromTree = DispatchTree.from();
        toTree = DispatchTree.to();
        routes = PersistentMap.<Cidr, String>empty().toBuilder();
        interfaces = PersistentMap.<String, EndpointKey>empty().toBuilder();
        ipsets = PersistentMap.<String, IpSetSpec>empty().toBuilder();
        filter.clear();
        nat.clear();
        raw.clear();
        for (FamilySets f : fams) {
            int v = f.version;
            filter.put(v, PersistentMap.<String, Chain>empty().toBuilder());
            nat.put(v, PersistentMap.<String, Chain>empty().toBuilder());
            raw.put(v, PersistentMap.<String, Chain>empty().toBuilder());
            StaticChains.filter(v, cfg.interfacePrefix(), cfg.endpointToHostAction())
                    .forEach(c -> filter.get(v).put(c.name(), c));
            StaticChains.nat(v).forEach(c -> nat.get(v).put(c.name(), c));
            StaticChains.raw(cfg.interfacePrefix()).forEach(c -> raw.get(v).put(c.name(), c));
        }
    }

    private void endpoints(DatastoreState s, FelixConfig cfg, Set<EndpointKey> dirty) {
        Set<String> touched = new LinkedHashSet<>();
        for (EndpointKey k : dirty) {
            Ep old = eps.remove(k);
            if (old != null) {
                for (FamilySets f : fams) {
                    f.endpoint(old, -1);
                }
                for (String p : old.ep.profileIds()) {
                    Set<EndpointKey> ks = byProfile.get(p);
                    if (ks != null && ks.remove(k) && ks.isEmpty()) {
                        byProfile.remove(p);
                    }
                }
                if (old.claimed != null) {
                    TreeSet<EndpointKey> c = claims.get(old.claimed);
                    c.remove(k);
                    if (c.isEmpty()) {
                        claims.remove(old.claimed);
                    }
                    touched.add(old.claimed);
                }
            }
            WorkloadEndpoint ep = s.endpoints.get(k);
            if (ep != null) {
                Ep e = new Ep(k, ep, PoolSets.labels(s, ep));
                for (String p : ep.profileIds()) {
                    e.tags.addAll(s.profileTags.getOrDefault(p, List.of()));
                    byProfile.computeIfAbsent(p, x -> new HashSet<>()).add(k);
                }
                for (FamilySets f : fams) {
                    f.endpoint(e, 1);
                }
                if (k.host().equals(s.hostname) && ep.state().equals("active")) {
                    e.claimed = ep.name();
                    claims.computeIfAbsent(ep.name(), x -> new TreeSet<>()).add(k);
                    touched.add(ep.name());
                }
                eps.put(k, e);
            }
        }
        if (rematch) { // every owner matched again (its memberships stay)
            touched.addAll(owners.keySet());
        }
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> newOwners = new ArrayList<>();
        // every owner that goes is removed before any new one is added: an endpoint moving from interface A to B
        // would otherwise lose the route claims made at B when A is processed after B (claims are by endpoint)
        for (String iface : touched) {
            TreeSet<EndpointKey> c = claims.get(iface);
            EndpointKey want = c == null ? null : c.first();
            Owner cur = owners.get(iface);
            boolean had = cur != null;
            if (cur != null && want != null && cur.key().equals(want) && !dirty.contains(cur.key())) {
                if (rematch) {
                    rematch(cur, eps.get(want));
                }
            } else {
                if (cur != null) {
                    removeOwner(cur);
                }
                if (want != null) {
                    newOwners.add(iface);
                }
            }
            if (c != null) {
                c.tailSet(want, false)
                        .forEach(k -> onProblem.accept(
                                "endpoint " + k + ": interface " + iface + " already used by " + want));
            }
            if (had && want == null) {
                removed.add(iface);
            } else if (!had && want != null) {
                added.add(iface);
            }
        }
        for (String iface : newOwners) {
            addOwner(s, cfg, iface, eps.get(claims.get(iface).first()));
        }
        Map<String, Chain> changed = new HashMap<>();
        List<String> gone = new ArrayList<>();
        fromTree.update(added, removed, changed, gone);
        toTree.update(added, removed, changed, gone);
        for (PersistentMap.Builder<String, Chain> f : filter.values()) {
            gone.forEach(f::remove);
            changed.forEach(f::put);
        }
    }

    private void addOwner(DatastoreState s, FelixConfig cfg, String iface, Ep e) {
        WorkloadEndpoint ep = e.ep;
        List<Cidr> routed = new ArrayList<>(ep.ipv4Nets());
        if (cfg.ipv6Support()) { // off: no IPv6 dataplane for workloads at all (no unpoliced /128 routes)
            routed.addAll(ep.ipv6Nets());
        }
        for (Cidr n : routed) {
            routeClaims.computeIfAbsent(n, x -> new TreeMap<>()).put(e.key, iface);
            route(n);
        }
        interfaces.put(iface, e.key);
        List<PolicyKey> matched = new ArrayList<>();
        List<TierPolicies> frozen = matcher.match(e.labels, matched);
        List<String> profiles = new ArrayList<>();
        for (String p : ep.profileIds()) {
            if (s.profileRules.containsKey(p)) {
                profiles.add(p);
            } else {
                onProblem.accept("endpoint " + e.key + ": profile " + p + " has no rules (yet)");
            }
        }
        Owner prev = retired.get(iface);
        Owner o = prev != null && prev.tiers().equals(frozen) && prev.profiles().equals(profiles)
                ? new Owner(e.key, iface, routed, matched, frozen, profiles, prev.tw(), prev.fw())
                : new Owner(
                        e.key,
                        iface,
                        routed,
                        matched,
                        frozen,
                        profiles,
                        EndpointChains.toWorkload(iface, frozen, profiles),
                        EndpointChains.fromWorkload(iface, frozen, profiles));
        for (PersistentMap.Builder<String, Chain> f : filter.values()) {
            f.put(o.tw().name(), o.tw());
            f.put(o.fw().name(), o.fw());
        }
        use(matched, 1);
        for (String p : profiles) {
            if (profileUse.merge(p, 1, Integer::sum) == 1) {
                dirtyRules.add(new ProfileId(p));
            }
        }
        owners.put(iface, o);
    }

    private void removeOwner(Owner o) {
        for (Cidr n : o.routed()) {
            TreeMap<EndpointKey, String> c = routeClaims.get(n);
            c.remove(o.key());
            if (c.isEmpty()) {
                routeClaims.remove(n);
            }
            route(n);
        }
        interfaces.remove(o.iface());
        for (PersistentMap.Builder<String, Chain> f : filter.values()) {
            f.remove(o.tw().name());
            f.remove(o.fw().name());
        }
        use(o.matched(), -1);
        for (String p : o.profiles()) {
            if (profileUse.merge(p, -1, (a, b) -> a + b == 0 ? null : a + b) == null) {
                dirtyRules.add(new ProfileId(p));
            }
        }
        owners.remove(o.iface());
        retired.put(o.iface(), o);
    }

    /** An unchanged owner after the policies' order or selectors changed: new chains only if its tiers differ. */
    private void rematch(Owner o, Ep e) {
        List<PolicyKey> matched = new ArrayList<>();
        List<TierPolicies> frozen = matcher.match(e.labels, matched);
        if (frozen.equals(o.tiers())) {
            return;
        }
        Owner n = new Owner(
                o.key(),
                o.iface(),
                o.routed(),
                matched,
                frozen,
                o.profiles(),
                EndpointChains.toWorkload(o.iface(), frozen, o.profiles()),
                EndpointChains.fromWorkload(o.iface(), frozen, o.profiles()));
        for (PersistentMap.Builder<String, Chain> f : filter.values()) {
            f.put(n.tw().name(), n.tw());
            f.put(n.fw().name(), n.fw());
        }
        use(matched, 1);
        use(o.matched(), -1);
        owners.put(o.iface(), n);
    }

    /** Counts local endpoints using policies; a policy's chains are (re)rendered when it starts or stops being used. */
    private void use(List<PolicyKey> keys, int delta) {
        for (PolicyKey k : keys) {
            Integer n = policyUse.merge(k, delta, (a, b) -> a + b == 0 ? null : a + b);
            if (n == null || (delta > 0 && n == 1)) {
                dirtyRules.add(k);
            }
        }
    }

    /** A route goes to the interface of the last endpoint (in key order) that has the address. */
    private void route(Cidr n) {
        TreeMap<EndpointKey, String> c = routeClaims.get(n);
        if (c == null) {
            routes.remove(n);
        } else {
            routes.put(n, c.lastEntry().getValue());
        }
    }

    /** (Re)renders the chains of one policy or profile if it is used, else removes them. */
    private void rules(DatastoreState s, Object id) {
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
        ruleChains.update(id, inName, outName, in, out, fams, filter, eps.values());
    }
}
