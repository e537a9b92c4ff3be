package org.calicojava.model;

/** BGP AS numbers: plain ("65010") or asdot ("1.10" = 1*65536+10), range 1..4294967295. */
public final class AsNumber {
    public static final long MAX = 4294967295L;

    private AsNumber() {}

    public static long parse(String text) {
        String s = text == null ? "" : text.trim();
        try {
            long v;
            int dot = s.indexOf('.');
            if (dot > 0) {
                long hi = Long.parseLong(s.substring(0, dot));
                long lo = Long.parseLong(s.substring(dot + 1));
                if (hi > 65535 || lo > 65535 || hi < 0 || lo < 0) {
                    throw new IllegalArgumentException(
                            "AS number: " + s + " (expected: asdot parts 0..65535, like 1.10)");
                }
                v = hi * 65536 + lo;
            } else {
                v = Long.parseLong(s);
            }
            return validate(v, s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "AS number: " + LogText.quote(s) + " (expected: 1..4294967295, or asdot like 1.10)");
        }
    }

    public static long validate(long v) {
        return validate(v, Long.toString(v));
    }

    private static long validate(long v, String text) {
        if (v < 1 || v > MAX) {
            throw new IllegalArgumentException("AS number: " + text + " (expected: 1..4294967295, or asdot like 1.10)");
        }
        return v;
    }
}
