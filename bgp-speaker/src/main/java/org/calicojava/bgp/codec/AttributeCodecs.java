package org.calicojava.bgp.codec;

import static org.calicojava.bgp.codec.BgpError.ATTRIBUTE_LENGTH_ERROR;
import static org.calicojava.bgp.codec.BgpError.MALFORMED_AS_PATH;
import static org.calicojava.bgp.codec.BgpError.OPTIONAL_ATTRIBUTE_ERROR;
import static org.calicojava.bgp.codec.BgpError.UPDATE_MESSAGE;
import static org.calicojava.bgp.codec.BgpError.of;

import io.netty.buffer.ByteBuf;

/**
 * The wire format shared by the rows of {@link AttributeTable}: the attribute header, 32-bit values, AS_PATH and
 * AS4_PATH segments (RFC 4271, RFC 6793), and MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760).
 */
final class AttributeCodecs {
    private AttributeCodecs() {}

    static void header(ByteBuf out, int flags, int code, int len) {
        if (len > 255) {
            out.writeByte(flags | AttributeTable.EXTENDED).writeByte(code).writeShort(len);
        } else {
            out.writeByte(flags).writeByte(code).writeByte(len);
        }
    }

    static void u32(ByteBuf out, int flags, int code, long v) {
        if (v < 0) {
            return;
        }
        header(out, flags, code, 4);
        out.writeInt((int) v);
    }

    /** The {@code len / 4} big-endian words at {@code off} (COMMUNITIES, CLUSTER_LIST, LARGE_COMMUNITY values). */
    static int[] words(ByteBuf b, int off, int len) {
        int[] c = new int[len / 4];
        for (int i = 0; i < c.length; i++) {
            c[i] = b.getInt(off + 4 * i);
        }
        return c;
    }

    /** The attribute {@code code} with the words of {@code c} as its value; nothing when {@code c} is null or empty. */
    static void words(ByteBuf out, int flags, int code, int[] c) {
        if (c == null || c.length == 0) {
            return;
        }
        header(out, flags, code, c.length * 4);
        for (int v : c) {
            out.writeInt(v);
        }
    }

    static void expectLength(boolean ok) {
        if (!ok) {
            throw new BgpException(of(UPDATE_MESSAGE, ATTRIBUTE_LENGTH_ERROR));
        }
    }

    static AsPath decodeAsPath(ByteBuf b, int off, int len, boolean as4, boolean noConfed) {
        int w = as4 ? 4 : 2, end = off + len, n = 0;
        for (int p = off; p < end; ) { // validate and size
            if (end - p < 2) {
                throw malformedAsPath();
            }
            int t = b.getUnsignedByte(p), c = b.getUnsignedByte(p + 1);
            if (t < 1 || t > 4 || c == 0 || (noConfed && t > 2)) {
                throw malformedAsPath();
            }
            p += 2 + c * w;
            if (p > end) {
                throw malformedAsPath();
            }
            n += 2 + c;
        }
        int[] seg = new int[n];
        for (int p = off, o = 0; p < end; ) {
            int c = b.getUnsignedByte(p + 1);
            seg[o++] = b.getUnsignedByte(p);
            seg[o++] = c;
            p += 2;
            for (int k = 0; k < c; k++, p += w) {
                seg[o++] = as4 ? b.getInt(p) : b.getUnsignedShort(p);
            }
        }
        return n == 0 ? AsPath.EMPTY : new AsPath(seg);
    }

    private static BgpException malformedAsPath() {
        return new BgpException(of(UPDATE_MESSAGE, MALFORMED_AS_PATH));
    }

