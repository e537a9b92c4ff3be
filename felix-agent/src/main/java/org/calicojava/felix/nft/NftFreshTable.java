package org.calicojava.felix.nft;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.felix.rules.ChainNames;

/**
 * The first transaction into an empty table, cut in two: first the table without the endpoint chains
 * ({@code cali-tw-IF}, {@code cali-fw-IF}) and without the dispatch maps' elements, then those. After the first half
 * the dispatch chains ({@code iifname vmap @cali-from-wl-map}, then {@code drop}) drop every workload interface as
 * unknown, so routes to the workloads can be written beside the second half: no workload is reachable before its
 * policy is in place. Nothing in the first half refers to the second (only the maps' elements name endpoint chains),
 * and an empty table has nothing to delete.
 */
final class NftFreshTable {
    private NftFreshTable() {}

    /**
     * {@code ops} of a diff from an empty table as [guard, workloads] in their order, or {@code [ops]} when there is
     * nothing to cut (no endpoint, or an op that is not an addition).
     */
    static List<List<NftOp>> split(List<NftOp> ops) {
        List<NftOp> guard = new ArrayList<>();
        List<NftOp> workloads = new ArrayList<>();
        for (NftOp op : ops) {
            if (deletes(op)) {
                return List.of(ops);
            }
            (isWorkload(op) ? workloads : guard).add(op);
        }
        return workloads.isEmpty() ? List.of(ops) : List.of(guard, workloads);
    }

    /** An endpoint chain's declaration or rules, or elements of a dispatch map. */
    static boolean isWorkload(NftOp op) {
        if (op instanceof NftOp.DeclareChain d) {
            return isEndpointChain(d.chain().name());
        }
        if (op instanceof NftOp.FillChain f) {
            return isEndpointChain(f.chain().name());
        }
        return op instanceof NftOp.MapElements m
                && (m.map().equals(NftNames.FROM_WL_MAP) || m.map().equals(NftNames.TO_WL_MAP));
    }

    /** {@code cali-tw-IF} or {@code cali-fw-IF} (with {@code /4}, {@code /6}); not a body ({@code cali-tw/HASH}). */
    static boolean isEndpointChain(String name) {
        return name.startsWith(ChainNames.TO_WL) || name.startsWith(ChainNames.FROM_WL);
    }

    private static boolean deletes(NftOp op) {
        return op instanceof NftOp.FlushChain
                || op instanceof NftOp.DeleteChain
                || op instanceof NftOp.DeleteMap
                || op instanceof NftOp.DeleteSet
                || op instanceof NftOp.SetElements s && !s.delete().isEmpty()
                || op instanceof NftOp.MapElements m && !m.delete().isEmpty();
    }
}
