package org.calicojava.netlink;

import java.util.List;
import java.util.Map;

/**
 * One nftables table as {@link NfTables#table} read it: each chain's rules as their comments in order ("" for a
 * rule without one), and its named sets and maps with their elements as the kernel holds them (an interval set's
 * range is a start element and an {@link Element#intervalEnd} element at the first address after it), and each
 * chain's rule handles in the same order as its comments (for deleting single rules).
 */
public record NftTable(
        String name, Map<String, List<String>> chains, Map<String, Set> sets, Map<String, long[]> handles) {
    public NftTable {
        chains = java.util.Collections.unmodifiableMap(chains);
        sets = java.util.Collections.unmodifiableMap(sets);
        handles = java.util.Collections.unmodifiableMap(handles);
    }

    /** A table read without handles. */
    public NftTable(String name, Map<String, List<String>> chains, Map<String, Set> sets) {
        this(name, chains, sets, Map.of());
    }

    /** A named set or map: flags as NFTA_SET_FLAGS ({@link #INTERVAL}, {@link #MAP}, ...), key length in bytes. */
    public record Set(String name, int flags, int keyLength, List<Element> elements) {
        public static final int ANONYMOUS = 0x1;
        public static final int INTERVAL = 0x4;
        public static final int MAP = 0x8;

        public Set {
            elements = List.copyOf(elements);
        }

        public boolean isMap() {
            return (flags & MAP) != 0;
        }

        public boolean isInterval() {
            return (flags & INTERVAL) != 0;
        }
    }

    /**
     * One element: its key bytes (network order), whether it ends an interval, and for a verdict map its verdict
     * (code as NFTA_VERDICT_CODE: {@link #GOTO}, {@link #JUMP}, 1 accept, 0 drop, ...; chain for jump and goto).
     */
    public record Element(byte[] key, boolean intervalEnd, boolean hasVerdict, int verdictCode, String chain) {
        public static final int INTERVAL_END = 0x1;
        public static final int JUMP = -3;
        public static final int GOTO = -4;
    }
}
