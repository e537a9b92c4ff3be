package org.calicojava.bgp.kernel;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.netlink.IpPrefix;

/** Conversions between the speaker's and netlink's prefixes, and prefix containment. */
final class KernelPrefixes {
    private KernelPrefixes() {}

    /** Our prefix of a netlink one. */
    static Prefix prefix(IpPrefix p) {
        return Prefix.parse(p.toString());
    }

    /** Netlink's prefix of ours. */
    static IpPrefix ipPrefix(Prefix p) {
        try {
            return new IpPrefix(InetAddress.getByAddress(p.addressBytes()), p.length());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Whether {@code a} is inside {@code net}. */
    static boolean contains(IpPrefix net, InetAddress a) {
        byte[] n = net.address().getAddress();
        byte[] b = a.getAddress();
        if (n.length != b.length) {
            return false;
        }
        int bits = net.length();
        for (int i = 0; i < n.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((n[i] & mask) != (b[i] & mask)) {
                return false;
            }
        }
        return true;
    }
}
