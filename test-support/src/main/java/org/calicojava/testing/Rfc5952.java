package org.calicojava.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deliberately naive reference for the RFC 5952 section 4.2 text of an IPv6 address, for property tests of the
 * production formatters: it tries every zero run from the longest (8 fields) down to 2 fields, left to right, and
 * takes the first one it finds, so "longest run, first on a tie, never a single field" holds by construction.
 */
public final class Rfc5952 {
    private Rfc5952() {}

    /** The compressed text of a 16-byte address (lower-case hex, no leading zeros, no IPv4-mapped form). */
    public static String format(byte[] b) {
        if (b.length != 16) {
            throw new IllegalArgumentException("IPv6 address: " + b.length + " bytes (expected: 16)");
        }
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < 16; i += 2) {
            fields.add(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)));
        }
        for (int len = 8; len >= 2; len--) {
            for (int start = 0; start + len <= 8; start++) {
                if (fields.subList(start, start + len).stream().allMatch("0"::equals)) {
                    return String.join(":", fields.subList(0, start)) + "::"
                            + String.join(":", fields.subList(start + len, 8));
                }
            }
        }
        return String.join(":", fields);
    }

    /** Sixteen bytes from eight 16-bit fields (test input helper). */
    public static byte[] bytes(int... fields) {
        if (fields.length != 8) {
            throw new IllegalArgumentException("fields: " + Arrays.toString(fields) + " (expected: 8)");
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[2 * i] = (byte) (fields[i] >> 8);
            b[2 * i + 1] = (byte) fields[i];
        }
        return b;
    }
}
