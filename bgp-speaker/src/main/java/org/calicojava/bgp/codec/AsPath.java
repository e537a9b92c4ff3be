package org.calicojava.bgp.codec;

import java.util.Arrays;

/**
 * AS_PATH (RFC 4271 section 4.3, confederation segments RFC 5065) as one int array of segments
 * {@code [type, count, asn...]...}; ASNs are unsigned 32-bit. Immutable.
 */
public final class AsPath {
    public static final int AS_SET = 1, AS_SEQUENCE = 2, AS_CONFED_SEQUENCE = 3, AS_CONFED_SET = 4;
    public static final AsPath EMPTY = new AsPath(new int[0]);

    private final int[] segments;

    AsPath(int[] segments) {
        this.segments = segments;
    }

    /** Builds from segments given as {@code type, count, asn...} triples, validating them. */
    public static AsPath of(int... segments) {
        for (int i = 0; i < segments.length; ) {
            if (segments[i] < 1 || segments[i] > 4) {
                throw new IllegalArgumentException("segment type: " + segments[i] + " (expected: 1..4)");
            }
            if (segments[i + 1] < 1) {
                throw new IllegalArgumentException("segment length: " + segments[i + 1] + " (expected: >= 1)");
            }
            i += 2 + segments[i + 1];
            if (i > segments.length) {
                throw new IllegalArgumentException("segment overruns the path");
            }
        }
        return new AsPath(segments.clone());
    }

    public static AsPath sequence(long... asns) {
        if (asns.length == 0) {
            return EMPTY;
        }
        int[] s = new int[2 + asns.length];
        s[0] = AS_SEQUENCE;
        s[1] = asns.length;
        for (int i = 0; i < asns.length; i++) {
            s[2 + i] = (int) asns[i];
        }
        return new AsPath(s);
    }

    int[] raw() {
        return segments;
    }

    public boolean isEmpty() {
        return segments.length == 0;
    }

    /** Path length for best-path selection: each AS in a sequence counts 1, a set counts 1, confederation segments 0. */
    public int length() {
        int n = 0;
        for (int i = 0; i < segments.length; i += 2 + segments[i + 1]) {
            int t = segments[i];
            n += t == AS_SEQUENCE ? segments[i + 1] : t == AS_SET ? 1 : 0;
        }
        return n;
    }

    /** True when any ASN needs four octets. */
    public boolean needsFourOctets() {
        for (int i = 0; i < segments.length; i += 2 + segments[i + 1]) {
            for (int k = 0; k < segments[i + 1]; k++) {
                if ((segments[i + 2 + k] & 0xffff0000) != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The first AS of a leading AS_SEQUENCE, or -1. */
    public long firstAs() {
        return segments.length > 0 && segments[0] == AS_SEQUENCE ? segments[2] & 0xffffffffL : -1;
    }

    public boolean contains(long asn) {
        for (int i = 0; i < segments.length; i += 2 + segments[i + 1]) {
            for (int k = 0; k < segments[i + 1]; k++) {
                if ((segments[i + 2 + k] & 0xffffffffL) == asn) {
                    return true;
                }
            }
        }
        return false;
    }

    /** This path with {@code asn} prepended to the leading AS_SEQUENCE (a new segment when none or when it is full). */
    public AsPath prepend(long asn) {
        if (segments.length > 0 && segments[0] == AS_SEQUENCE && segments[1] < 255) {
            int[] s = new int[segments.length + 1];
            s[0] = AS_SEQUENCE;
            s[1] = segments[1] + 1;
            s[2] = (int) asn;
            System.arraycopy(segments, 2, s, 3, segments.length - 2);
            return new AsPath(s);
        }
        int[] s = new int[segments.length + 3];
        s[0] = AS_SEQUENCE;
        s[1] = 1;
        s[2] = (int) asn;
        System.arraycopy(segments, 0, s, 3, segments.length);
        return new AsPath(s);
    }

    /** Segments without the confederation ones (what AS4_PATH may carry). */
    AsPath withoutConfed() {
        int[] s = new int[segments.length];
        int o = 0;
        for (int i = 0; i < segments.length; i += 2 + segments[i + 1]) {
            if (segments[i] >= AS_CONFED_SEQUENCE) {
                continue;
            }
            System.arraycopy(segments, i, s, o, 2 + segments[i + 1]);
            o += 2 + segments[i + 1];
        }
        return new AsPath(Arrays.copyOf(s, o));
    }

    /** Count of ASes as RFC 6793 section 4.2.3 counts them (sets count 1, confederation segments 0). */
    int as4Count() {
        return length();
    }

    /**
     * RFC 6793 section 4.2.3: the leading ASes of this 2-octet-speaker AS_PATH followed by AS4_PATH; AS4_PATH is
     * ignored when it is longer than this path.
     */
    AsPath mergeAs4(AsPath as4) {
        int keep = as4Count() - as4.as4Count();
        if (keep < 0) {
            return this;
        }
        int[] out = new int[segments.length + as4.segments.length];
        int o = 0;
        for (int i = 0; i < segments.length && keep > 0; i += 2 + segments[i + 1]) {
            int t = segments[i], n = segments[i + 1];
            if (t >= AS_CONFED_SEQUENCE) {
                System.arraycopy(segments, i, out, o, 2 + n);
                o += 2 + n;
                continue;
            }
            int take = t == AS_SET ? n : Math.min(n, keep);
            out[o] = t;
            out[o + 1] = take;
            System.arraycopy(segments, i + 2, out, o + 2, take);
            o += 2 + take;
            keep -= t == AS_SET ? 1 : take;
        }
        System.arraycopy(as4.segments, 0, out, o, as4.segments.length);
        return new AsPath(Arrays.copyOf(out, o + as4.segments.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AsPath p && Arrays.equals(p.segments, segments);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(segments);
    }

    /** BIRD-like text: {@code 65001 65002 {65003 65004} (65005)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < segments.length; i += 2 + segments[i + 1]) {
            int t = segments[i], n = segments[i + 1];
            String open = t == AS_SET ? "{" : t == AS_CONFED_SEQUENCE ? "(" : t == AS_CONFED_SET ? "[" : "";
            String close = t == AS_SET ? "}" : t == AS_CONFED_SEQUENCE ? ")" : t == AS_CONFED_SET ? "]" : "";
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(open);
            for (int k = 0; k < n; k++) {
                sb.append(k == 0 ? "" : " ").append(Integer.toUnsignedString(segments[i + 2 + k]));
            }
            sb.append(close);
        }
        return sb.toString();
    }
}
