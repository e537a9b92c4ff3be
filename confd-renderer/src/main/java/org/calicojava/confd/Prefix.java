package org.calicojava.confd;

import org.calicojava.model.Cidr;

/** An IP pool or an IPAM block for the templates: {@code cidr} ("10.1.0.0/16"), family, and pool flags. */
public record Prefix(String cidr, int version, int prefixLength, int maxLength, boolean ipip, boolean disabled) {
    static Prefix of(Cidr c, boolean ipip, boolean disabled) {
        return new Prefix(c.toString(), c.version(), c.prefixLength(), c.maxLength(), ipip, disabled);
    }

    public boolean ipv4() {
        return version == 4;
    }

    public boolean ipv6() {
        return version == 6;
    }
}
