package org.calicojava.confd;

import java.util.HashMap;
import java.util.Map;
import org.calicojava.model.Cidr;

/**
 * Parsed IP addresses by their text, kept across render passes (addresses change rarely; parsing them is most of a
 * context build's cost). Holds at most {@value #MAX} entries, then starts afresh. Used from the one worker thread.
 */
final class AddressCache {
    static final int MAX = 100_000;
    /** Longer text is no address ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" has 45 characters); not cached. */
    static final int MAX_TEXT = 45;

    private record Parsed(byte[] bytes, String canonical, String error) {}

    private final Map<String, Parsed> cache = new HashMap<>();

    /** The address bytes (4 or 16); {@link IllegalArgumentException} with Cidr's message if it is not an address. */
    byte[] bytes(String ip) {
        Parsed p = parsed(ip);
        if (p.error != null) {
            throw new IllegalArgumentException(p.error);
        }
        return p.bytes;
    }

    /** RFC 5952 / dotted-quad text of the address. */
    String canonical(String ip) {
        bytes(ip);
        return parsed(ip).canonical;
    }

    int version(String ip) {
        return bytes(ip).length == 4 ? 4 : 6;
    }

    private Parsed parsed(String ip) {
        if (ip == null || ip.length() > MAX_TEXT) {
            return new Parsed(
                    null,
                    null,
                    "IP address: "
                            + (ip == null
                                    ? "missing"
                                    : ip.length() + " characters (expected: an IPv4 or IPv6 address)"));
        }
        Parsed p = cache.get(ip);
        if (p == null) {
            if (cache.size() >= MAX) {
                cache.clear();
            }
            try {
                Cidr c = Cidr.host(ip);
                p = new Parsed(c.addressBytes(), c.ip(), null);
            } catch (IllegalArgumentException e) {
                p = new Parsed(null, null, e.getMessage());
            }
            cache.put(ip, p);
        }
        return p;
    }
}
