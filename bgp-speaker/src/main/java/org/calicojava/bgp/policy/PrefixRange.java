package org.calicojava.bgp.policy;

import org.calicojava.bgp.codec.Prefix;

/**
 * A prefix-list entry: {@code 10.0.0.0/8}, {@code 10.0.0.0/8 le 32}, {@code 10.0.0.0/8 ge 24 le 28}. A route matches when
 * it lies inside {@code prefix} and its length is within [ge, le] (both default to the prefix's own length).
 */
public record PrefixRange(Prefix prefix, int ge, int le) {
    public PrefixRange {
        int max = prefix.family().maxPrefixLength();
        if (ge < prefix.length() || ge > max) {
            throw new IllegalArgumentException("ge: " + ge + " (expected: " + prefix.length() + ".." + max + ")");
        }
        if (le < ge || le > max) {
            throw new IllegalArgumentException("le: " + le + " (expected: " + ge + ".." + max + ")");
        }
    }

    public static PrefixRange parse(String text) {
        String[] t = text.trim().split("\\s+");
        Prefix p = Prefix.parse(t[0]);
        int ge = p.length(), le = -1;
        for (int i = 1; i < t.length; i += 2) {
            if (i + 1 >= t.length) {
                throw new IllegalArgumentException("prefix range: " + text + " (expected: CIDR [ge N] [le N])");
            }
            int n;
            try {
                n = Integer.parseInt(t[i + 1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("prefix range: " + text + " (expected: CIDR [ge N] [le N])");
            }
            switch (t[i]) {
                case "ge" -> ge = n;
                case "le" -> le = n;
                default ->
                    throw new IllegalArgumentException("prefix range: " + text + " (expected: CIDR [ge N] [le N])");
            }
        }
        if (le < 0) {
            le = t.length == 1 ? p.length() : p.family().maxPrefixLength(); // "ge N" alone: up to the maximum
        }
        return new PrefixRange(p, ge, le);
    }

    public boolean matches(Prefix r) {
        if (r.family() != prefix.family() || r.length() < ge || r.length() > le) {
            return false;
        }
        int bits = prefix.length();
        for (int i = 0; i < 4 && bits > 0; i++, bits -= 32) {
            int mask = bits >= 32 ? -1 : -1 << (32 - bits);
            if ((r.word(i) & mask) != prefix.word(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return prefix + " ge " + ge + " le " + le;
    }
}
