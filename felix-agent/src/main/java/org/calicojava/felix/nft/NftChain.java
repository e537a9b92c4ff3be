package org.calicojava.felix.nft;

import java.util.List;

/**
 * One chain of our table as nft text: {@code hook} is the base chain declaration (null for a regular chain),
 * {@code rules} the statements, {@code hashes} their comments ({@code cali:HASH}, chained over the chain name and the
 * previous hash as the iptables backend does), by which a read-back tells whether the chain is exactly as written.
 */
public record NftChain(String name, String hook, List<String> rules, List<String> hashes) {
    public NftChain {
        if (!NftNames.isIdentifier(name)) {
            throw new IllegalArgumentException("nft chain name: '" + name + "' (expected: an nft identifier)");
        }
        rules = List.copyOf(rules);
        hashes = List.copyOf(hashes);
        if (rules.size() != hashes.size()) {
            throw new IllegalArgumentException("nft chain " + name + ": " + rules.size() + " rules, " + hashes.size()
                    + " hashes (expected: equal)");
        }
    }
}
