package org.calicojava.bgp.codec;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.calicojava.common.Ipv6Text;

/**
 * One IP prefix as a value (used at the edges: config, tests, formatting); the hot path keeps prefixes packed in {@link Nlri}.
 * Words are big-endian address words with host bits cleared.
 */
public record Prefix(Family family, int length, int w0, int w1, int w2, int w3) {
    public Prefix {
        if (length < 0 || length > family.maxPrefixLength()) {
            throw new IllegalArgumentException(
                    "prefix length: " + length + " (expected: 0.." + family.maxPrefixLength() + ")");
        }
        w0 = mask(w0, length); // no array: this runs once per prefix on the RIB's hot path
        w1 = mask(w1, length - 32);
        w2 = mask(w2, length - 64);
        w3 = mask(w3, length - 96);
    }

    private static int mask(int w, int bits) {
        return bits >= 32 ? w : bits <= 0 ? 0 : w & (-1 << (32 - bits));
    }

    public int word(int i) {
        return switch (i) {
            case 0 -> w0;
            case 1 -> w1;
            case 2 -> w2;
            default -> w3;
        };
    }

    /** Parses {@code 10.0.0.0/24} or {@code 2001:db8::/64}; a bare address is a host prefix. */
    public static Prefix parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("prefix: null (expected: ADDRESS/LENGTH)");
        }
        int slash = s.indexOf('/');
        InetAddress a = Ip.parse(slash < 0 ? s : s.substring(0, slash));
        Family f = a instanceof Inet4Address ? Family.IPV4_UNICAST : Family.IPV6_UNICAST;
        int len;
        try {
            len = slash < 0 ? f.maxPrefixLength() : Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prefix: " + s + " (expected: ADDRESS/LENGTH)");
        }
        if (len < 0 || len > f.maxPrefixLength()) {
            throw new IllegalArgumentException("prefix: " + s + " (expected: length 0.." + f.maxPrefixLength() + ")");
        }
        byte[] b = a.getAddress();
        int[] w = new int[4];
        for (int i = 0; i < b.length; i++) {
            w[i / 4] |= (b[i] & 0xff) << (24 - 8 * (i % 4));
        }
        return new Prefix(f, len, w[0], w[1], w[2], w[3]);
    }

    public byte[] addressBytes() {
        return bytes(family, w0, w1, w2, w3);
    }

    static byte[] bytes(Family f, int... w) {
        byte[] b = new byte[f.addressBytes];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (w[i / 4] >>> (24 - 8 * (i % 4)));
        }
        return b;
    }

    @Override
    public String toString() {
        return formatAddress(addressBytes()) + "/" + length;
    }

    static String format(Family f, int i, Nlri n) {
        if (f == Family.IPV4_UNICAST) {
            return Ip.v4String(n.word(i, 0)) + "/" + n.prefixLength(i);
        }
        return formatAddress(bytes(f, n.word(i, 0), n.word(i, 1), n.word(i, 2), n.word(i, 3))) + "/"
                + n.prefixLength(i);
    }

    /** RFC 5952 text of a 4- or 16-byte address. */
    public static String formatAddress(byte[] b) {
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
        for (int i = 0; i < 10 && mapped; i++) {
            mapped = b[i] == 0;
        }
        if (mapped) {
            return "::ffff:" + formatAddress(java.util.Arrays.copyOfRange(b, 12, 16)); // RFC 5952 section 5
        }
        return Ipv6Text.format(b);
    }
}
