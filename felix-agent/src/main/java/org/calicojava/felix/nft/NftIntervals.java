package org.calicojava.felix.nft;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.calicojava.netlink.NftTable;

/**
 * Set elements as the kernel holds them, in the form nft lists them ({@link NftMembers}): an interval set keeps
 * each range as a start element and an interval-end element at the first address after it (none when the range
 * runs to the last address); a range that is a prefix reads as the prefix ("10.1.0.0/16", a host as the bare
 * address), any other as "first-last". An end without a start (nft's leading zero element) is skipped; a start
 * without an end before the next start reads as "first-?" (which matches nothing we write: the set is rewritten).
 */
final class NftIntervals {
    private NftIntervals() {}

    static Set<String> members(List<NftTable.Element> elements) {
        List<NftTable.Element> sorted = new ArrayList<>(elements);
        sorted.sort(Comparator.comparing((NftTable.Element e) -> new BigInteger(1, e.key()))
                .thenComparing(e -> !e.intervalEnd())); // at one address, the end of one range before the next start
        Set<String> out = new HashSet<>();
        byte[] start = null;
        for (NftTable.Element e : sorted) {
            if (!e.intervalEnd()) {
                if (start != null) {
                    out.add(address(start) + "-?");
                }
                start = e.key();
            } else if (start != null) {
                out.add(range(start, new BigInteger(1, e.key())));
                start = null;
            }
        }
        if (start != null) {
            out.add(range(start, BigInteger.ONE.shiftLeft(start.length * 8)));
        }
        return out;
    }

    /** [start, end) as a prefix when it is one, else "first-last". */
    private static String range(byte[] start, BigInteger end) {
        int bits = start.length * 8;
        BigInteger first = new BigInteger(1, start);
        BigInteger size = end.subtract(first);
        if (size.signum() > 0 && size.bitCount() == 1) {
            int hostBits = size.bitLength() - 1;
            if (first.getLowestSetBit() >= hostBits || first.signum() == 0) {
                int len = bits - hostBits;
                return len == bits ? address(start) : NftMembers.canonical(address(start) + "/" + len);
            }
        }
        return address(start) + "-" + address(toBytes(end.subtract(BigInteger.ONE), start.length));
    }

    private static byte[] toBytes(BigInteger v, int length) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[length];
        int n = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - n, out, length - n, n);
        return out;
    }

    /** An IPv4 or IPv6 address key as nft prints it. */
    static String address(byte[] key) {
        try {
            return NftMembers.canonical(InetAddress.getByAddress(key).getHostAddress());
        } catch (UnknownHostException e) {
            return "0x" + new BigInteger(1, key).toString(16); // not an address: differs from anything we write
        }
    }

    /** An ifname key (16 bytes, NUL padded). */
    static String name(byte[] key) {
        int n = 0;
        while (n < key.length && key[n] != 0) {
            n++;
        }
        return new String(Arrays.copyOf(key, n), StandardCharsets.UTF_8);
    }
}
