package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An IP pool: {@code /calico/v1/ipam/v4/pool/10.1.0.0-16} = {"cidr","ipip","masquerade","disabled","block_size"}.
 * Block size defaults to 26 (IPv4) / 122 (IPv6); the pool must hold at least one block.
 */
public record IpPool(
        @JsonProperty("cidr") Cidr cidr,
        @JsonProperty("ipip") boolean ipip,
        @JsonProperty("masquerade") boolean masquerade,
        @JsonProperty("disabled") boolean disabled,
        @JsonProperty("block_size") int blockSize) {

    public IpPool {
        if (cidr == null) {
            throw new IllegalArgumentException("pool cidr: missing");
        }
        if (blockSize == 0) {
            blockSize = cidr.isIpv4() ? 26 : 122;
        }
        int min = cidr.isIpv4() ? 20 : 116;
        int max = cidr.maxLength();
        if (blockSize < min || blockSize > max) {
            throw new IllegalArgumentException("block size: " + blockSize + " (expected: " + min + ".." + max
                    + " for IPv" + cidr.version() + ")");
        }
        if (cidr.prefixLength() > blockSize) {
            throw new IllegalArgumentException("pool " + cidr + " is smaller than its block size /" + blockSize);
        }
        if (ipip && !cidr.isIpv4()) {
            throw new IllegalArgumentException("pool " + cidr + ": IPIP is only for IPv4 pools");
        }
    }

    public static IpPool of(Cidr cidr) {
        return new IpPool(cidr, false, false, false, 0);
    }

    /** Number of blocks this pool is carved into. */
    public long blockCount() {
        return 1L << Math.min(62, blockSize - cidr.prefixLength());
    }
}
