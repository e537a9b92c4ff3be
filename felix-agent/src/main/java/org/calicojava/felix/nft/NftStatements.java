package org.calicojava.felix.nft;

import static org.calicojava.netlink.nft.Expr.REG_1;

import java.util.List;
import org.calicojava.netlink.nft.Bytes;
import org.calicojava.netlink.nft.Expr;
import org.calicojava.netlink.nft.Verdict;

/**
 * Netlink expressions of the statements {@link NftModel} writes itself (not from a typed rule): the dispatch
 * chains' {@code iifname/oifname vmap @MAP} and {@code drop}, and a family dispatcher's
 * {@code meta nfproto ipvV goto NAME/V}, as {@code nft -f} encodes them.
 */
final class NftStatements {
    static final List<Expr> DROP = List.of(new Expr.Decision(Verdict.DROP));

    private NftStatements() {}

    static List<Expr> vmap(boolean in, NftExprs.SetRef map) {
        return List.of(
                new Expr.Meta(in ? Expr.Meta.IIFNAME : Expr.Meta.OIFNAME, REG_1),
                Expr.Lookup.vmap(map.name(), map.id(), REG_1));
    }

    static List<Expr> goTo(String chain) {
        return List.of(new Expr.Decision(Verdict.goTo(chain)));
    }

    static List<Expr> familyGoto(int version, String chain) {
        return List.of(
                new Expr.Meta(Expr.Meta.NFPROTO, REG_1),
                new Expr.Cmp(Expr.Cmp.EQ, REG_1, Bytes.u8(version == 4 ? 2 : 10)),
                new Expr.Decision(Verdict.goTo(chain)));
    }
}
