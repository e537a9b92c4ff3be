package org.calicojava.bgp.codec;

/** AGGREGATOR / AS4_AGGREGATOR value: the aggregating AS (unsigned 32-bit) and its BGP identifier. */
public record Aggregator(long asn, int address) {
    public Aggregator {
        if (asn < 0 || asn > 0xffffffffL) {
            throw new IllegalArgumentException("aggregator AS: " + asn + " (expected: 0..4294967295)");
        }
    }

    @Override
    public String toString() {
        return asn + " " + Ip.v4String(address);
    }
}
