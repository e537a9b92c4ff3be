package org.calicojava.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.calicojava.common.Ipv6Text;

/**
 * An address and a prefix length, e.g. {@code 10.65.0.3/32} or {@code fd00::/64}. Host bits may be set (an
 * interface address); {@link #isNetwork()} tells whether they are all zero (a route destination).
 */
public record IpPrefix(InetAddress address, int length) {
    public IpPrefix {
        if (address == null) {
            throw new IllegalArgumentException("prefix address: null (expected: an IPv4 or IPv6 address)");
        }
        int max = address.getAddress().length * 8;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length: " + length + " (expected: 0.." + max + ")");
        }
    }

    /** Parses {@code ADDRESS/LEN} or a bare address (a host prefix: /32 or /128). Literal addresses only. */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress a = parseAddress(addr);
        if (slash < 0) {
            return new IpPrefix(a, a.getAddress().length * 8);
        }
        try {
            return new IpPrefix(a, Integer.parseInt(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prefix: " + text + " (expected: ADDRESS/LENGTH)");
        }
    }

    /** Parses a literal IPv4 or IPv6 address without any DNS lookup. */
    public static InetAddress parseAddress(String text) {
        boolean literal = !text.isEmpty()
                && (text.indexOf(':') >= 0 || text.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
        if (literal) {
            try {
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException("address: " + text + " (expected: an IPv4 or IPv6 literal)");
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** AF_INET or AF_INET6. */
    public int family() {
        return isIpv4() ? 2 : 10;
    }

    /** True when no bit after the prefix length is set. */
    public boolean isNetwork() {
        byte[] b = address.getAddress();
        for (int bit = length; bit < b.length * 8; bit++) {
            if ((b[bit / 8] & (0x80 >> (bit % 8))) != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return format(address) + "/" + length;
    }

    /** Formats an address as {@code ip} prints it: dotted quad, or IPv6 compressed per RFC 5952 ("fe80::1"). */
    public static String format(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return a.getHostAddress();
        }
        return Ipv6Text.format(b);
    }
}
