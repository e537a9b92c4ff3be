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

/**
 * Turns the calculated rule model ({@link DesiredDataplane}: filter and nat chains, ipsets) into our nft table:
 * every chain rendered rule by rule with {@link NftRuleRenderer}; the iptables dispatch tree folded into two verdict
 * maps ({@code -i IF -g cali-fw-IF} becomes the element {@code "IF" : goto cali-fw-IF}) behind the two dispatch
 * chains; the iptables hooks into built-in chains become our base chains; ipsets become interval sets. Chains and
 * sets unchanged since the last run are not rendered again. Not thread-safe: owned by the
 * dataplane thread.
 */
public final class NftModel {
    private Map<Chain, NftChain> cache = new IdentityHashMap<>();
    private Map<Chain, Map<String, String>[]> dispatchCache = new IdentityHashMap<>();
    /** By value: the calculator makes new set objects on every run. */
    private Map<IpSetSpec, NftSet> setCache = new HashMap<>();

    public NftRuleset build(DesiredDataplane d) {
        Map<Chain, NftChain> nextCache = new IdentityHashMap<>();
        Map<Chain, Map<String, String>[]> nextDispatch = new IdentityHashMap<>();
        Map<String, NftChain> chains = new HashMap<>();
        Map<String, String> fromWl = new HashMap<>();
        Map<String, String> toWl = new HashMap<>();
        for (Map<String, Chain> table : List.of(d.filter(), d.nat())) {
            for (Chain c : table.values()) {
                if (NftNames.isDispatch(c.name())) {
                    Map<String, String>[] leaves = dispatchCache.get(c);
                    if (leaves == null) {
                        leaves = dispatchLeaves(c);
                    }
                    nextDispatch.put(c, leaves);
                    fromWl.putAll(leaves[0]);
                    toWl.putAll(leaves[1]);
                    continue;
                }
                NftChain n = cache.get(c);
                if (n == null) {
                    n = chain(c.name(), null, c.rules());
                }
                nextCache.put(c, n);
                chains.put(n.name(), n);
            }
        }
        cache = nextCache;
        dispatchCache = nextDispatch;
        Map<String, Map<String, String>> maps = new HashMap<>();
        if (d.filter().containsKey(ChainNames.FROM_WL_DISPATCH)) {
            maps.put(NftNames.FROM_WL_MAP, fromWl);
            chains.put(ChainNames.FROM_WL_DISPATCH, of(ChainNames.FROM_WL_DISPATCH, null,
                    List.of("iifname vmap @" + NftNames.FROM_WL_MAP, "drop")));
        }
        if (d.filter().containsKey(ChainNames.TO_WL_DISPATCH)) {
            maps.put(NftNames.TO_WL_MAP, toWl);
            chains.put(ChainNames.TO_WL_DISPATCH, of(ChainNames.TO_WL_DISPATCH, null,
                    List.of("oifname vmap @" + NftNames.TO_WL_MAP, "drop")));
        }
        for (StaticChains.Hook h : StaticChains.hooks()) {
            Map<String, Chain> table = h.table().equals("nat") ? d.nat() : d.filter();
            if (table.containsKey(h.rule().action().replaceFirst("^-[jg] ", ""))) {
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
