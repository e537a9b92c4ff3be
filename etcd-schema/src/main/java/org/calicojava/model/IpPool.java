package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An IP pool: {@code /calico/v1/ipam/v4/pool/10.1.0.0-16} =
 * {"cidr","ipip","ipip_mode","vxlan_mode","masquerade","disabled","block_size"}.
 * Block size defaults to 26 (IPv4) / 122 (IPv6); the pool must hold at least one block.
 *
 * <p>Encapsulation as Calico's v1 record: {@code ipip} says IP-in-IP is on and {@code ipip_mode} how
 * ({@code always}, the default, or {@code cross-subnet}); {@code vxlan_mode} sits beside them. IP-in-IP is
 * IPv4 only; a pool uses at most one of the two. {@link #ipipMode()} is {@code never} whenever {@code ipip} is false.
 */
public record IpPool(
        @JsonProperty("cidr") Cidr cidr,
        @JsonProperty("ipip") boolean ipip,
        @JsonProperty("ipip_mode") EncapMode ipipMode,
        @JsonProperty("vxlan_mode") EncapMode vxlanMode,
        @JsonProperty("masquerade") boolean masquerade,
        @JsonProperty("disabled") boolean disabled,
        @JsonProperty("block_size") int blockSize) {

    @JsonCreator
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
            throw new IllegalArgumentException(
                    "block size: " + blockSize + " (expected: " + min + ".." + max + " for IPv" + cidr.version() + ")");
        }
        if (cidr.prefixLength() > blockSize) {
            throw new IllegalArgumentException("pool " + cidr + " is smaller than its block size /" + blockSize);
        }
        for (Cidr r : RESERVED) {
            if (r.isIpv4() == cidr.isIpv4() && r.overlaps(cidr)) {
                throw new IllegalArgumentException("pool " + cidr + " overlaps " + r
                        + " (expected: no unspecified, loopback, link-local, multicast or IPv4-mapped addresses)");
            }
        }
        if (!ipip) {
            ipipMode = EncapMode.NEVER;
        } else if (ipipMode == null || ipipMode == EncapMode.NEVER) {
            ipipMode = EncapMode.ALWAYS;
        }
        if (vxlanMode == null) {
            vxlanMode = EncapMode.NEVER;
        }
        if (ipip && !cidr.isIpv4()) {
            throw new IllegalArgumentException("pool " + cidr + ": IPIP is only for IPv4 pools (expected: --vxlan)");
        }
        if (ipip && vxlanMode.enabled()) {
            throw new IllegalArgumentException(
                    "pool " + cidr + ": IPIP and VXLAN together (expected: at most one encapsulation per pool)");
        }
    }

    /**
     * {@code Json.read(json, IpPool.class)}, quicker for the record as javactl writes it ({@link LightJson#read}: no
     * databind start-up for a one-shot {@code pool show}, nor for felix's start). Only the plain shape is read here: a
     * string cidr and modes, boolean flags, an int block size, unknown fields ignored; anything else goes through
     * databind.
     */
    public static IpPool read(String json) {
        return LightJson.read(json, IpPool.class, PLAIN);
    }

    /**
     * {@link #plain} as a class, not a method reference: javactl's fast path ({@code pool show}) runs no lambda of ours
     * before its socket needs {@code java.lang.invoke} (ctl README).
     */
    private static final java.util.function.Function<Object, IpPool> PLAIN = new Plain();

    private static final class Plain implements java.util.function.Function<Object, IpPool> {
        @Override
        public IpPool apply(Object root) {
            return plain(root);
        }
    }

    /** The pool of a plain document's root; throws for another shape (see {@link #read}). */
    static IpPool plain(Object root) {
        java.util.Map<?, ?> m = LightJson.object(root);
        String cidr = LightJson.text(m, "cidr");
        String ipipMode = LightJson.text(m, "ipip_mode");
        String vxlanMode = LightJson.text(m, "vxlan_mode");
        Integer blockSize = LightJson.integer(m, "block_size");
        return new IpPool(
                cidr == null ? null : Cidr.parse(cidr),
                LightJson.flag(m, "ipip"),
                ipipMode == null ? null : EncapMode.parse(ipipMode),
                vxlanMode == null ? null : EncapMode.parse(vxlanMode),
                LightJson.flag(m, "masquerade"),
                LightJson.flag(m, "disabled"),
                blockSize == null ? 0 : blockSize);
    }

    /** A pool without encapsulation. */
    public IpPool(Cidr cidr, boolean ipip, boolean masquerade, boolean disabled, int blockSize) {
        this(cidr, ipip, null, null, masquerade, disabled, blockSize);
    }

    /**
     * Ranges no pool may overlap (as Calico refuses link-local pools): workload addresses there would be the host's
     * own loopback or link-local traffic, and a pool as wide as {@code 0.0.0.0/1} would also put the default route's
     * half of the address space into the pool sets and, as VXLAN blocks, into routes.
     */
    private static final java.util.List<Cidr> RESERVED = java.util.List.of(
            Cidr.parse("0.0.0.0/8"),
            Cidr.parse("127.0.0.0/8"),
            Cidr.parse("169.254.0.0/16"),
            Cidr.parse("224.0.0.0/4"),
            Cidr.parse("::/128"),
            Cidr.parse("::1/128"),
            Cidr.MAPPED,
            Cidr.parse("fe80::/10"),
            Cidr.parse("ff00::/8"));

    /** A pool with the given modes ({@code never} for either, not both enabled). */
    public static IpPool of(
            Cidr cidr, EncapMode ipipMode, EncapMode vxlanMode, boolean masquerade, boolean disabled, int blockSize) {
        return new IpPool(cidr, ipipMode.enabled(), ipipMode, vxlanMode, masquerade, disabled, blockSize);
    }

    public static IpPool of(Cidr cidr) {
        return new IpPool(cidr, false, false, false, 0);
    }

    /** Number of blocks this pool is carved into. */
    public long blockCount() {
        return 1L << Math.min(62, blockSize - cidr.prefixLength());
    }

    /** True when traffic to this pool is encapsulated (IP-in-IP or VXLAN) in some case. */
    public boolean encapsulated() {
        return ipipMode.enabled() || vxlanMode.enabled();
    }
}
