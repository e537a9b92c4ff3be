package org.calicojava.ipam;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code /calico/ipam/v2/config} = {"strict_affinity":false,"auto_allocate_blocks":true}. */
public record IpamConfig(
        @JsonProperty("strict_affinity") boolean strictAffinity,
        @JsonProperty("auto_allocate_blocks") Boolean autoAllocateBlocks) {
    public IpamConfig {
        autoAllocateBlocks = autoAllocateBlocks == null ? Boolean.TRUE : autoAllocateBlocks;
    }

    public static final IpamConfig DEFAULT = new IpamConfig(false, true);
}
