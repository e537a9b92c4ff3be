package org.calicojava.felix.nft;

import java.util.Set;
import org.calicojava.felix.calc.PersistentSet;

/** A set of addresses/prefixes ({@code type ipv4_addr} or {@code ipv6_addr}, {@code flags interval}). */
public record NftSet(String name, int version, Set<String> members) {
    public NftSet {
        if (!NftNames.isIdentifier(name)) {
            throw new IllegalArgumentException("nft set name: '" + name + "' (expected: an nft identifier)");
        }
        if (version != 4 && version != 6) {
            throw new IllegalArgumentException("nft set " + name + ": IP version " + version + " (expected: 4 or 6)");
        }
        members = members instanceof PersistentSet<String> ? members : Set.copyOf(members);
    }

    public String type() {
        return type(version);
    }

    /** The nft element type of IP version {@code version}'s addresses. */
    static String type(int version) {
        return version == 4 ? "ipv4_addr" : "ipv6_addr";
    }
}
