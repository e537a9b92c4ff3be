package org.calicojava.bgp.codec;

/**
 * ROUTE-REFRESH (RFC 2918) with the RFC 7313 message subtype in the former reserved octet:
 * 0 = normal request, 1 = Begin-of-RR, 2 = End-of-RR.
 */
public record RouteRefresh(int afi, int safi, int subtype) implements Message {
    public static final int REQUEST = 0, BORR = 1, EORR = 2;

    public RouteRefresh {
        if (afi < 0 || afi > 0xffff) {
            throw new IllegalArgumentException("afi: " + afi + " (expected: 0..65535)");
        }
        if (safi < 0 || safi > 255) {
            throw new IllegalArgumentException("safi: " + safi + " (expected: 0..255)");
        }
        if (subtype < 0 || subtype > 255) {
            throw new IllegalArgumentException("subtype: " + subtype + " (expected: 0..255)");
        }
    }

    public RouteRefresh(Family f, int subtype) {
        this(f.afi, f.safi, subtype);
    }

    @Override
    public int type() {
        return ROUTE_REFRESH;
    }
}
