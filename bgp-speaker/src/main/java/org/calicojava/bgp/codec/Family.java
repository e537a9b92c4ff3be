package org.calicojava.bgp.codec;

/** The address families this speaker negotiates (RFC 4760 AFI/SAFI): IPv4 and IPv6 unicast. */
public enum Family {
    IPV4_UNICAST(1, 1, 4),
    IPV6_UNICAST(2, 1, 16);
    public final int afi, safi, addressBytes;

    Family(int afi, int safi, int addressBytes) {
        this.afi = afi;
        this.safi = safi;
        this.addressBytes = addressBytes;
    }

    public int maxPrefixLength() {
        return addressBytes * 8;
    }

    /** @return the family, or null when this speaker does not know it */
    public static Family of(int afi, int safi) {
        if (safi != 1) {
            return null;
        }
        return afi == 1 ? IPV4_UNICAST : afi == 2 ? IPV6_UNICAST : null;
    }
}
