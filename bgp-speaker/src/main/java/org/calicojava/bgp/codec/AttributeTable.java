package org.calicojava.bgp.codec;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

import static org.calicojava.bgp.codec.BgpError.ATTRIBUTE_LENGTH_ERROR;
import static org.calicojava.bgp.codec.BgpError.INVALID_ORIGIN;
import static org.calicojava.bgp.codec.BgpError.MALFORMED_AS_PATH;
import static org.calicojava.bgp.codec.BgpError.OPTIONAL_ATTRIBUTE_ERROR;
import static org.calicojava.bgp.codec.BgpError.UPDATE_MESSAGE;
import static org.calicojava.bgp.codec.BgpError.of;

/**
 * The path attribute table (BIRD style): one {@link Row} per attribute with its code, name, expected flags, RFC 7606
 * error action, and its decode, encode and format functions. {@link UpdateDecoder} and {@link UpdateEncoder} walk it.
 */
final class AttributeTable {
    static final int OPTIONAL = 0x80, TRANSITIVE = 0x40, PARTIAL = 0x20, EXTENDED = 0x10;
    static final int WELL_KNOWN = TRANSITIVE, OPT_TRANS = OPTIONAL | TRANSITIVE, OPT_NON_TRANS = OPTIONAL;
    static final int ORIGIN = 1, AS_PATH = 2, NEXT_HOP = 3, MED = 4, LOCAL_PREF = 5, ATOMIC_AGGREGATE = 6, AGGREGATOR = 7,
            COMMUNITIES = 8, ORIGINATOR_ID = 9, CLUSTER_LIST = 10, MP_REACH = 14, MP_UNREACH = 15, EXT_COMMUNITIES = 16,
            AS4_PATH = 17, AS4_AGGREGATOR = 18, LARGE_COMMUNITY = 32;

    /** RFC 7606 section 2 approaches. */
    enum Action { TREAT_AS_WITHDRAW, ATTRIBUTE_DISCARD, SESSION_RESET }

    /** Decodes {@code len} value bytes at {@code off} into the state; throws {@link BgpException} when malformed. */
    interface Decoder { void decode(ByteBuf b, int off, int len, DecodeState s); }

    /** Writes the whole attribute (header and value) when present in the state. */
    interface Encoder { void encode(EncodeState s, ByteBuf out); }

    /** Text of the attribute's value, or null when absent. */
    interface Formatter { String format(PathAttributes a); }

    record Row(int code, String name, int flags, Action onError, Decoder decode, Encoder encode, Formatter format) {}

    /** Mutable per-UPDATE decode state (one per decoder, reused). */
    static final class DecodeState {
        final PathAttributes.Builder attrs = new PathAttributes.Builder();
        CodecOptions options;
        MpReach mpReach;
        MpUnreach mpUnreach;
    }

    record EncodeState(PathAttributes a, Update u, CodecOptions options) {}

    private static final Row[] ROWS = new Row[256];
    private static final List<Row> ORDERED = new ArrayList<>();

    private static void row(int code, String name, int flags, Action onError, Decoder d, Encoder e, Formatter f) {
        Row r = new Row(code, name, flags, onError, d, e, f);
        ROWS[code] = r;
        ORDERED.add(r);
    }

