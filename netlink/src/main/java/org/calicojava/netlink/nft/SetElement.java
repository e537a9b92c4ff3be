package org.calicojava.netlink.nft;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.calicojava.netlink.IpPrefix;

/**
 * One set element: its key, {@link #INTERVAL_END} for the element that closes an interval, and for a verdict map
 * its verdict (null in a plain set).
 */
public record SetElement(Bytes key, int flags, Verdict verdict) {
    public static final int INTERVAL_END = 0x1;

    public SetElement {
        Objects.requireNonNull(key, "key");
    }

    public static SetElement of(Bytes key) {
        return new SetElement(key, 0, null);
    }

    public static SetElement mapping(Bytes key, Verdict verdict) {
        return new SetElement(key, 0, Objects.requireNonNull(verdict, "verdict"));
    }

    public static SetElement end(Bytes key) {
        return new SetElement(key, INTERVAL_END, null);
    }

    public boolean isEnd() {
        return (flags & INTERVAL_END) != 0;
    }

    /**
     * The elements of an interval set holding {@code prefixes} (one family), as nft sends them: sorted, an end
     * element at the zero address unless a range starts there, then each range's start and an end element at the
     * first address after it (left out when the range reaches the last address; touching or overlapping ranges
     * merged).
     */
    public static List<SetElement> intervals(List<IpPrefix> prefixes) {
        if (prefixes.isEmpty()) {
            return List.of();
        }
        int bytes = prefixes.get(0).isIpv4() ? 4 : 16;
        BigInteger max = BigInteger.ONE.shiftLeft(bytes * 8);
        List<BigInteger[]> ranges = new ArrayList<>();
        for (IpPrefix p : prefixes) {
            if ((p.isIpv4() ? 4 : 16) != bytes) {
                throw new IllegalArgumentException("interval set of mixed families: " + prefixes);
            }
            BigInteger start = new BigInteger(1, p.address().getAddress());
            BigInteger size = BigInteger.ONE.shiftLeft(bytes * 8 - p.length());
            start = start.subtract(start.mod(size));
            ranges.add(new BigInteger[] {start, start.add(size)});
        }
        ranges.sort(Comparator.comparing(r -> r[0]));
        List<BigInteger[]> merged = new ArrayList<>();
        for (BigInteger[] r : ranges) {
            BigInteger[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && r[0].compareTo(last[1]) <= 0) {
                last[1] = last[1].max(r[1]);
            } else {
                merged.add(r.clone());
            }
        }
        List<SetElement> out = new ArrayList<>();
        if (merged.get(0)[0].signum() != 0) {
            out.add(end(key(BigInteger.ZERO, bytes)));
        }
        for (BigInteger[] r : merged) {
            out.add(of(key(r[0], bytes)));
            if (r[1].compareTo(max) < 0) {
                out.add(end(key(r[1], bytes)));
            }
        }
        return out;
    }

    /** The {@code bytes}-byte big-endian key of an address given as a number (an interval's start or end). */
    public static Bytes key(BigInteger v, int bytes) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[bytes];
        int n = Math.min(raw.length, bytes);
        System.arraycopy(raw, raw.length - n, out, bytes - n, n);
        return Bytes.of(out);
    }
}
