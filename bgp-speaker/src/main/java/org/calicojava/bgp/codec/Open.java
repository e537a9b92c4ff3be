package org.calicojava.bgp.codec;

/**
 * OPEN (RFC 4271 section 4.2).
 *
 * @param myAs the 2-octet My Autonomous System field (AS_TRANS 23456 when the real AS needs 4 octets)
 * @param holdTime seconds, 0 or >= 3
 * @param bgpId the BGP identifier as an unsigned 32-bit int
 */
public record Open(int version, int myAs, int holdTime, int bgpId, Capabilities capabilities) implements Message {
    public static final int AS_TRANS = 23456;

    public Open {
        if (myAs < 0 || myAs > 0xffff) {
            throw new IllegalArgumentException("my AS: " + myAs + " (expected: 0..65535)");
        }
        if (holdTime < 0 || holdTime > 0xffff) {
            throw new IllegalArgumentException("hold time: " + holdTime + " (expected: 0..65535)");
        }
    }

    /** An OPEN for a speaker of AS {@code asn}, with AS_TRANS in the 2-octet field when it does not fit. */
    public static Open of(long asn, int holdTime, int bgpId, Capabilities caps) {
        return new Open(4, asn > 0xffff ? AS_TRANS : (int) asn, holdTime, bgpId, caps);
    }

    /** The sender's AS: the 4-octet capability's when present, else the 2-octet field. */
    public long peerAs() {
        return capabilities.hasAs4() ? capabilities.as4() : myAs;
    }

    @Override
    public int type() {
        return OPEN;
    }

    @Override
    public String toString() {
        return "OPEN as " + peerAs() + " hold " + holdTime + " id " + Ip.v4String(bgpId) + " " + capabilities;
    }
}
