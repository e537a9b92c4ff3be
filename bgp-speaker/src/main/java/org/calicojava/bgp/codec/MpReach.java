package org.calicojava.bgp.codec;

import java.util.Arrays;

/**
 * MP_REACH_NLRI (RFC 4760 section 3): family, next hop (IPv4: 4 bytes; IPv6: 16, or 32 with the link-local), prefixes.
 */
public record MpReach(Family family, byte[] nextHop, Nlri nlri) {
    public MpReach {
        int n = nextHop.length;
        boolean ok = family == Family.IPV4_UNICAST ? n == 4 : n == 16 || n == 32; // no RFC 8950 extended next hop
        if (!ok) {
            throw new IllegalArgumentException(
                    "next hop: " + n + " bytes (expected: " + (family == Family.IPV4_UNICAST ? "4" : "16 or 32") + ")");
        }
        if (nlri.family() != family) {
            throw new IllegalArgumentException("nlri family: " + nlri.family() + " (expected: " + family + ")");
        }
        nextHop = nextHop.clone();
    }

    @Override
    public byte[] nextHop() {
        return nextHop.clone();
    }

    byte[] rawNextHop() {
        return nextHop;
    }

    /** The next hop as text (global, then link-local when present). */
    public String nextHopString() {
        if (nextHop.length == 32) {
            return Prefix.formatAddress(Arrays.copyOf(nextHop, 16)) + " "
                    + Prefix.formatAddress(Arrays.copyOfRange(nextHop, 16, 32));
        }
        return Prefix.formatAddress(nextHop);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MpReach m && m.family == family && Arrays.equals(m.nextHop, nextHop) && m.nlri.equals(nlri);
    }

    @Override
    public int hashCode() {
        return (family.hashCode() * 31 + Arrays.hashCode(nextHop)) * 31 + nlri.hashCode();
    }

    @Override
    public String toString() {
        return "MP_REACH " + family + " via " + nextHopString() + " " + nlri;
    }
}
