package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.calicojava.common.Ipv6Text;

/**
 * An IPv4 or IPv6 network: address bytes (host bits zero) and a prefix length. Immutable value.
 * Parsed from "10.1.0.0/16", "10.1.0.5" (a host: /32 or /128) or the key form "10.1.0.0-16".
 */
public final class Cidr implements Comparable<Cidr> {
    private final byte[] address;
    private final int prefixLength;

    private Cidr(byte[] address, int prefixLength) {
        this.address = address;
        this.prefixLength = prefixLength;
    }

    /** {@code ::ffff:0:0/96}, the IPv4-mapped IPv6 addresses, which {@link #parse} refuses (see {@link #notMapped}). */
    static final Cidr MAPPED =
            new Cidr(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0}, 96);

    public static Cidr of(InetAddress address, int prefixLength) {
        byte[] bytes = address.getAddress();
        int max = bytes.length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length: " + prefixLength + " (expected: 0.." + max + ")");
        }
        byte[] masked = mask(bytes, prefixLength);
        notMapped(masked, prefixLength, address.getHostAddress());
        return new Cidr(masked, prefixLength);
    }

    /** Parses CIDR notation; host bits must be zero unless {@code strict} is false (then they are cleared). */
    public static Cidr parse(String text, boolean strict) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("CIDR: empty (expected: e.g. 10.1.0.0/16)");
        }
        String s = text.trim();
        int slash = s.indexOf('/');
        if (slash < 0 && s.indexOf('-') > 0 && s.indexOf(':') < 0
                || slash < 0 && s.lastIndexOf('-') > s.lastIndexOf(':') && s.indexOf(':') >= 0) {
            slash = s.lastIndexOf('-');
        }
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = parseAddress(addr, text);
        int len = bytes.length * 8;
        if (slash >= 0) {
            String lenText = s.substring(slash + 1);
            try {
                len = Integer.parseInt(lenText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("CIDR: " + LogText.quote(text) + " (prefix length "
                        + LogText.quote(lenText) + " is not a number)");
            }
            if (len < 0 || len > bytes.length * 8) {
                throw new IllegalArgumentException(
                        "CIDR: " + LogText.quote(text) + " (prefix length expected: 0.." + bytes.length * 8 + ")");
            }
        }
        byte[] masked = mask(bytes, len);
        if (strict && !Arrays.equals(masked, bytes)) {
            throw new IllegalArgumentException(
                    "CIDR: " + LogText.quote(text) + " (host bits set; did you mean " + new Cidr(masked, len) + "?)");
        }
        notMapped(masked, len, text);
        return new Cidr(masked, len);
    }

    @JsonCreator
    public static Cidr parse(String text) {
        return parse(text, false);
    }

    /** A CIDR given as a JSON string, for {@link LightJson}'s plain readers (which leave anything else to databind). */
    static Cidr plain(Object json) {
        return parse(LightJson.string(json));
    }

    /** Parses a plain IP address (no prefix) into a host CIDR (/32 or /128). */
    public static Cidr host(String ip) {
        byte[] bytes = parseAddress(ip == null ? "" : ip.trim(), ip);
        notMapped(bytes, bytes.length * 8, ip);
        return new Cidr(bytes, bytes.length * 8);
    }

    /**
     * Refuses IPv4-mapped IPv6 networks (inside {@code ::ffff:0:0/96}): no packet on the wire carries one, the kernel
     * does not route them as IPv6, and Java's address classes turn them into IPv4 addresses, so a value that reached
     * the dataplane as IPv6 would come back as IPv4 (the IPv4 address itself is the way to write it).
     */
    private static void notMapped(byte[] bytes, int len, String text) {
        if (bytes.length == 16 && len >= 96 && isMapped(bytes)) {
            throw new IllegalArgumentException("CIDR: " + LogText.quote(text)
                    + " is an IPv4-mapped IPv6 address (::ffff:0:0/96; write the IPv4 address instead)");
        }
    }

    private static boolean isMapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /** Whether {@code s} has only ASCII digits and dots (a loop: this runs for every address felix handles). */
    private static boolean digitsAndDots(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < '0' || c > '9') && c != '.') {
                return false;
            }
        }
        return true;
    }

    private static boolean hexColonsAndDots(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.digit(c, 16) < 0 && c != ':' && c != '.' || c > 'f') {
                return false;
            }
        }
        return true;
    }

    static byte[] parseAddress(String addr, String original) {
        if (addr.isEmpty() || addr.length() > 45 || !(addr.indexOf(':') >= 0 || digitsAndDots(addr))) {
            throw new IllegalArgumentException(
                    "IP address: " + LogText.quote(original) + " is not an IPv4 or IPv6 address");
        }
        if (addr.indexOf(':') < 0) {
            String[] parts = addr.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException(
                        "IP address: " + LogText.quote(original) + " is not an IPv4 or IPv6 address");
            }
            byte[] out = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3) {
                    throw new IllegalArgumentException(
                            "IP address: " + LogText.quote(original) + " is not an IPv4 or IPv6 address");
                }
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    throw new IllegalArgumentException(
                            "IP address: " + LogText.quote(original) + " (octet " + v + " > 255)");
                }
                out[i] = (byte) v;
            }
            return out;
        }
        if (!hexColonsAndDots(addr)) {
            throw new IllegalArgumentException(
                    "IP address: " + LogText.quote(original) + " is not an IPv4 or IPv6 address");
        }
        try {
            byte[] b = InetAddress.getByName(addr).getAddress(); // literal only: no DNS for hex/colon strings
            if (b.length == 4) { // ::ffff:a.b.c.d gets mapped by the JDK; keep it as IPv6
                byte[] v6 = new byte[16];
                v6[10] = (byte) 0xff;
                v6[11] = (byte) 0xff;
                System.arraycopy(b, 0, v6, 12, 4);
                return v6;
            }
            return b;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    "IP address: " + LogText.quote(original) + " is not an IPv4 or IPv6 address");
        }
    }

    private static byte[] mask(byte[] bytes, int len) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, len - i * 8));
            out[i] &= (byte) (0xff << (8 - bitsHere));
        }
        return out;
    }

    public boolean isIpv4() {
        return address.length == 4;
    }

    public int version() {
        return isIpv4() ? 4 : 6;
    }

    public int prefixLength() {
        return prefixLength;
    }

    public int maxLength() {
        return address.length * 8;
    }

    public byte[] addressBytes() {
        return address.clone();
    }

    public InetAddress address() {
        try {
            // an IPv6 address stays one (InetAddress.getByAddress makes ::ffff:a.b.c.d an Inet4Address)
            return address.length == 16
                    ? java.net.Inet6Address.getByAddress(null, address, -1)
                    : InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public BigInteger first() {
        return new BigInteger(1, address);
    }

    /** Number of addresses in this network. */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(maxLength() - prefixLength);
    }

    /** The address at {@code offset} from the start of this network, as a host CIDR. */
    public Cidr addressAt(long offset) {
        BigInteger v = first().add(BigInteger.valueOf(offset));
        return new Cidr(toBytes(v, address.length), maxLength());
    }

    /** Offset of {@code host}'s address from the start of this network (caller checks containment). */
    public long offsetOf(Cidr host) {
        return host.first().subtract(first()).longValueExact();
    }

    public Cidr subnet(int newLength, long index) {
        BigInteger step = BigInteger.ONE.shiftLeft(maxLength() - newLength);
        BigInteger v = first().add(step.multiply(BigInteger.valueOf(index)));
        return new Cidr(toBytes(v, address.length), newLength);
    }

    static byte[] toBytes(BigInteger v, int len) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[len];
        int copy = Math.min(raw.length, len);
        System.arraycopy(raw, raw.length - copy, out, len - copy, copy);
        return out;
    }

    public boolean contains(Cidr other) {
        if (other.address.length != address.length || other.prefixLength < prefixLength) {
            return false;
        }
        return Arrays.equals(mask(other.address, prefixLength), address);
    }

    public boolean overlaps(Cidr other) {
        return contains(other) || other.contains(this);
    }

    /** The address only ("10.1.0.5"), as used in etcd values and tables. */
    public String ip() {
        return format(address);
    }

    /** RFC 5952 text: dotted quad for IPv4, {@link Ipv6Text} for IPv6. */
    public static String format(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        return Ipv6Text.format(a);
    }

    /** The etcd key form: "10.1.0.0-16". */
    public String keyForm() {
        return ip() + "-" + prefixLength;
    }

    @JsonValue
    @Override
    public String toString() {
        return ip() + "/" + prefixLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.address, address);
    }

    /**
     * The address as 32-bit words, each step a multiplication by an odd constant (a bijection), so networks of one
     * prefix length that differ in one word never collide: the 10,000 host routes of a pool spread over a hash table
     * (the byte-wise polynomial gave every eighth address of a /16 the same hash).
     */
    @Override
    public int hashCode() {
        int h = prefixLength;
        for (int i = 0; i < address.length; i += 4) {
            int word = (address[i] & 0xff) << 24
                    | (address[i + 1] & 0xff) << 16
                    | (address[i + 2] & 0xff) << 8
                    | address[i + 3] & 0xff;
            h = h * 0x9E3779B1 + word;
        }
        return h;
    }

    @Override
    public int compareTo(Cidr o) {
        if (address.length != o.address.length) {
            return Integer.compare(address.length, o.address.length);
        }
        int c = Arrays.compareUnsigned(address, o.address);
        return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
    }
}
