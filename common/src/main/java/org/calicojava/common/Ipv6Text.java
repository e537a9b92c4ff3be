package org.calicojava.common;

/**
 * IPv6 addresses as text in RFC 5952's canonical form: lower-case hex without leading zeros, the longest run of two
 * or more zero fields (the first of equal runs) shortened to "::", a single zero field kept as "0" (section 4.2.2).
 * The one formatter of etcd-schema's {@code Cidr}, netlink's {@code IpPrefix} and (through netlink) the BGP speaker.
 */
public final class Ipv6Text {
    private Ipv6Text() {}

    /** The canonical text of a 16-byte IPv6 address. */
    public static String format(byte[] b) {
        if (b.length != 16) {
            throw new IllegalArgumentException("IPv6 address: " + b.length + " bytes (expected: 16)");
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1; // a single zero field is not shortened
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }
}
