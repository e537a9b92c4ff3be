package org.calicojava.felix.calc;

import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.EndpointChains;
import org.calicojava.felix.rules.RuleRenderer;
import org.calicojava.felix.rules.StaticChains;
import org.calicojava.felix.rules.TierPolicies;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;
import org.calicojava.model.Policy;
import org.calicojava.model.ProfileRules;
import org.calicojava.model.WorkloadEndpoint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The pure calculation: {@link DatastoreState} + {@link FelixConfig} to {@link DesiredDataplane}: routes and policy
 * for IPv4 and (with {@code Ipv6Support}, the default) IPv6. The per-endpoint chains are the same for both
 * families; policy and profile chains are rendered per family ({@link RuleRenderer}: a rule limited to the other
 * family by its nets or ICMP protocol renders to nothing), tags and selectors become {@code cali4-}/{@code cali6-}
 * ipsets of the endpoints' IPv4/IPv6 addresses, and each family gets its raw anti-spoofing chain. No I/O. Problems in the data (a bad selector, an unknown profile) go to {@code onProblem} and
 * the affected rule or policy is skipped. Keeps caches of rendered chains between runs (owned by the caller's thread).
 */
public final class Calculator {
    private final RuleRenderer renderer4 = new RuleRenderer(4);
    private final RuleRenderer renderer6 = new RuleRenderer(6);
    private final Consumer<String> onProblem;
    private Map<Object, Chain> chainCache = new HashMap<>();
    private Map<Object, Chain> nextCache = new HashMap<>();
    private final Map<String, Selector> selectors = new HashMap<>();
    private List<String> dispatchIfaces;
    private List<Chain> dispatchChains = List.of();
    /** Per IP version: endpoint (by identity: records from the datastore are replaced on change) to its nets as text. */
    private final Map<Integer, Map<WorkloadEndpoint, List<String>>> netStrings = Map.of(
            4, new java.util.IdentityHashMap<>(), 6, new java.util.IdentityHashMap<>());

    public Calculator(Consumer<String> onProblem) {
        this.onProblem = onProblem;
    }

    public DesiredDataplane calculate(DatastoreState s, FelixConfig cfg) {
        nextCache = new HashMap<>();
        Map<Cidr, String> routes = new HashMap<>();
        Map<String, EndpointKey> ifaces = new TreeMap<>();
        Map<String, Chain> endpointChains = new LinkedHashMap<>();
        List<Map.Entry<PolicyKey, Policy>> ordered = orderedPolicies(s);
        Map<EndpointKey, Map<String, String>> labelCache = new HashMap<>();
        Set<PolicyKey> usedPolicies = new HashSet<>();
        Set<String> usedProfiles = new HashSet<>();

        for (Map.Entry<EndpointKey, WorkloadEndpoint> e : new TreeMap<>(s.endpoints).entrySet()) {
            WorkloadEndpoint ep = e.getValue();
            if (!e.getKey().host().equals(s.hostname) || !ep.state().equals("active")) {
                continue;
            }
            EndpointKey dup = ifaces.putIfAbsent(ep.name(), e.getKey());
            if (dup != null) {
                onProblem.accept("endpoint " + e.getKey() + ": interface " + ep.name() + " already used by " + dup);
                continue;
            }
            ep.ipv4Nets().forEach(n -> routes.put(n, ep.name()));
            if (cfg.ipv6Support()) { // off: no IPv6 dataplane for workloads at all (no unpoliced /128 routes)
                ep.ipv6Nets().forEach(n -> routes.put(n, ep.name()));
            }
            Map<String, String> labels = labels(s, e.getKey(), ep, labelCache);
            Map<String, List<String>> tiers = new LinkedHashMap<>();
            for (Map.Entry<PolicyKey, Policy> p : ordered) {
                Selector sel = selector(p.getValue().selector(), "policy " + p.getKey().tier() + "/" + p.getKey().name());
                if (sel == null || !sel.matches(labels)) {
                    continue;
                }
                tiers.computeIfAbsent(p.getKey().tier(), t -> new ArrayList<>()).add(p.getKey().name());
                usedPolicies.add(p.getKey());
            }
            List<TierPolicies> frozen = tiers.entrySet().stream()
                    .map(t -> new TierPolicies(t.getKey(), t.getValue())).toList();
            List<String> profiles = new ArrayList<>();
            for (String p : ep.profileIds()) {
                if (s.profileRules.containsKey(p)) {
                    profiles.add(p);
                    usedProfiles.add(p);
                } else {
                    onProblem.accept("endpoint " + e.getKey() + ": profile " + p + " has no rules (yet)");
                }
            }
            endpointChains.put(ChainNames.of(ChainNames.TO_WL, ep.name()), cached(List.of("tw", ep.name(), frozen,
                    profiles), () -> EndpointChains.toWorkload(ep.name(), frozen, profiles)));
            endpointChains.put(ChainNames.of(ChainNames.FROM_WL, ep.name()), cached(List.of("fw", ep.name(), frozen,
                    profiles), () -> EndpointChains.fromWorkload(ep.name(), frozen, profiles)));
        }
        List<String> ifaceNames = new ArrayList<>(ifaces.keySet());
        if (!ifaceNames.equals(dispatchIfaces)) { // same interfaces: same chain objects (writers skip them)
            dispatchIfaces = ifaceNames;
            dispatchChains = StaticChains.dispatch(ifaceNames);
        }
        List<Chain> dispatch = dispatchChains;
        netStrings.values().forEach(m -> {
            if (m.size() > 2 * s.endpoints.size() + 1000) {
                m.clear();
            }
        });
        Map<String, IpSetSpec> ipsets = new HashMap<>();
        Family v4 = family(4, s, cfg, endpointChains, dispatch, usedPolicies, usedProfiles, labelCache, ipsets);
        Family v6 = cfg.ipv6Support()
                ? family(6, s, cfg, endpointChains, dispatch, usedPolicies, usedProfiles, labelCache, ipsets)
                : new Family(Map.of(), Map.of(), Map.of());
        chainCache = nextCache;
        return new DesiredDataplane(routes, ifaces, v4.filter(), v4.nat(), ipsets, v4.raw(), v6.filter(), v6.nat(),
                v6.raw());
    }

    private record Family(Map<String, Chain> filter, Map<String, Chain> nat, Map<String, Chain> raw) {
    }

    /** The tables of one IP version; adds its ipsets to {@code ipsets}. */
    private Family family(int v, DatastoreState s, FelixConfig cfg, Map<String, Chain> endpointChains,
                          List<Chain> dispatch, Set<PolicyKey> usedPolicies, Set<String> usedProfiles,
                          Map<EndpointKey, Map<String, String>> labelCache, Map<String, IpSetSpec> ipsets) {
        Map<String, Chain> filter = new LinkedHashMap<>(endpointChains);
        Set<String> usedTags = new HashSet<>();
        Set<String> usedSelectors = new HashSet<>();
        for (PolicyKey k : usedPolicies) {
            Policy p = s.policies.get(k);
            String id = TierPolicies.policyId(k.tier(), k.name());
            ruleChain(v, filter, ChainNames.of(ChainNames.POLICY_IN, id), p.inboundRules(), usedTags, usedSelectors);
            ruleChain(v, filter, ChainNames.of(ChainNames.POLICY_OUT, id), p.outboundRules(), usedTags, usedSelectors);
        }
        for (String name : usedProfiles) {
            ProfileRules r = s.profileRules.get(name);
            ruleChain(v, filter, ChainNames.of(ChainNames.PROFILE_IN, name), r.inboundRules(), usedTags, usedSelectors);
            ruleChain(v, filter, ChainNames.of(ChainNames.PROFILE_OUT, name), r.outboundRules(), usedTags, usedSelectors);
        }
        StaticChains.filter(v, cfg.interfacePrefix(), cfg.endpointToHostAction()).forEach(c -> filter.put(c.name(), c));
        dispatch.forEach(c -> filter.put(c.name(), c));
        Map<String, Chain> nat = new LinkedHashMap<>();
        StaticChains.nat(v).forEach(c -> nat.put(c.name(), c));
        Map<String, Chain> raw = new LinkedHashMap<>();
        StaticChains.raw(cfg.interfacePrefix()).forEach(c -> raw.put(c.name(), c));
        ipsets.putAll(ipsets(v, s, usedTags, usedSelectors, labelCache));
        return new Family(filter, nat, raw);
    }

    /** Renders a policy/profile chain for version {@code v}; collects the tags and selectors its rules use there. */
    private void ruleChain(int v, Map<String, Chain> filter, String name, List<org.calicojava.model.Rule> rules,
                           Set<String> tags, Set<String> sels) {
        for (org.calicojava.model.Rule r : rules) {
            if (r.ipVersion() != 0 && r.ipVersion() != v) {
                continue;
            }
            for (String t : new String[]{r.srcTag(), r.dstTag(), r.notSrcTag(), r.notDstTag()}) {
                if (t != null) {
                    tags.add(t);
                }
            }
            for (String t : new String[]{r.srcSelector(), r.dstSelector(), r.notSrcSelector(), r.notDstSelector()}) {
                if (t != null && selector(t, name) != null) {
                    sels.add(t);
                }
            }
        }
        RuleRenderer renderer = v == 4 ? renderer4 : renderer6;
        filter.put(name, cached(List.of("rules", v, name, rules), () -> renderer.chain(name, rules, onProblem)));
    }

    private Chain cached(Object key, java.util.function.Supplier<Chain> build) {
        Chain c = chainCache.get(key);
        if (c == null) {
            c = build.get();
        }
        nextCache.put(key, c);
        return c;
    }

    private Map<String, IpSetSpec> ipsets(int v, DatastoreState s, Set<String> tags, Set<String> sels,
                                          Map<EndpointKey, Map<String, String>> labelCache) {
        Map<String, Set<String>> members = new HashMap<>();
        Map<String, String> setOfTag = new HashMap<>();
        Map<String, Selector> setOfSelector = new HashMap<>();
        for (String t : tags) {
            String n = ChainNames.tagSet(v, t);
            setOfTag.put(t, n);
            members.put(n, new HashSet<>());
        }
        for (String sel : sels) {
            Selector parsed = selectors.get(sel);
            String n = ChainNames.selectorSet(v, parsed.canonical());
            setOfSelector.put(n, parsed);
            members.put(n, new HashSet<>());
        }
        if (!members.isEmpty()) {
            for (Map.Entry<EndpointKey, WorkloadEndpoint> e : s.endpoints.entrySet()) {
                WorkloadEndpoint ep = e.getValue();
                List<Cidr> own = v == 4 ? ep.ipv4Nets() : ep.ipv6Nets();
                if (own.isEmpty()) {
                    continue;
                }
                List<String> nets = netStrings.get(v).computeIfAbsent(ep, x -> own.stream().map(Cidr::toString).toList());
                for (String p : ep.profileIds()) {
                    for (String t : s.profileTags.getOrDefault(p, List.of())) {
                        String n = setOfTag.get(t);
                        if (n != null) {
                            members.get(n).addAll(nets);
                        }
                    }
                }
                if (!setOfSelector.isEmpty()) {
                    Map<String, String> labels = labels(s, e.getKey(), ep, labelCache);
                    setOfSelector.forEach((n, sel) -> {
                        if (sel.matches(labels)) {
                            members.get(n).addAll(nets);
                        }
                    });
                }
            }
        }
        Set<String> all = new HashSet<>();
        Set<String> masq = new HashSet<>();
        for (IpPool p : s.pools.values()) {
            if (p.cidr().version() == v) {
                all.add(p.cidr().toString());
                if (p.masquerade() && !p.disabled()) {
                    masq.add(p.cidr().toString());
                }
            }
        }
        members.put(ChainNames.allPoolsSet(v), all);
        members.put(ChainNames.masqPoolsSet(v), masq);
        Map<String, IpSetSpec> out = new HashMap<>();
        members.forEach((n, m) -> out.put(n, new IpSetSpec(n, v, m)));
        return out;
    }

    /** Profile labels, overridden by the endpoint's own. */
    private static Map<String, String> labels(DatastoreState s, EndpointKey k, WorkloadEndpoint ep,
                                              Map<EndpointKey, Map<String, String>> cache) {
        return cache.computeIfAbsent(k, x -> {
            boolean anyProfileLabels = ep.profileIds().stream().anyMatch(s.profileLabels::containsKey);
            if (!anyProfileLabels) {
                return ep.labels();
            }
            Map<String, String> m = new HashMap<>();
            ep.profileIds().forEach(p -> m.putAll(s.profileLabels.getOrDefault(p, Map.of())));
            m.putAll(ep.labels());
            return m;
        });
    }

    private Selector selector(String text, String where) {
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
        return s.policies.entrySet().stream().sorted(Comparator
                        .comparing((Map.Entry<PolicyKey, Policy> e) -> s.tierOrders.get(e.getKey().tier()), nullsLast)
                        .thenComparing(e -> e.getKey().tier())
                        .thenComparing(e -> e.getValue().order(), nullsLast)
                        .thenComparing(e -> e.getKey().name()))
                .toList();
    }
}
