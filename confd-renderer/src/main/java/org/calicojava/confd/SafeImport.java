package org.calicojava.confd;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.calicojava.model.Cidr;

/**
 * What a peer outside the mesh (a global or node peer) may never give us, as the templates print it: routes that
 * cover or equal one of this node's own addresses or an etcd endpoint's address, and routes inside or covering one of
 * this node's blocks. Martians and the default route are constant and live in the templates.
 *
 * <p>For the speaker ({@link #speakerRanges}): prefix ranges in its {@code "CIDR [le N]"} syntax, every covering prefix
 * of an address spelled out (its /1 .. /32, or /1 .. /128), a block as {@code "BLOCK le 32"} plus its covering
 * prefixes; the default route (length 0) is left to the default-route terms. For BIRD: the addresses themselves
 * ({@code if ADDR ~ net then reject}) and the blocks (inside: {@code net ~ [ BLOCK+ ]}; covering:
 * {@code net.len < LEN && ADDR ~ net}).
 */
public final class SafeImport {
    private final List<String> addresses4 = new ArrayList<>();
    private final List<String> addresses6 = new ArrayList<>();
    private final List<String> speakerRanges = new ArrayList<>();

    /** {@code addresses}: canonical IP literals (this node's, the etcd endpoints'); {@code blocks}: its blocks. */
    public SafeImport(Collection<String> addresses, List<Prefix> blocks) {
        Set<String> ranges = new LinkedHashSet<>();
        for (String a : new LinkedHashSet<>(addresses)) {
            Cidr host = Cidr.host(a);
            (host.version() == 4 ? addresses4 : addresses6).add(Values.address("protected address", host.ip()));
            covering(host, host.maxLength(), ranges);
        }
        for (Prefix b : blocks) {
            Cidr c = Cidr.parse(b.cidr(), true);
            ranges.add(c + " le " + c.maxLength());
            covering(c, c.prefixLength() - 1, ranges);
        }
        speakerRanges.addAll(ranges);
    }

    /** Every prefix of length 1..{@code upTo} that contains {@code c}'s network address. */
    private static void covering(Cidr c, int upTo, Set<String> out) {
        byte[] bytes = address(c.ip());
        for (int len = 1; len <= upTo; len++) {
            out.add(Cidr.parse(masked(bytes, len) + "/" + len, true).toString());
        }
    }

    private static String masked(byte[] bytes, int len) {
        byte[] m = bytes.clone();
        for (int i = 0; i < m.length; i++) {
            int keep = Math.max(0, Math.min(8, len - 8 * i));
            m[i] = (byte) (m[i] & (0xff << (8 - keep)));
        }
        try {
            return InetAddress.getByAddress(m).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] address(String ip) {
        try {
            return InetAddress.getByName(ip).getAddress(); // an IP literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("protected address: " + ip + " (expected: an IP address)");
        }
    }

    public List<String> addresses4() {
        return addresses4;
    }

    public List<String> addresses6() {
        return addresses6;
    }

    public List<String> speakerRanges() {
        return speakerRanges;
    }
}
