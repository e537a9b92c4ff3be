package org.calicojava.bgp.codec;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Small address helpers: IPv4 addresses as ints, IPv6 as four ints (big-endian words). */
public final class Ip {
    private Ip() {}

    public static String v4String(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    public static int v4Int(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + a.getHostAddress());
        }
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    public static int v4Int(String s) {
        return v4Int(parse(s));
    }

    public static InetAddress v4Address(int a) {
        return of(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
    }

    public static InetAddress of(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of " + b.length + " bytes (expected: 4 or 16)");
        }
    }

    /** Parses a literal IPv4 or IPv6 address without any name lookup. */
    public static InetAddress parse(String s) {
        if (s == null || s.isEmpty() || !(s.indexOf(':') >= 0 || s.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
            throw new IllegalArgumentException("address: " + s + " (expected: an IPv4 or IPv6 literal)");
        }
        try {
            InetAddress a = InetAddress.getByName(s);
            if (s.indexOf(':') < 0 && !(a instanceof Inet4Address)) {
                throw new IllegalArgumentException("address: " + s);
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address: " + s + " (expected: an IPv4 or IPv6 literal)");
        }
    }

    /** {@code ::ffff:a.b.c.d} (RFC 4291 2.5.5.2) of a 4-byte IPv4 address. */
    public static byte[] v4Mapped(byte[] v4) {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(v4, 0, b, 12, 4);
        return b;
    }

    /** RFC 5952 text of an address. */
    public static String string(InetAddress a) {
        return Prefix.formatAddress(a.getAddress());
    }
}
