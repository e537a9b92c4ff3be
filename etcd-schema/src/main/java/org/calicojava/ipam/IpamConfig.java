package org.calicojava.ipam;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code /calico/ipam/v2/config} = {"strict_affinity":false,"auto_allocate_blocks":true,"max_blocks_per_host":0}, as
 * Calico's IPAMConfiguration: {@code strict_affinity} forbids borrowing an address from another host's block;
 * {@code auto_allocate_blocks} false stops hosts claiming blocks; {@code max_blocks_per_host} caps the blocks affine
 * to one host per IP version (0 or absent: no cap; at the cap a host borrows, or fails under strict affinity).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IpamConfig(
        @JsonProperty("strict_affinity") boolean strictAffinity,
        @JsonProperty("auto_allocate_blocks") Boolean autoAllocateBlocks,
        @JsonProperty("max_blocks_per_host") Integer maxBlocksPerHost) {
    /** The largest cap accepted (a /8 pool of /26 blocks has 262,144). */
    public static final int MAX_BLOCKS = 1 << 24;

    public IpamConfig {
        autoAllocateBlocks = autoAllocateBlocks == null ? Boolean.TRUE : autoAllocateBlocks;
        if (maxBlocksPerHost != null && (maxBlocksPerHost < 0 || maxBlocksPerHost > MAX_BLOCKS)) {
            throw new IllegalArgumentException(
                    "max_blocks_per_host: " + maxBlocksPerHost + " (expected: 0.." + MAX_BLOCKS + ", 0: no cap)");
        }
        if (maxBlocksPerHost != null && maxBlocksPerHost == 0) {
            maxBlocksPerHost = null; // the default; not written
        }
    }

    public IpamConfig(boolean strictAffinity, Boolean autoAllocateBlocks) {
        this(strictAffinity, autoAllocateBlocks, null);
    }

    public static final IpamConfig DEFAULT = new IpamConfig(false, true, null);

    /** The cap on one host's blocks of one IP version; 0: none. */
    public int blockCap() {
        return maxBlocksPerHost == null ? 0 : maxBlocksPerHost;
    }
}
