package org.calicojava.bgp.codec;

/** MP_UNREACH_NLRI (RFC 4760 section 4): withdrawn prefixes of one family; empty means End-of-RIB (RFC 4724). */
public record MpUnreach(Family family, Nlri nlri) {
    public MpUnreach {
        if (nlri.family() != family) {
            throw new IllegalArgumentException("nlri family: " + nlri.family() + " (expected: " + family + ")");
        }
    }

    @Override
    public String toString() {
        return "MP_UNREACH " + family + " " + nlri;
    }
}
