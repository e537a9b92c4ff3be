package org.calicojava.felix.nft;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.calicojava.model.Cidr;

/**
 * Members of interval sets in the form nft lists them: a host prefix as the bare address, other prefixes with host
 * bits cleared, IPv6 compressed (RFC 5952). An interval set refuses overlapping elements, so a member covered by
 * another member is left out (the set matches the same addresses).
 */
public final class NftMembers {
    private NftMembers() {}

    public static Set<String> normalize(Collection<String> cidrs) {
        Set<Cidr> all = new HashSet<>();
        Set<Integer> lengths = new HashSet<>();
        for (String c : cidrs) {
            Cidr cidr = Cidr.parse(c);
            all.add(cidr);
            if (cidr.prefixLength() < cidr.maxLength()) {
                lengths.add(cidr.prefixLength());
            }
        }
        Set<String> out = new HashSet<>();
        for (Cidr m : all) {
            if (!covered(m, all, lengths)) {
                out.add(text(m));
            }
        }
        return out;
    }

    /** "10.0.0.5/32" to "10.0.0.5", "10.1.2.3/16" to "10.1.0.0/16", IPv6 compressed. */
    public static String canonical(String cidr) {
        return text(Cidr.parse(cidr));
    }

    private static String text(Cidr c) {
        return c.prefixLength() == c.maxLength() ? c.ip() : c.toString();
    }

    private static boolean covered(Cidr m, Set<Cidr> all, Set<Integer> lengths) {
        for (int l : lengths) {
            if (l < m.prefixLength() && all.contains(Cidr.of(m.address(), l))) {
                return true;
            }
        }
        return false;
    }
}
