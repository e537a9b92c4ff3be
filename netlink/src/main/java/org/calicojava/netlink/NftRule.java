package org.calicojava.netlink;

import java.util.List;
import org.calicojava.netlink.nft.Expr;

/** A rule as {@link NfTables#rules} read it back: chain, kernel handle, expressions, comment (null when none). */
public record NftRule(String chain, long handle, List<Expr> exprs, String comment) {
    public NftRule {
        exprs = List.copyOf(exprs);
    }
}
