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
 * The pure calculation: {@link DatastoreState} + {@link FelixConfig} to {@link DesiredDataplane} (IPv4 policy; routes
 * for both families). No I/O. Problems in the data (a bad selector, an unknown profile) go to {@code onProblem} and
 * the affected rule or policy is skipped. Keeps caches of rendered chains between runs (owned by the caller's thread).
 */
public final class Calculator {
    private static final int V = 4;
    private final RuleRenderer renderer = new RuleRenderer(V);
    private final Consumer<String> onProblem;
    private Map<Object, Chain> chainCache = new HashMap<>();
    private Map<Object, Chain> nextCache = new HashMap<>();
    private final Map<String, Selector> selectors = new HashMap<>();
    private List<String> dispatchIfaces;
    /** Endpoint (by identity: records from the datastore are replaced on change) to its IPv4 nets as text. */
    private final Map<WorkloadEndpoint, List<String>> netStrings = new java.util.IdentityHashMap<>();
    private List<Chain> dispatchChains = List.of();

    public Calculator(Consumer<String> onProblem) {
        this.onProblem = onProblem;
    }

    public DesiredDataplane calculate(DatastoreState s, FelixConfig cfg) {
        nextCache = new HashMap<>();
        Map<Cidr, String> routes = new HashMap<>();
        Map<String, EndpointKey> ifaces = new TreeMap<>();
        Map<String, Chain> filter = new LinkedHashMap<>();
        Set<String> usedTags = new HashSet<>();
        Set<String> usedSelectors = new HashSet<>();
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
            ep.ipv6Nets().forEach(n -> routes.put(n, ep.name()));
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
            filter.put(ChainNames.of(ChainNames.TO_WL, ep.name()), cached(List.of("tw", ep.name(), frozen, profiles),
                    () -> EndpointChains.toWorkload(ep.name(), frozen, profiles)));
            filter.put(ChainNames.of(ChainNames.FROM_WL, ep.name()), cached(List.of("fw", ep.name(), frozen, profiles),
                    () -> EndpointChains.fromWorkload(ep.name(), frozen, profiles)));
        }
        for (PolicyKey k : usedPolicies) {
            Policy p = s.policies.get(k);
            String id = TierPolicies.policyId(k.tier(), k.name());
            ruleChain(filter, ChainNames.of(ChainNames.POLICY_IN, id), p.inboundRules(), usedTags, usedSelectors);
            ruleChain(filter, ChainNames.of(ChainNames.POLICY_OUT, id), p.outboundRules(), usedTags, usedSelectors);
        }
        for (String name : usedProfiles) {
            ProfileRules r = s.profileRules.get(name);
            ruleChain(filter, ChainNames.of(ChainNames.PROFILE_IN, name), r.inboundRules(), usedTags, usedSelectors);
            ruleChain(filter, ChainNames.of(ChainNames.PROFILE_OUT, name), r.outboundRules(), usedTags, usedSelectors);
        }
        StaticChains.filter(cfg.interfacePrefix(), cfg.endpointToHostAction()).forEach(c -> filter.put(c.name(), c));
        List<String> ifaceNames = new ArrayList<>(ifaces.keySet());
        if (!ifaceNames.equals(dispatchIfaces)) { // same interfaces: same chain objects (writers skip them)
            dispatchIfaces = ifaceNames;
            dispatchChains = StaticChains.dispatch(ifaceNames);
        }
        dispatchChains.forEach(c -> filter.put(c.name(), c));
        Map<String, Chain> nat = new LinkedHashMap<>();
        StaticChains.nat(V).forEach(c -> nat.put(c.name(), c));

        if (netStrings.size() > 2 * s.endpoints.size() + 1000) {
            netStrings.clear();
        }
        Map<String, IpSetSpec> ipsets = ipsets(s, usedTags, usedSelectors, labelCache);
        chainCache = nextCache;
        return new DesiredDataplane(routes, ifaces, filter, nat, ipsets);
    }

    private void ruleChain(Map<String, Chain> filter, String name, List<org.calicojava.model.Rule> rules,
                           Set<String> tags, Set<String> sels) {
        for (org.calicojava.model.Rule r : rules) {
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
        filter.put(name, cached(List.of("rules", name, rules), () -> renderer.chain(name, rules, onProblem)));
    }

    private Chain cached(Object key, java.util.function.Supplier<Chain> build) {
        Chain c = chainCache.get(key);
        if (c == null) {
            c = build.get();
        }
        nextCache.put(key, c);
        return c;
    }

    private Map<String, IpSetSpec> ipsets(DatastoreState s, Set<String> tags, Set<String> sels,
                                          Map<EndpointKey, Map<String, String>> labelCache) {
        Map<String, Set<String>> members = new HashMap<>();
        Map<String, String> setOfTag = new HashMap<>();
        Map<String, Selector> setOfSelector = new HashMap<>();
        for (String t : tags) {
            String n = ChainNames.tagSet(V, t);
            setOfTag.put(t, n);
            members.put(n, new HashSet<>());
        }
        for (String sel : sels) {
            Selector parsed = selectors.get(sel);
            String n = ChainNames.selectorSet(V, parsed.canonical());
            setOfSelector.put(n, parsed);
            members.put(n, new HashSet<>());
        }
        if (!members.isEmpty()) {
            for (Map.Entry<EndpointKey, WorkloadEndpoint> e : s.endpoints.entrySet()) {
                WorkloadEndpoint ep = e.getValue();
                if (ep.ipv4Nets().isEmpty()) {
                    continue;
                }
                List<String> nets = netStrings.computeIfAbsent(ep, x -> x.ipv4Nets().stream().map(Cidr::toString).toList());
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
            if (p.cidr().isIpv4()) {
                all.add(p.cidr().toString());
                if (p.masquerade() && !p.disabled()) {
                    masq.add(p.cidr().toString());
                }
            }
        }
        members.put(ChainNames.allPoolsSet(V), all);
        members.put(ChainNames.masqPoolsSet(V), masq);
        Map<String, IpSetSpec> out = new HashMap<>();
        members.forEach((n, m) -> out.put(n, new IpSetSpec(n, V, m)));
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