    static {
        row(ORIGIN, "origin", WELL_KNOWN, Action.TREAT_AS_WITHDRAW, (b, off, len, s) -> {
            expectLength(len == 1);
            int v = b.getUnsignedByte(off);
            if (v > 2) {
                throw new BgpException(of(UPDATE_MESSAGE, INVALID_ORIGIN));
            }
            s.attrs.origin = v;
        }, (s, out) -> {
            if (s.a.origin < 0) {
                return;
            }
            header(out, WELL_KNOWN, ORIGIN, 1);
            out.writeByte(s.a.origin);
        }, a -> a.origin < 0 ? null : switch (a.origin) { case 0 -> "IGP"; case 1 -> "EGP"; default -> "incomplete"; });

        row(AS_PATH, "as_path", WELL_KNOWN, Action.TREAT_AS_WITHDRAW,
                (b, off, len, s) -> s.attrs.asPath = decodeAsPath(b, off, len, s.options.as4(), false),
                (s, out) -> {
                    if (s.a.asPath == null) {
                        return;
                    }
                    encodeAsPath(out, AS_PATH, WELL_KNOWN, s.a.asPath, s.options.as4());
                }, a -> a.asPath == null ? null : a.asPath.toString());

        row(NEXT_HOP, "next_hop", WELL_KNOWN, Action.TREAT_AS_WITHDRAW, (b, off, len, s) -> {
            expectLength(len == 4);
            s.attrs.nextHop(b.getInt(off));
        }, (s, out) -> {
            if (!s.a.hasNextHop) {
                return;
            }
            header(out, WELL_KNOWN, NEXT_HOP, 4);
            out.writeInt(s.a.nextHop);
        }, a -> a.hasNextHop ? Ip.v4String(a.nextHop) : null);

        row(MED, "med", OPT_NON_TRANS, Action.TREAT_AS_WITHDRAW, (b, off, len, s) -> {
            expectLength(len == 4);
            s.attrs.med = b.getUnsignedInt(off);
        }, (s, out) -> u32(out, OPT_NON_TRANS, MED, s.a.med), a -> a.med < 0 ? null : Long.toString(a.med));

        row(LOCAL_PREF, "local_pref", WELL_KNOWN, Action.TREAT_AS_WITHDRAW, (b, off, len, s) -> {
            expectLength(len == 4);
            if (s.options.ibgp()) {
                s.attrs.localPref = b.getUnsignedInt(off);  // RFC 7606 7.5: ignored from external peers
            }
        }, (s, out) -> {
            if (s.options.ibgp()) {
                u32(out, WELL_KNOWN, LOCAL_PREF, s.a.localPref);
            }
        }, a -> a.localPref < 0 ? null : Long.toString(a.localPref));

        row(ATOMIC_AGGREGATE, "atomic_aggregate", WELL_KNOWN, Action.ATTRIBUTE_DISCARD, (b, off, len, s) -> {
            expectLength(len == 0);
            s.attrs.atomicAggregate = true;
        }, (s, out) -> {
            if (s.a.atomicAggregate) {
                header(out, WELL_KNOWN, ATOMIC_AGGREGATE, 0);
            }
        }, a -> a.atomicAggregate ? "yes" : null);

        row(AGGREGATOR, "aggregator", OPT_TRANS, Action.ATTRIBUTE_DISCARD, (b, off, len, s) -> {
            boolean as4 = s.options.as4();
            expectLength(len == (as4 ? 8 : 6));
            long asn = as4 ? b.getUnsignedInt(off) : b.getUnsignedShort(off);
            s.attrs.aggregator = new Aggregator(asn, b.getInt(off + (as4 ? 4 : 2)));
        }, (s, out) -> {
            Aggregator g = s.a.aggregator;
            if (g == null) {
                return;
            }
            if (s.options.as4()) {
                header(out, OPT_TRANS, AGGREGATOR, 8);
                out.writeInt((int) g.asn());
            } else {
                header(out, OPT_TRANS, AGGREGATOR, 6);
                out.writeShort(g.asn() > 0xffff ? Open.AS_TRANS : (int) g.asn());
            }
            out.writeInt(g.address());
        }, a -> a.aggregator == null ? null : a.aggregator.toString());

        row(COMMUNITIES, "communities", OPT_TRANS, Action.TREAT_AS_WITHDRAW, (b, off, len, s) -> {
            expectLength(len > 0 && len % 4 == 0);
            int[] c = new int[len / 4];
            for (int i = 0; i < c.length; i++) {
                c[i] = b.getInt(off + 4 * i);
            }
            s.attrs.communities = c;
        }, (s, out) -> {
            int[] c = s.a.communities;
            if (c == null || c.length == 0) {
                return;
            }
            header(out, OPT_TRANS, COMMUNITIES, c.length * 4);
            for (int v : c) {
                out.writeInt(v);
            }
        }, a -> {
            if (a.communities == null) {
                return null;
            }
            StringJoiner j = new StringJoiner(" ");
            for (int v : a.communities) {
                j.add("(" + (v >>> 16) + "," + (v & 0xffff) + ")");
            }
            return j.toString();
        });

        row(ORIGINATOR_ID, "originator_id", OPT_NON_TRANS, Action.TREAT_AS_WITHDRAW, (b, off, len, s) -> {
            expectLength(len == 4);
            s.attrs.originatorId = b.getUnsignedInt(off);
        }, (s, out) -> {
            if (s.options.ibgp()) {
                u32(out, OPT_NON_TRANS, ORIGINATOR_ID, s.a.originatorId);
            }
        }, a -> a.originatorId < 0 ? null : Ip.v4String((int) a.originatorId));

        row(CLUSTER_LIST, "cluster_list", OPT_NON_TRANS, Action.TREAT_AS_WITHDRAW, (b, off, len, s) -> {
            expectLength(len > 0 && len % 4 == 0);
            int[] c = new int[len / 4];
            for (int i = 0; i < c.length; i++) {
                c[i] = b.getInt(off + 4 * i);
            }
            s.attrs.clusterList = c;
        }, (s, out) -> {
            int[] c = s.a.clusterList;
            if (c == null || c.length == 0 || !s.options.ibgp()) {
                return;
            }
            header(out, OPT_NON_TRANS, CLUSTER_LIST, c.length * 4);
            for (int v : c) {
                out.writeInt(v);
            }
        }, a -> {
            if (a.clusterList == null) {
                return null;
            }
            StringJoiner j = new StringJoiner(" ");
            for (int v : a.clusterList) {
                j.add(Ip.v4String(v));
            }
            return j.toString();
        });

        row(MP_REACH, "mp_reach_nlri", OPT_NON_TRANS, Action.SESSION_RESET, AttributeTable::decodeMpReach, AttributeTable::encodeMpReach, a -> null);
        row(MP_UNREACH, "mp_unreach_nlri", OPT_NON_TRANS, Action.SESSION_RESET, AttributeTable::decodeMpUnreach,
                AttributeTable::encodeMpUnreach, a -> null);

        row(EXT_COMMUNITIES, "ext_communities", OPT_TRANS, Action.TREAT_AS_WITHDRAW, (b, off, len, s) -> {
            expectLength(len > 0 && len % 8 == 0);
            long[] c = new long[len / 8];
            for (int i = 0; i < c.length; i++) {
                c[i] = b.getLong(off + 8 * i);
            }
            s.attrs.extCommunities = c;
        }, (s, out) -> {
            long[] c = s.a.extCommunities;
            if (c == null || c.length == 0) {
                return;
            }
            header(out, OPT_TRANS, EXT_COMMUNITIES, c.length * 8);
            for (long v : c) {
                out.writeLong(v);
            }
        }, a -> {
            if (a.extCommunities == null) {
                return null;
            }
            StringJoiner j = new StringJoiner(" ");
            for (long v : a.extCommunities) {
                j.add(String.format("0x%016x", v));
            }
            return j.toString();
        });

        row(AS4_PATH, "as4_path", OPT_TRANS, Action.ATTRIBUTE_DISCARD,
                (b, off, len, s) -> s.attrs.as4Path = decodeAsPath(b, off, len, true, true),
                (s, out) -> {
                    // RFC 6793 4.2.2: toward a 2-octet peer, only when AS_TRANS had to stand in for some ASN
                    if (s.options.as4() || s.a.asPath == null || !s.a.asPath.needsFourOctets()) {
                        return;
                    }
                    encodeAsPath(out, AS4_PATH, OPT_TRANS, s.a.asPath.withoutConfed(), true);
                }, a -> null);

        row(AS4_AGGREGATOR, "as4_aggregator", OPT_TRANS, Action.ATTRIBUTE_DISCARD, (b, off, len, s) -> {
            expectLength(len == 8);
            s.attrs.as4Aggregator = new Aggregator(b.getUnsignedInt(off), b.getInt(off + 4));
        }, (s, out) -> {
            Aggregator g = s.a.aggregator;
            if (s.options.as4() || g == null || g.asn() <= 0xffff) {
                return;
            }
            header(out, OPT_TRANS, AS4_AGGREGATOR, 8);
            out.writeInt((int) g.asn());
            out.writeInt(g.address());
        }, a -> null);

        row(LARGE_COMMUNITY, "large_community", OPT_TRANS, Action.TREAT_AS_WITHDRAW, (b, off, len, s) -> {
            expectLength(len > 0 && len % 12 == 0);
            int[] c = new int[len / 4];
            for (int i = 0; i < c.length; i++) {
                c[i] = b.getInt(off + 4 * i);
            }
            s.attrs.largeCommunities = c;
        }, (s, out) -> {
            int[] c = s.a.largeCommunities;
            if (c == null || c.length == 0) {
                return;
            }
            header(out, OPT_TRANS, LARGE_COMMUNITY, c.length * 4);
            for (int v : c) {
                out.writeInt(v);
            }
        }, a -> {
            if (a.largeCommunities == null) {
                return null;
            }
            StringJoiner j = new StringJoiner(" ");
            for (int i = 0; i < a.largeCommunities.length; i += 3) {
                j.add("(" + Integer.toUnsignedString(a.largeCommunities[i]) + "," + Integer.toUnsignedString(a.largeCommunities[i + 1])
                        + "," + Integer.toUnsignedString(a.largeCommunities[i + 2]) + ")");
            }
            return j.toString();
        });
    }

