package org.calicojava.netlink.nft;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A rule: its expressions in order and an optional comment, kept in NFTA_RULE_USERDATA in libnftnl's TLV format
 * (u8 type 0 = comment, u8 length including the NUL, the string and a NUL), so {@code nft list ruleset} shows it.
 */
public record Rule(List<Expr> exprs, String comment) {
    /** nft's limit (NFT_USERDATA_MAXLEN is 256 per rule; a comment TLV holds at most 255 bytes with its NUL). */
    public static final int MAX_COMMENT_BYTES = 254;

    public Rule {
        exprs = List.copyOf(exprs);
        if (exprs.isEmpty()) {
            throw new IllegalArgumentException("rule without expressions");
        }
        if (comment != null) {
            int n = comment.getBytes(StandardCharsets.UTF_8).length;
            if (n > MAX_COMMENT_BYTES || comment.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("rule comment: " + n + " bytes or a NUL (expected: <= 254)");
            }
        }
    }

    public static Rule of(Expr... exprs) {
        return new Rule(List.of(exprs), null);
    }

    public Rule withComment(String c) {
        return new Rule(exprs, c);
    }

    /** The comment's user data TLV, or null without a comment. */
    public byte[] userData() {
        if (comment == null) {
            return null;
        }
        byte[] s = comment.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(3 + s.length);
        b.put((byte) 0).put((byte) (s.length + 1)).put(s).put((byte) 0);
        return b.array();
    }
}
