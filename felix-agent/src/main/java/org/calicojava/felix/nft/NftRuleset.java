package org.calicojava.felix.nft;

import java.util.Map;

/**
 * Everything in our table, desired or read back: chains (base and regular) by name, sets by name, and the dispatch
 * verdict maps (map name to interface name to target chain of its {@code goto}).
 */
public record NftRuleset(
        Map<String, NftChain> chains, Map<String, NftSet> sets, Map<String, Map<String, String>> maps) {
    public static NftRuleset empty() {
        return new NftRuleset(Map.of(), Map.of(), Map.of());
    }
}
