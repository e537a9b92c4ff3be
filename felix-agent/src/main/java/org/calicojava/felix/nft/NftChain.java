package org.calicojava.felix.nft;

import java.util.List;
import org.calicojava.netlink.nft.Expr;

/**
 * One chain of our table: {@code hook} is the base chain declaration as nft text (null for a regular chain) and
 * {@code base} the same for netlink, {@code rules} the statements as nft text, {@code hashes} their comments
 * ({@code cali:HASH}, chained over the chain name and the previous hash as the iptables backend does), by which a
 * read-back tells whether the chain is exactly as written, and {@code exprs} each statement's netlink expressions
 * (null: this chain can only be written as text; not part of equality).
 */
public record NftChain(
        String name, String hook, List<String> rules, List<String> hashes, NftNames.Hook base, List<Exprs> exprs) {
    /** A statement's expressions, given how the batch names sets. */
    public interface Exprs {
        List<Expr> render(NftExprs.Sets sets);
    }

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
        if (exprs != null && exprs.size() != rules.size()) {
            throw new IllegalArgumentException(
                    "nft chain " + name + ": " + exprs.size() + " expression lists, " + rules.size() + " rules");
        }
        exprs = exprs == null ? null : List.copyOf(exprs);
        if (exprs != null && (hook == null) != (base == null)) {
            throw new IllegalArgumentException("nft chain " + name + ": a base chain needs both hook forms");
        }
    }

    /** Equal by name, declaration, rules and hashes: {@code base} and {@code exprs} follow from them. */
    @Override
    public boolean equals(Object o) {
        return o instanceof NftChain c
                && name.equals(c.name)
                && java.util.Objects.equals(hook, c.hook)
                && rules.equals(c.rules)
                && hashes.equals(c.hashes);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, hook, rules, hashes);
    }

    @Override
    public String toString() {
        return "NftChain[name=" + name + ", hook=" + hook + ", rules=" + rules + ", hashes=" + hashes + "]";
    }

    /** A chain for text only (no netlink expressions). */
    public NftChain(String name, String hook, List<String> rules, List<String> hashes) {
        this(name, hook, rules, hashes, null, null);
    }
}
