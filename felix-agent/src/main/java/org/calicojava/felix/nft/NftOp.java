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

    /** Members removed, then members added. */
    record SetElements(String name, int version, List<String> delete, List<String> add) implements NftOp {}

    record AddMap(String name) implements NftOp {}

    /** {@code add chain} (with its hook for a base chain). */
    record DeclareChain(NftChain chain) implements NftOp {}

    /** {@code flush chain}, then its rules. */
    record FillChain(NftChain chain) implements NftOp {}

    /** Keys removed, then interface to goto target added. */
    record MapElements(String map, List<String> delete, Map<String, String> add) implements NftOp {}

    record FlushChain(String name) implements NftOp {}

    record DeleteMap(String name) implements NftOp {}

    record DeleteChain(String name) implements NftOp {}

    record DeleteSet(String name) implements NftOp {}
}
