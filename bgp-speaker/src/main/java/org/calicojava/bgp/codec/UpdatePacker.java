package org.calicojava.bgp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs many prefixes sharing one attribute set into as few UPDATEs as fit the negotiated maximum length (4096, or
 * 65535 with RFC 8654). The attribute bytes are measured once; each prefix costs its own few bytes.
 */
public final class UpdatePacker {
    private UpdatePacker() {}

    /** Announcements: IPv4 in the NLRI field; other families through MP_REACH_NLRI with {@code mpNextHop}. */
    public static List<Update> announce(PathAttributes attrs, Nlri nlri, byte[] mpNextHop, CodecOptions o) {
        Family f = nlri.family();
        boolean v4 = f == Family.IPV4_UNICAST;
        Nlri none = Nlri.empty(f);
        Update empty = v4 ? Update.announce(attrs, none) : Update.announce(attrs, new MpReach(f, mpNextHop, none));
        int base = length(empty, o) + (v4 ? 0 : 1); // +1: the MP attribute may need the extended length octet
        return pack(
                nlri,
                base,
                o,
                part -> v4 ? Update.announce(attrs, part) : Update.announce(attrs, new MpReach(f, mpNextHop, part)));
    }

    /** Withdrawals: IPv4 in the Withdrawn Routes field, other families through MP_UNREACH_NLRI. */
    public static List<Update> withdraw(Nlri nlri, CodecOptions o) {
        int base =
                length(Update.withdraw(Nlri.empty(nlri.family())), o) + (nlri.family() == Family.IPV4_UNICAST ? 0 : 1);
        return pack(nlri, base, o, Update::withdraw);
    }

    private interface Make {
        Update of(Nlri part);
    }

    private static List<Update> pack(Nlri nlri, int base, CodecOptions o, Make make) {
        boolean ids = o.sendsPathIds(nlri.family());
        int max = o.maxLength();
        List<Update> out = new ArrayList<>();
        int from = 0, size = base;
        for (int i = 0; i < nlri.size(); i++) {
            int bytes = (ids ? 5 : 1) + ((nlri.prefixLength(i) + 7) >>> 3);
            if (size + bytes > max) {
                out.add(make.of(nlri.slice(from, i)));
                from = i;
                size = base;
            }
            size += bytes;
        }
        if (from < nlri.size() || out.isEmpty()) {
            out.add(make.of(nlri.slice(from, nlri.size())));
        }
        return out;
    }

    private static int length(Update u, CodecOptions o) {
        ByteBuf b = Unpooled.buffer(256);
        try {
            MessageEncoder.encode(u, o, b);
            return b.readableBytes();
        } finally {
            b.release();
        }
    }
}
