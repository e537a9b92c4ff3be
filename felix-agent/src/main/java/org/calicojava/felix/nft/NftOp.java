package org.calicojava.felix.nft;

import java.util.List;
import java.util.Map;

/**
 * One step of an {@link NftState.Diff}, in transaction order: what its nft script says, as data, for writing the same
 * transaction over netlink ({@link NftNetlinkWriter}). Members and keys in the form {@link NftState} keeps them.
 */
sealed interface NftOp {
    record AddTable() implements NftOp {}

    record AddSet(String name, int version) implements NftOp {}

    /** Members removed, then members added; {@code wasEmpty}: the set had no members before. */
    record SetElements(String name, int version, List<String> delete, List<String> add, boolean wasEmpty)
            implements NftOp {}

    record AddMap(String name) implements NftOp {}

    /** {@code add chain} (with its hook for a base chain). */
    record DeclareChain(NftChain chain) implements NftOp {}

    /** {@code flush chain}, then its rules. */
    record FillChain(NftChain chain) implements NftOp {}

    /**
     * The chain's first {@code keep} rules stay; from there on, position by position, each rule it has ({@code
     * handles}: their handles) is replaced by the rule of {@code chain} at that position, the rules it has beyond
     * {@code chain}'s are deleted, and {@code chain}'s rules beyond those it has are appended (as Calico's felix did
     * over {@code nft} before it went back to flushing).
     */
    record EditChain(NftChain chain, long[] handles, int keep) implements NftOp {
        public EditChain {
            if (keep < 1 || keep > handles.length || keep > chain.rules().size()) {
                throw new IllegalArgumentException("nft chain " + chain.name() + ": keep " + keep + " of "
                        + handles.length + " rules for " + chain.rules().size());
            }
        }

        /** The handles of the rules replaced, in chain order. */
        long[] replaced() {
            return java.util.Arrays.copyOfRange(
                    handles, keep, Math.min(handles.length, chain.rules().size()));
        }

        /** The handles of the rules deleted. */
        long[] deleted() {
            return java.util.Arrays.copyOfRange(
                    handles, Math.min(handles.length, chain.rules().size()), handles.length);
        }
    }

    /** Keys removed, then interface to goto target added. */
    record MapElements(String map, List<String> delete, Map<String, String> add) implements NftOp {}

    record FlushChain(String name) implements NftOp {}

    record DeleteMap(String name) implements NftOp {}

    record DeleteChain(String name) implements NftOp {}

    record DeleteSet(String name) implements NftOp {}
}
