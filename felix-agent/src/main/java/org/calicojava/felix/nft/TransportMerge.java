package org.calicojava.felix.nft;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * nft's merge of adjacent header compares, for the transport header (nft's {@code payload_try_merge} and {@code
 * payload_do_merge}): a rule's compares of a header field against a constant, with == or !=, are sorted by offset
 * (stably, in rule order where offsets tie); each one that starts where the one before it in that order ends, with
 * the same operator, joins it while the joined field stays within 4 bytes ({@code payload_can_merge}: what the
 * kernel's fast path loads). The joined compare stands where the first of them stood. In felix's rules these are
 * single ports ({@code th sport P}, {@code th dport P}), the ICMP type, the ICMP code and the negated type and code
 * pair; network-header compares (addresses) never join (two addresses exceed 4 bytes) and sort after these.
 */
final class TransportMerge {
    private TransportMerge() {}

    /** One compare of {@code len} bytes at {@code offset} in the transport header, of the rule's match {@code match}. */
    record Piece(int match, int offset, int len, boolean neq, byte[] value) {}

    /**
     * For each piece, the compare to emit where it stands: itself, the joined compare it heads, or null when it joined
     * one before it.
     */
    static Map<Piece, Piece> plan(List<Piece> pieces) {
        List<Piece> sorted = new ArrayList<>(pieces);
        sorted.sort(Comparator.comparingInt(Piece::offset)); // stable, as nft's sort of these few statements
        Map<Piece, Piece> out = new IdentityHashMap<>();
        Piece head = null;
        Piece joined = null;
        for (Piece p : sorted) {
            if (joined != null
                    && joined.offset() + joined.len() == p.offset()
                    && joined.neq() == p.neq()
                    && joined.len() + p.len() <= 4) {
                byte[] value = new byte[joined.len() + p.len()];
                System.arraycopy(joined.value(), 0, value, 0, joined.len());
                System.arraycopy(p.value(), 0, value, joined.len(), p.len());
                joined = new Piece(head.match(), joined.offset(), value.length, p.neq(), value);
                out.put(head, joined);
                out.put(p, null);
            } else {
                head = p;
                joined = p;
                out.put(p, p);
            }
        }
        return out;
    }
}
