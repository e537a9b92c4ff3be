package org.calicojava.felix.calc;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.StaticChains;
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
 * <p>Incremental: the first run (and any run after {@link DatastoreState#clear}, with another state, or with
 * another value of a setting it reads: {@code Ipv6Support}, {@code InterfacePrefix}, {@code
 * DefaultEndpointToHostAction}) calculates everything; later runs read the state's journal of changed keys and
 * recalculate only what they affect: a changed endpoint (any host) its own routes, chains, interface claim and
 * ipset memberships; a profile's tags or labels the endpoints that use it; a policy's rules its chains; a policy's
 * selector (or the policy coming or going) is matched again against each local endpoint, that policy only. The
 * result's maps are {@link PersistentMap}s that share everything unchanged with the previous run's (readers find
 * the changed keys cheaply), and unchanged chains are the same objects. Owned by the caller's thread.
 *
 * <p>The calculation is a graph of stages, run in this order (as Felix's calc graph): the {@link EndpointIndex}
 * (every endpoint's labels, tags and addresses), whose entries feed the tag and selector ipsets ({@link FamilySets})
 * and claim interfaces at the {@link InterfaceOwners}; the {@link PolicyMatcher} (policies in order, selectors); the
 * owners' chains ({@link WorkloadChains}) and their {@link RouteClaims}; the shared {@link TierDispatch} to the
 * policies in use; the {@link ActiveRules} (chains of the policies and profiles in use, {@link RuleChains}); the
 * {@link PoolSets}. This class only wires them and collects their outputs into a {@link DesiredDataplane}.
 */
public final class Calculator {
    private final PolicyMatcher matcher;
    private final EndpointIndex index = new EndpointIndex();
    private final InterfaceOwners owners;
    private final RouteClaims routes = new RouteClaims();
    private final ActiveRules rules;
    private final WorkloadChains chains;
    private final TierDispatch tiers;

    private DatastoreState src;
    private Settings cfg;
    private long epoch;
    private long seen;

    private FamilySets[] fams = {};
    private PersistentMap.Builder<String, IpSetSpec> ipsets;
    private final Map<Integer, PersistentMap.Builder<String, Chain>> filter = new HashMap<>();
    private final Map<Integer, PersistentMap.Builder<String, Chain>> nat = new HashMap<>();
    private final Map<Integer, PersistentMap.Builder<String, Chain>> raw = new HashMap<>();

    public Calculator(Consumer<String> onProblem) {
        this.matcher = new PolicyMatcher(onProblem);
        this.owners = new InterfaceOwners(onProblem);
        this.rules = new ActiveRules(new RuleChains(onProblem, matcher::selector));
        this.chains = new WorkloadChains(onProblem, matcher, rules, filter);
        this.tiers = new TierDispatch(matcher, rules, filter);
    }

    /**
     * The settings the calculation reads, and only those: another value of any other (a refresh interval, a port)
     * leaves the next run incremental.
     */
    private record Settings(boolean ipv6Support, String interfacePrefix, String endpointToHostAction) {
        static Settings of(FelixConfig c) {
            return new Settings(c.ipv6Support(), c.interfacePrefix(), c.endpointToHostAction());
        }
    }

    public DesiredDataplane calculate(DatastoreState s, FelixConfig config) {
        Settings cfg = Settings.of(config);
        List<DatastoreState.Change> changes =
                s == src && cfg.equals(this.cfg) && s.epoch() == epoch ? s.changesSince(seen) : null;
        src = null; // until this run completes: a failure midway makes the next run start afresh
        rules.startRun();
        chains.startRun();
        Set<EndpointKey> dirtyEps = new LinkedHashSet<>();
        Set<String> dirtyProfiles = new HashSet<>();
        boolean policiesChanged = true;
        boolean poolsChanged = true;
        if (changes == null) {
            reset(s, cfg);
            dirtyEps.addAll(s.endpoints.keySet());
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
                        dirtyEps.addAll(index.usersOf(p.profile()));
                    }
                } else if (c == DatastoreState.Marker.POLICIES) {
                    policiesChanged = true;
                } else if (c == DatastoreState.Marker.POOLS) {
                    poolsChanged = true;
                }
            }
        }
        for (String p : dirtyProfiles) {
            if (rules.profileChanged(s, p)) { // endpoint chains list only profiles that have rules
                dirtyEps.addAll(index.usersOf(p));
            }
        }
        Set<PolicyKey> reselected = policiesChanged ? matcher.update(s, rules.dirty()) : Set.of();
        endpoints(s, cfg, dirtyEps);
        if (changes != null && !reselected.isEmpty()) {
            chains.rematch(reselected);
        }
        if (policiesChanged || rules.policiesDirty()) { // policiesChanged: always in a full calculation
            tiers.update(fams, index.all());
        }
        rules.render(s, fams, filter, index.all());
        if (poolsChanged) {
            PoolSets.update(s, fams, ipsets);
        }
        ipsets();
        src = s;
        this.cfg = cfg;
        epoch = s.epoch();
        seen = s.changeCount();
        s.forgetChangesBefore(seen);
        chains.endRun();
        PersistentMap<String, Chain> none = PersistentMap.empty();
        boolean v6 = filter.containsKey(6);
        return new DesiredDataplane(
                routes.routes(),
                owners.interfaces(),
                filter.get(4).build(),
                nat.get(4).build(),
                ipsets.build(),
                raw.get(4).build(),
                v6 ? filter.get(6).build() : none,
                v6 ? nat.get(6).build() : none,
                v6 ? raw.get(6).build() : none);
    }

    private void reset(DatastoreState s, Settings cfg) {
        index.clear();
        owners.reset();
        routes.reset();
        matcher.reset();
        rules.reset(s);
        chains.reset();
        tiers.reset();
        fams = cfg.ipv6Support()
                ? new FamilySets[] {new FamilySets(4), new FamilySets(6)}
                : new FamilySets[] {new FamilySets(4)};
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

    /**
     * The changed endpoints through the index, the ipsets' members and the interface claims; then every interface
     * whose owner changes: the old owner's routes and chains go first (all of them: an endpoint moving from
     * interface A to B would otherwise lose the route claims made at B when A is processed after B), then the new
     * owners' come.
     */
    private void endpoints(DatastoreState s, Settings cfg, Set<EndpointKey> dirty) {
        for (EndpointKey k : dirty) {
            EndpointIndex.Ep old = index.remove(k);
            if (old != null) {
                for (FamilySets f : fams) {
                    f.endpoint(old, -1);
                }
                owners.release(old);
            }
            WorkloadEndpoint ep = s.endpoints.get(k);
            if (ep != null) {
                EndpointIndex.Ep e = index.add(s, k, ep);
                for (FamilySets f : fams) {
                    f.endpoint(e, 1);
                }
                owners.claim(e, s.hostname, cfg.interfacePrefix());
            }
        }
        List<InterfaceOwners.Decision> decisions = owners.resolve(dirty);
        for (InterfaceOwners.Decision d : decisions) {
            if (d.replace() && d.current() != null) {
                routes.release(d.iface());
                chains.remove(d.iface());
            }
        }
        for (InterfaceOwners.Decision d : decisions) {
            if (d.replace() && d.wanted() != null) {
                EndpointIndex.Ep e = index.get(d.wanted());
                routes.claim(d.iface(), e.key, RouteClaims.nets(e.ep, cfg.ipv6Support()));
                chains.add(s, d.iface(), e);
            }
        }
    }

    /** Each family's tag and selector sets whose members or existence changed, into the result's ipsets. */
    private void ipsets() {
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
    }
}
