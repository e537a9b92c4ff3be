package org.calicojava.confd;

import org.calicojava.model.EncapMode;
import org.calicojava.model.IpPool;

/**
 * An IP-in-IP pool for the templates: {@code cidr} ("10.65.0.0/16", canonical) and {@code mode} ({@code always} or
 * {@code cross-subnet}, the pool's {@code ipip_mode}); {@code crossSubnet} for the template's conditionals.
 */
public record EncapPool(String cidr, String mode, boolean crossSubnet) {
    public EncapPool {
        new Prefix(cidr, 4, 0, 32, true, false); // the same check as every prefix a template writes
        if (!mode.equals("always") && !mode.equals("cross-subnet")) {
            throw new IllegalArgumentException(
                    "ipip mode: " + org.calicojava.model.LogText.quote(mode) + " (expected: always or cross-subnet)");
        }
    }

    /** The pool's IP-in-IP settings, or null when it does not use IP-in-IP. */
    static EncapPool ipip(IpPool p) {
        if (!p.ipipMode().enabled() || !p.cidr().isIpv4()) {
            return null;
        }
        boolean cross = p.ipipMode() == EncapMode.CROSS_SUBNET;
        return new EncapPool(p.cidr().toString(), cross ? "cross-subnet" : "always", cross);
    }
}