    private AttributeTable() {}

    static Row row(int code) { return ROWS[code]; }

    /** Rows in ascending code order (the order attributes are encoded in). */
    static List<Row> rows() { return ORDERED; }

    static String format(PathAttributes a) {
        StringJoiner j = new StringJoiner(", ");
        for (Row r : ORDERED) {
            String v = r.format.format(a);
            if (v != null) {
                j.add(r.name + "=" + v);
            }
        }
        for (RawAttribute u : a.unknown()) {
            j.add(u.toString());
        }
        return j.toString();
    }

    static void header(ByteBuf out, int flags, int code, int len) {
        if (len > 255) {
            out.writeByte(flags | EXTENDED).writeByte(code).writeShort(len);
        } else {
            out.writeByte(flags).writeByte(code).writeByte(len);
        }
    }

    private static void u32(ByteBuf out, int flags, int code, long v) {
        if (v < 0) {
            return;
        }
        header(out, flags, code, 4);
        out.writeInt((int) v);
    }

    private static void expectLength(boolean ok) {
        if (!ok) {
            throw new BgpException(of(UPDATE_MESSAGE, ATTRIBUTE_LENGTH_ERROR));
        }
    }

    static AsPath decodeAsPath(ByteBuf b, int off, int len, boolean as4, boolean noConfed) {
        int w = as4 ? 4 : 2, end = off + len, n = 0;
        for (int p = off; p < end; ) {  // validate and size
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

    private static BgpException malformedAsPath() { return new BgpException(of(UPDATE_MESSAGE, MALFORMED_AS_PATH)); }

    static void encodeAsPath(ByteBuf out, int code, int flags, AsPath path, boolean as4) {
        int[] s = path.raw();
        int w = as4 ? 4 : 2, len = 0;
        for (int i = 0; i < s.length; i += 2 + s[i + 1]) {
            len += ((s[i + 1] + 254) / 255) * 2 + s[i + 1] * w;
        }
        header(out, flags, code, len);
        for (int i = 0; i < s.length; i += 2 + s[i + 1]) {
            for (int done = 0; done < s[i + 1]; ) {  // split segments longer than 255 ASNs
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

    private static void decodeMpReach(ByteBuf b, int off, int len, DecodeState s) {
        if (len < 5) {
            throw new BgpException(of(UPDATE_MESSAGE, OPTIONAL_ATTRIBUTE_ERROR));
        }
        Family f = Family.of(b.getUnsignedShort(off), b.getUnsignedByte(off + 2));
        int nhLen = b.getUnsignedByte(off + 3);
        if (f == null) {
            return;  // a family we did not negotiate: ignored
        }
        if (5 + nhLen > len) {
            throw new BgpException(of(UPDATE_MESSAGE, OPTIONAL_ATTRIBUTE_ERROR));
        }
        boolean nhOk = f == Family.IPV4_UNICAST ? nhLen == 4 || nhLen == 16 : nhLen == 16 || nhLen == 32;
        if (!nhOk) {
            throw new BgpException(of(UPDATE_MESSAGE, OPTIONAL_ATTRIBUTE_ERROR));
        }
        byte[] nh = new byte[nhLen];
        b.getBytes(off + 4, nh);
        int p = off + 4 + nhLen + 1;  // skip the reserved octet
        int saved = b.readerIndex();
        b.readerIndex(p);
        try {
            s.mpReach = new MpReach(f, nh, Nlri.decode(b, off + len - p, f, s.options.receivesPathIds(f)));
        } finally {
            b.readerIndex(saved);
        }
    }

    private static void decodeMpUnreach(ByteBuf b, int off, int len, DecodeState s) {
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

    private static void encodeMpReach(EncodeState s, ByteBuf out) {
        MpReach r = s.u.mpReach();
        if (r == null) {
            return;
        }
        boolean ids = s.options.sendsPathIds(r.family());
        byte[] nh = r.rawNextHop();
        header(out, OPT_NON_TRANS, MP_REACH, 5 + nh.length + r.nlri().encodedLength(ids));
        out.writeShort(r.family().afi).writeByte(r.family().safi).writeByte(nh.length).writeBytes(nh).writeByte(0);
        r.nlri().encode(out, ids);
    }

    private static void encodeMpUnreach(EncodeState s, ByteBuf out) {
        MpUnreach r = s.u.mpUnreach();
        if (r == null) {
            return;
        }
        boolean ids = s.options.sendsPathIds(r.family());
        header(out, OPT_NON_TRANS, MP_UNREACH, 3 + r.nlri().encodedLength(ids));
        out.writeShort(r.family().afi).writeByte(r.family().safi);
        r.nlri().encode(out, ids);
    }
}