    static void encodeAsPath(ByteBuf out, int code, int flags, AsPath path, boolean as4) {
        int[] s = path.raw();
        int w = as4 ? 4 : 2, len = 0;
        for (int i = 0; i < s.length; i += 2 + s[i + 1]) {
            len += ((s[i + 1] + 254) / 255) * 2 + s[i + 1] * w;
        }
        header(out, flags, code, len);
        for (int i = 0; i < s.length; i += 2 + s[i + 1]) {
            for (int done = 0; done < s[i + 1]; ) { // split segments longer than 255 ASNs
                int c = Math.min(255, s[i + 1] - done);
                out.writeByte(s[i]).writeByte(c);
                for (int k = 0; k < c; k++) {
                    int asn = s[i + 2 + done + k];
                    if (as4) {
                        out.writeInt(asn);
                    } else {
                        out.writeShort((asn & 0xffff0000) != 0 ? Open.AS_TRANS : asn);
                    }
                }
                done += c;
            }
        }
    }

    static void decodeMpReach(ByteBuf b, int off, int len, AttributeTable.DecodeState s) {
        if (len < 5) {
            throw new BgpException(of(UPDATE_MESSAGE, OPTIONAL_ATTRIBUTE_ERROR));
        }
        Family f = Family.of(b.getUnsignedShort(off), b.getUnsignedByte(off + 2));
        int nhLen = b.getUnsignedByte(off + 3);
        if (f == null) {
            return; // a family we did not negotiate: ignored
        }
        if (5 + nhLen > len) {
            throw new BgpException(of(UPDATE_MESSAGE, OPTIONAL_ATTRIBUTE_ERROR));
        }
        // a next hop length that does not fit the family (RFC 7606 7.11: session reset); IPv4 takes only 4 bytes, as
        // the extended next hop capability (RFC 8950) is never negotiated here
        boolean nhOk = f == Family.IPV4_UNICAST ? nhLen == 4 : nhLen == 16 || nhLen == 32;
        if (!nhOk) {
            throw new BgpException(of(UPDATE_MESSAGE, OPTIONAL_ATTRIBUTE_ERROR));
        }
        byte[] nh = new byte[nhLen];
        b.getBytes(off + 4, nh);
        int p = off + 4 + nhLen + 1; // skip the reserved octet
        int saved = b.readerIndex();
        b.readerIndex(p);
        try {
            s.mpReach = new MpReach(f, nh, Nlri.decode(b, off + len - p, f, s.options.receivesPathIds(f)));
        } finally {
            b.readerIndex(saved);
        }
    }

    static void decodeMpUnreach(ByteBuf b, int off, int len, AttributeTable.DecodeState s) {
        if (len < 3) {
            throw new BgpException(of(UPDATE_MESSAGE, OPTIONAL_ATTRIBUTE_ERROR));
        }
        Family f = Family.of(b.getUnsignedShort(off), b.getUnsignedByte(off + 2));
        if (f == null) {
            return;
        }
        int saved = b.readerIndex();
        b.readerIndex(off + 3);
        try {
            s.mpUnreach = new MpUnreach(f, Nlri.decode(b, len - 3, f, s.options.receivesPathIds(f)));
        } finally {
            b.readerIndex(saved);
        }
    }

    static void encodeMpReach(AttributeTable.EncodeState s, ByteBuf out) {
        MpReach r = s.u().mpReach();
        if (r == null) {
            return;
        }
        boolean ids = s.options().sendsPathIds(r.family());
        byte[] nh = r.rawNextHop();
        header(
                out,
                AttributeTable.OPT_NON_TRANS,
                AttributeTable.MP_REACH,
                5 + nh.length + r.nlri().encodedLength(ids));
        out.writeShort(r.family().afi)
                .writeByte(r.family().safi)
                .writeByte(nh.length)
                .writeBytes(nh)
                .writeByte(0);
        r.nlri().encode(out, ids);
    }

    static void encodeMpUnreach(AttributeTable.EncodeState s, ByteBuf out) {
        MpUnreach r = s.u().mpUnreach();
        if (r == null) {
            return;
        }
        boolean ids = s.options().sendsPathIds(r.family());
        header(
                out,
                AttributeTable.OPT_NON_TRANS,
                AttributeTable.MP_UNREACH,
                3 + r.nlri().encodedLength(ids));
        out.writeShort(r.family().afi).writeByte(r.family().safi);
        r.nlri().encode(out, ids);
    }
}
