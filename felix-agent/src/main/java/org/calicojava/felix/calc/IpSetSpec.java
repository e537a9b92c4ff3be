package org.calicojava.felix.calc;

import java.util.Set;

/**
 * A desired ipset: type hash:net of one family (4 or 6), with its members (CIDR strings; kept as given when a
 * {@link PersistentSet}, else copied).
 */
public record IpSetSpec(String name, int version, Set<String> members) {
    public IpSetSpec {
        members = members instanceof PersistentSet<String> ? members : Set.copyOf(members);
    }

    public String family() {
        return version == 4 ? "inet" : "inet6";
    }
}
