package org.calicojava.confd;

import org.calicojava.model.Cidr;
import org.calicojava.model.LogText;

/** An IP pool or an IPAM block for the templates: {@code cidr} ("10.1.0.0/16"), family, and pool flags. */
public record Prefix(String cidr, int version, int prefixLength, int maxLength, boolean ipip, boolean disabled) {
    /** Checks again what ContextBuilder validated: the CIDR is canonical text of an address and a length. */
    public Prefix {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        if (slash < 0 || !cidr.substring(slash + 1).matches("[0-9]{1,3}")) {
            throw new IllegalArgumentException("prefix: " + LogText.quote(cidr) + " (expected: ADDRESS/LENGTH)");
        }
        Values.address("prefix", cidr.substring(0, slash));
    }

    static Prefix of(Cidr c, boolean ipip, boolean disabled) {
        return new Prefix(c.toString(), c.version(), c.prefixLength(), c.maxLength(), ipip, disabled);
    }

    /** The network address (the CIDR without its length). */
    public String address() {
        return cidr.substring(0, cidr.indexOf('/'));
    }

    /**
     * The routes inside this prefix that are shorter than host routes, as a speaker prefix range ({@code CIDR le
     * MAX-1}), or null when the prefix is a host route itself.
     */
    public String belowHosts() {
        return prefixLength < maxLength ? cidr + " ge " + prefixLength + " le " + (maxLength - 1) : null;
    }

    public boolean ipv4() {
        return version == 4;
    }

    public boolean ipv6() {
        return version == 6;
    }
}
