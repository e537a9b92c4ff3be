package org.calicojava.felix.nft;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.felix.rules.Rule;

/**
 * Where {@link NftModel} puts the rules of one model chain in our table, for tools that look a calculated rule up in
 * the live table by its {@code cali:HASH} comment ({@code javactl policy explain --verify}). The hashes are chained
 * over the name of the nft chain that holds the rules, so each place gives its own: an endpoint chain's rules are in
 * its shared body ({@code cali-tw/HASH}); any other chain's are under its own name (both families' renderings the
 * same) or under the family chain {@code NAME/4} or {@code NAME/6}, which of the two depends on the other family's
 * rendering on that host (IPv6 on or off there), so both are given.
 */
public final class NftPlacement {
    private NftPlacement() {}

    /**
     * The nft chains that can hold the IPv{@code version} rules {@code rules} of model chain {@code name}, each with
     * those rules' texts and hashes in order (rule i of the model chain is rule i there).
     */
    public static List<NftChain> candidates(String name, int version, List<Rule> rules) {
        String prefix = NftModel.bodyPrefix(name);
        if (prefix != null) {
            List<String> texts = new ArrayList<>(rules.size());
            for (Rule r : rules) {
                texts.add(NftRuleRenderer.render(r));
            }
            return List.of(NftModel.chain(NftModel.bodyName(prefix, texts), null, null, rules));
        }
        return List.of(
                NftModel.chain(name, null, null, rules),
                NftModel.chain(NftNames.familyChain(name, version), null, null, rules));
    }
}
