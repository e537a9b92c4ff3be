package org.calicojava.felix.nft;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Members of interval sets in the form nft lists them: a host prefix as the bare address, other prefixes with host
 * bits cleared, IPv6 compressed (RFC 5952). An interval set refuses overlapping elements, so a member covered by
 * another member is left out (the set matches the same addresses).
 */
public final class NftMembers {
    private NftMembers() {
    }

    public static Set<String> normalize(Collection<String> cidrs) {
        Set<String> all = new HashSet<>();
        for (String c : cidrs) {
            all.add(canonical(c));
        }
        Set<Integer> lengths = new HashSet<>();
        for (String m : all) {
            int slash = m.indexOf('/');
            if (slash > 0) {
                lengths.add(Integer.parseInt(m.substring(slash + 1)));
            }
        }
        if (lengths.isEmpty()) {
            return all; // only host addresses: nothing can cover another
        }
        Set<String> out = new HashSet<>();
        for (String m : all) {
            if (!covered(m, all, lengths)) {
                out.add(m);
            }
        }
        return out;
    }

    /** "10.0.0.5/32" to "10.0.0.5", "10.1.2.3/16" to "10.1.0.0/16", IPv6 compressed. */
    public static String canonical(String cidr) {
        int slash = cidr.indexOf('/');
        byte[] a = parse(slash < 0 ? cidr : cidr.substring(0, slash));
        int len = slash < 0 ? a.length * 8 : Integer.parseInt(cidr.substring(slash + 1).strip());
        if (len < 0 || len > a.length * 8) {
            throw new IllegalArgumentException("prefix length: " + len + " in '" + cidr + "'");
        }
        mask(a, len);
        return len == a.length * 8 ? format(a) : format(a) + "/" + len;
    }

    private static boolean covered(String m, Set<String> all, Set<Integer> lengths) {
        int slash = m.indexOf('/');
        byte[] a = parse(slash < 0 ? m : m.substring(0, slash));
        int len = slash < 0 ? a.length * 8 : Integer.parseInt(m.substring(slash + 1));
        for (int l : lengths) {
            if (l >= len) {
                continue;
            }
            byte[] b = a.clone();
            mask(b, l);
            if (all.contains(format(b) + "/" + l)) {
                return true;
            }
        }
        return false;
    }

    private static void mask(byte[] a, int len) {
        for (int i = 0; i < a.length; i++) {
            int bits = Math.max(0, Math.min(8, len - i * 8));
            a[i] &= (byte) (0xff00 >> bits);
        }
    }

    private static byte[] parse(String ip) {
        if (!ip.matches("[0-9a-fA-F.:]+")) {
            throw new IllegalArgumentException("IP address: '" + ip + "'");
        }
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("IP address: '" + ip + "'");
        }
    }

    static String format(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = (a[2 * i] & 0xff) << 8 | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(w[i]));
        }
        return b.toString();
    }
}
