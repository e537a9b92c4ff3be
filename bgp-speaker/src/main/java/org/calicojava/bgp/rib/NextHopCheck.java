package org.calicojava.bgp.rib;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Collection;

/**
 * RFC 4271 5.1.3 for received next hops: a next hop that cannot be one (a martian) or that is one of our own addresses
 * makes the UPDATE's routes "treat-as-withdraw" (RFC 7606 7.3). Pure.
 *
 * <p>Martian IPv4 next hops: 0.0.0.0/8, 127.0.0.0/8 (allowed only on a session that itself runs over loopback, as
 * test labs do), 224.0.0.0/4 and everything above (multicast, reserved, broadcast). IPv6: {@code ::}, {@code ::1}
 * (loopback sessions aside), {@code ff00::/8}; an IPv4-mapped address ({@code ::ffff:0:0/96}) is judged as the IPv4
 * address it carries. Own: the local address of the session, and our configured next hops.
 */
final class NextHopCheck {
    private NextHopCheck() {}

    /** Why {@code nextHop} is refused, or null when it is acceptable. */
    static String refusal(byte[] nextHop, InetAddress sessionPeer, Collection<InetAddress> own) {
        boolean loopbackSession = sessionPeer != null && sessionPeer.isLoopbackAddress();
        if (nextHop.length == 4) {
            int first = nextHop[0] & 0xff;
            if (first == 0) {
                return "martian (0.0.0.0/8)";
            }
            if (first == 127 && !loopbackSession) {
                return "martian (127.0.0.0/8)";
            }
            if (first >= 224) {
                return "martian (224.0.0.0/4 and above)";
            }
        } else if (nextHop.length >= 16) {
            byte[] a = Arrays.copyOf(nextHop, 16); // the global address of a 32-byte MP_REACH next hop
            if (isV4Mapped(a)) { // ::ffff:a.b.c.d is a.b.c.d: the IPv4 rules, and our IPv4 addresses
                return refusal(Arrays.copyOfRange(a, 12, 16), sessionPeer, own);
            }
            boolean zeroUpTo15 = true;
            for (int i = 0; i < 15; i++) {
                zeroUpTo15 &= a[i] == 0;
            }
            if (zeroUpTo15 && a[15] == 0) {
                return "martian (::)";
            }
            if (zeroUpTo15 && a[15] == 1 && !loopbackSession) {
                return "martian (::1)";
            }
            if ((a[0] & 0xff) == 0xff) {
                return "martian (ff00::/8)";
            }
            nextHop = a;
        } else {
            return "martian (length " + nextHop.length + ")";
        }
        for (InetAddress o : own) {
            if (o != null && Arrays.equals(o.getAddress(), nextHop)) {
                return "our own address";
            }
        }
        return null;
    }

    /** Within ::ffff:0:0/96 (IPv4-mapped, RFC 4291 2.5.5.2). */
    static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }
}
