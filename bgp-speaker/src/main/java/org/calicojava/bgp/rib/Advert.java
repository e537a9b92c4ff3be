package org.calicojava.bgp.rib;

import java.util.Arrays;
import org.calicojava.bgp.codec.PathAttributes;

/** What we advertise for a prefix to one peer: attributes and (IPv6) the MP_REACH next hop. Interned per peer. */
record Advert(PathAttributes attrs, byte[] nh6) {
    @Override
    public boolean equals(Object o) {
        return o instanceof Advert a && a.attrs.equals(attrs) && Arrays.equals(a.nh6, nh6);
    }

    @Override
    public int hashCode() {
        return attrs.hashCode() * 31 + Arrays.hashCode(nh6);
    }
}
