package org.calicojava.felix.nft;

import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.IpSetSpec;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.Hashes;
import org.calicojava.felix.rules.Rule;
import org.calicojava.felix.rules.StaticChains;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns the calculated rule model ({@link DesiredDataplane}: filter, nat and raw chains of IPv4 and IPv6, ipsets of
 * both) into our {@code inet} table: every chain rendered rule by rule with {@link NftRuleRenderer}; the iptables
 * dispatch tree folded into two verdict maps ({@code -i IF -g cali-fw-IF} becomes the element
 * {@code "IF" : goto cali-fw-IF}) behind the two dispatch chains; the iptables hooks into built-in chains become our
 * base chains; ipsets become interval sets ({@code cali6-} ones of type {@code ipv6_addr}).
 *
 * <p>One table for both families: a chain whose IPv4 and IPv6 renderings are the same nft text (the endpoint,
 * dispatch and most static chains) is written once under its name. One whose renderings differ, or that exists in
 * one family only, becomes a family dispatcher {@code NAME: meta nfproto ipv4 goto NAME/4; meta nfproto ipv6 goto
 * NAME/6} in front of the two renderings ({@link NftNames#familyChain}); goto keeps the caller's return semantics.
 * A family without the chain gets no goto line: its packets fall through the dispatcher, i.e. return to the caller
 * (or, for a base chain, meet its accept policy) — as in iptables, where that family's tables do not have the chain
 * and so its packets never traverse it. Chains and sets unchanged since the last run are not rendered again. Not
 * thread-safe: owned by the dataplane thread.
 */
public final class NftModel {
    private static final List<String> TABLES = List.of("filter", "nat", "raw");
    /** Renderings under the model chain's own name, by chain identity (the calculator keeps unchanged chains). */
    private Map<Chain, NftChain> cache = new IdentityHashMap<>();
    /** A rendering under its family chain name ("NAME/4"), by the rendering under the model name. */
    private Map<NftChain, NftChain> familyCache = new IdentityHashMap<>();
    /** Family dispatchers by their rule texts. */
    private Map<String, NftChain> dispatcherCache = new HashMap<>();
    private Map<Chain, Map<String, String>[]> dispatchCache = new IdentityHashMap<>();
    /** By value: the calculator makes new set objects on every run. */
    private Map<IpSetSpec, NftSet> setCache = new HashMap<>();

    public NftRuleset build(DesiredDataplane d) {
        Map<Chain, NftChain> nextCache = new IdentityHashMap<>();
        Map<NftChain, NftChain> nextFamily = new IdentityHashMap<>();
        Map<String, NftChain> nextDispatchers = new HashMap<>();
        Map<Chain, Map<String, String>[]> nextDispatch = new IdentityHashMap<>();
        Map<String, NftChain> chains = new HashMap<>();
        Map<String, String> fromWl = new HashMap<>();
        Map<String, String> toWl = new HashMap<>();
        boolean fromDispatch = false;
        boolean toDispatch = false;
        for (String table : TABLES) {
            Map<String, Chain> v4 = d.chains(4, table);
            Map<String, Chain> v6 = d.chains(6, table);
            for (String name : names(v4, v6)) {
                Chain c4 = v4.get(name);
                Chain c6 = v6.get(name);
                if (NftNames.isDispatch(name)) {
                    for (Chain c : c4 == c6 || c6 == null ? List.of(c4) : c4 == null ? List.of(c6) : List.of(c4, c6)) {
                        Map<String, String>[] leaves = dispatchCache.get(c);
                        if (leaves == null) {
                            leaves = dispatchLeaves(c);
                        }
                        nextDispatch.put(c, leaves);
                        fromWl.putAll(leaves[0]);
                        toWl.putAll(leaves[1]);
                    }
                    fromDispatch |= name.equals(ChainNames.FROM_WL_DISPATCH);
                    toDispatch |= name.equals(ChainNames.TO_WL_DISPATCH);
                    continue;
                }
                NftChain n4 = c4 == null ? null : rendered(c4, nextCache);
                NftChain n6 = c6 == null ? null : c6 == c4 ? n4 : rendered(c6, nextCache);
                if (n4 != null && n6 != null && (n4 == n6 || n4.rules().equals(n6.rules()))) {
                    chains.put(name, n4); // same name and text: same hashes
                    continue;
                }
                List<String> gotos = new ArrayList<>(2);
                for (int v : new int[]{4, 6}) {
                    NftChain n = v == 4 ? n4 : n6;
                    if (n == null) {
                        continue;
                    }
                    String familyName = NftNames.familyChain(name, v);
                    NftChain f = familyCache.get(n);
                    if (f == null || !f.name().equals(familyName)) {
                        f = of(familyName, null, n.rules());
                    }
                    nextFamily.put(n, f);
                    chains.put(f.name(), f);
                    gotos.add("meta nfproto ipv" + v + " goto " + f.name());
                }
                String key = String.join("\n", gotos);
                NftChain dispatcher = dispatcherCache.get(key);
                if (dispatcher == null) {
                    dispatcher = of(name, null, gotos);
                }
                nextDispatchers.put(key, dispatcher);
                chains.put(name, dispatcher);
            }
        }
        cache = nextCache;
        familyCache = nextFamily;
        dispatcherCache = nextDispatchers;
        dispatchCache = nextDispatch;
        Map<String, Map<String, String>> maps = new HashMap<>();
        if (fromDispatch) {
            maps.put(NftNames.FROM_WL_MAP, fromWl);
            chains.put(ChainNames.FROM_WL_DISPATCH, of(ChainNames.FROM_WL_DISPATCH, null,
                    List.of("iifname vmap @" + NftNames.FROM_WL_MAP, "drop")));
        }
        if (toDispatch) {
            maps.put(NftNames.TO_WL_MAP, toWl);
            chains.put(ChainNames.TO_WL_DISPATCH, of(ChainNames.TO_WL_DISPATCH, null,
                    List.of("oifname vmap @" + NftNames.TO_WL_MAP, "drop")));
        }
        for (StaticChains.Hook h : StaticChains.hooks()) {
            String target = h.rule().target();
            if (d.chains(4, h.table()).containsKey(target) || d.chains(6, h.table()).containsKey(target)) {
                String name = NftNames.baseChain(h.table(), h.builtin());
                chains.put(name, chain(name, NftNames.hookSpec(h.table(), h.builtin()), List.of(h.rule())));
            }
        }
        Map<IpSetSpec, NftSet> nextSets = new HashMap<>();
        Map<String, NftSet> sets = new HashMap<>();
        for (IpSetSpec s : d.ipsets().values()) {
            NftSet n = setCache.get(s);
            if (n == null) {
                n = new NftSet(s.name(), s.version(), NftMembers.normalize(s.members()));
            }
            nextSets.put(s, n);
            sets.put(n.name(), n);
        }
        setCache = nextSets;
        return new NftRuleset(chains, sets, maps);
    }

    /** The chain names of both families: IPv4's in their order, then those only IPv6 has (no copy of either). */
    private static Iterable<String> names(Map<String, Chain> v4, Map<String, Chain> v6) {
        return () -> Stream.concat(v4.keySet().stream(), v6.keySet().stream().filter(n -> !v4.containsKey(n)))
                .iterator();
    }

    private NftChain rendered(Chain c, Map<Chain, NftChain> nextCache) {
        NftChain n = cache.get(c);
        if (n == null) {
            n = chain(c.name(), null, c.rules());
        }
        nextCache.put(c, n);
        return n;
    }

    /** Leaf rules of a dispatch tree chain: "-i IF" / "-o IF" (no wildcard) with "-g CHAIN"; [from, to]. */
    @SuppressWarnings("unchecked")
    private static Map<String, String>[] dispatchLeaves(Chain c) {
        Map<String, String>[] out = new Map[]{new HashMap<String, String>(), new HashMap<String, String>()};
        for (Rule r : c.rules()) {
            String m = r.match();
            boolean in = m.startsWith("-i ");
            if ((in || m.startsWith("-o ")) && m.indexOf(' ', 3) < 0 && !m.endsWith("+") && r.action().startsWith("-g ")) {
                out[in ? 0 : 1].put(m.substring(3), r.action().substring(3).strip());
            }
        }
        return out;
    }

    /** A chain of rendered rules with chained hashes (over chain name, previous hash, nft text). */
    static NftChain chain(String name, String hook, List<Rule> rules) {
        List<String> texts = new ArrayList<>(rules.size());
        for (Rule r : rules) {
            texts.add(NftRuleRenderer.render(r));
        }
        return of(name, hook, texts);
    }

    static NftChain of(String name, String hook, List<String> texts) {
        List<String> hashes = new ArrayList<>(texts.size());
        String prev = name;
        for (String t : texts) {
            prev = Hashes.short16(prev + "\n" + t);
            hashes.add(prev);
        }
        return new NftChain(name, hook, texts, hashes);
    }
}
