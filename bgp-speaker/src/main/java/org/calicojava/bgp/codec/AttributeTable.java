package org.calicojava.bgp.codec;

import static org.calicojava.bgp.codec.AttributeCodecs.decodeAsPath;
import static org.calicojava.bgp.codec.AttributeCodecs.encodeAsPath;
import static org.calicojava.bgp.codec.AttributeCodecs.expectLength;
import static org.calicojava.bgp.codec.AttributeCodecs.header;
import static org.calicojava.bgp.codec.AttributeCodecs.u32;
import static org.calicojava.bgp.codec.AttributeCodecs.words;
import static org.calicojava.bgp.codec.BgpError.INVALID_ORIGIN;
import static org.calicojava.bgp.codec.BgpError.UPDATE_MESSAGE;
import static org.calicojava.bgp.codec.BgpError.of;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The path attribute table (BIRD style): one {@link Row} per attribute with its code, name, expected flags, RFC 7606
 * error action, and its decode, encode and format functions. {@link UpdateDecoder} and {@link UpdateEncoder} walk it.
 * The shared wire helpers (header, AS_PATH, MP_REACH/MP_UNREACH) are in {@link AttributeCodecs}.
 */
final class AttributeTable {
    static final int OPTIONAL = 0x80, TRANSITIVE = 0x40, PARTIAL = 0x20, EXTENDED = 0x10;
    static final int WELL_KNOWN = TRANSITIVE, OPT_TRANS = OPTIONAL | TRANSITIVE, OPT_NON_TRANS = OPTIONAL;
    static final int ORIGIN = 1,
            AS_PATH = 2,
            NEXT_HOP = 3,
            MED = 4,
            LOCAL_PREF = 5,
            ATOMIC_AGGREGATE = 6,
            AGGREGATOR = 7,
            COMMUNITIES = 8,
            ORIGINATOR_ID = 9,
            CLUSTER_LIST = 10,
            MP_REACH = 14,
            MP_UNREACH = 15,
            EXT_COMMUNITIES = 16,
            AS4_PATH = 17,
            AS4_AGGREGATOR = 18,
            LARGE_COMMUNITY = 32;

    /** RFC 7606 section 2 approaches. */
    enum Action {
        TREAT_AS_WITHDRAW,
        ATTRIBUTE_DISCARD,
        SESSION_RESET
    }

    /** Decodes {@code len} value bytes at {@code off} into the state; throws {@link BgpException} when malformed. */
    interface Decoder {
        void decode(ByteBuf b, int off, int len, DecodeState s);
    }

    /** Writes the whole attribute (header and value) when present in the state. */
    interface Encoder {
        void encode(EncodeState s, ByteBuf out);
    }

    /** Text of the attribute's value, or null when absent. */
    interface Formatter {
        String format(PathAttributes a);
    }

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
        row(
                ORIGIN,
                "origin",
                WELL_KNOWN,
                Action.TREAT_AS_WITHDRAW,
                (b, off, len, s) -> {
                    expectLength(len == 1);
                    int v = b.getUnsignedByte(off);
                    if (v > 2) {
                        throw new BgpException(of(UPDATE_MESSAGE, INVALID_ORIGIN));
                    }
                    s.attrs.origin = v;
                },
                (s, out) -> {
                    if (s.a.origin < 0) {
                        return;
                    }
                    header(out, WELL_KNOWN, ORIGIN, 1);
                    out.writeByte(s.a.origin);
                },
                a -> a.origin < 0
                        ? null
                        : switch (a.origin) {
                            case 0 -> "IGP";
                            case 1 -> "EGP";
                            default -> "incomplete";
                        });

        row(
                AS_PATH,
                "as_path",
                WELL_KNOWN,
                Action.TREAT_AS_WITHDRAW,
                // RFC 5065 5 / RFC 7606 7.2: no confederation here, so AS_CONFED_* segments from any peer are malformed
                (b, off, len, s) -> s.attrs.asPath = decodeAsPath(b, off, len, s.options.as4(), true),
                (s, out) -> {
                    if (s.a.asPath == null) {
                        return;
                    }
                    encodeAsPath(out, AS_PATH, WELL_KNOWN, s.a.asPath, s.options.as4());
                },
                a -> a.asPath == null ? null : a.asPath.toString());

        row(
                NEXT_HOP,
                "next_hop",
                WELL_KNOWN,
                Action.TREAT_AS_WITHDRAW,
                (b, off, len, s) -> {
                    expectLength(len == 4);
                    s.attrs.nextHop(b.getInt(off));
                },
                (s, out) -> {
                    if (!s.a.hasNextHop) {
                        return;
                    }
                    header(out, WELL_KNOWN, NEXT_HOP, 4);
                    out.writeInt(s.a.nextHop);
                },
                a -> a.hasNextHop ? Ip.v4String(a.nextHop) : null);

        row(
                MED,
                "med",
                OPT_NON_TRANS,
                Action.TREAT_AS_WITHDRAW,
                (b, off, len, s) -> {
                    expectLength(len == 4);
                    s.attrs.med = b.getUnsignedInt(off);
                },
                (s, out) -> u32(out, OPT_NON_TRANS, MED, s.a.med),
                a -> a.med < 0 ? null : Long.toString(a.med));

        row(
                LOCAL_PREF,
                "local_pref",
                WELL_KNOWN,
                Action.TREAT_AS_WITHDRAW,
                (b, off, len, s) -> {
                    expectLength(len == 4);
                    if (s.options.ibgp()) {
                        s.attrs.localPref = b.getUnsignedInt(off); // RFC 7606 7.5: ignored from external peers
                    }
                },
                (s, out) -> {
                    if (s.options.ibgp()) {
                        u32(out, WELL_KNOWN, LOCAL_PREF, s.a.localPref);
                    }
                },
                a -> a.localPref < 0 ? null : Long.toString(a.localPref));

        row(
                ATOMIC_AGGREGATE,
                "atomic_aggregate",
                WELL_KNOWN,
                Action.ATTRIBUTE_DISCARD,
                (b, off, len, s) -> {
                    expectLength(len == 0);
                    s.attrs.atomicAggregate = true;
                },
                (s, out) -> {
                    if (s.a.atomicAggregate) {
                        header(out, WELL_KNOWN, ATOMIC_AGGREGATE, 0);
                    }
                },
                a -> a.atomicAggregate ? "yes" : null);

        row(
                AGGREGATOR,
                "aggregator",
                OPT_TRANS,
                Action.ATTRIBUTE_DISCARD,
                (b, off, len, s) -> {
                    boolean as4 = s.options.as4();
                    expectLength(len == (as4 ? 8 : 6));
                    long asn = as4 ? b.getUnsignedInt(off) : b.getUnsignedShort(off);
                    s.attrs.aggregator = new Aggregator(asn, b.getInt(off + (as4 ? 4 : 2)));
                },
                (s, out) -> {
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
                },
                a -> a.aggregator == null ? null : a.aggregator.toString());

        row(
                COMMUNITIES,
                "communities",
                OPT_TRANS,
                Action.TREAT_AS_WITHDRAW,
                (b, off, len, s) -> {
                    expectLength(len > 0 && len % 4 == 0);
                    s.attrs.communities = words(b, off, len);
                },
                (s, out) -> words(out, OPT_TRANS, COMMUNITIES, s.a.communities),
                a -> {
                    if (a.communities == null) {
                        return null;
                    }
                    StringJoiner j = new StringJoiner(" ");
                    for (int v : a.communities) {
                        j.add("(" + (v >>> 16) + "," + (v & 0xffff) + ")");
                    }
                    return j.toString();
                });

        row(
                ORIGINATOR_ID,
                "originator_id",
                OPT_NON_TRANS,
                Action.TREAT_AS_WITHDRAW,
                (b, off, len, s) -> {
                    expectLength(len == 4);
                    s.attrs.originatorId = b.getUnsignedInt(off);
                },
                (s, out) -> {
                    if (s.options.ibgp()) {
                        u32(out, OPT_NON_TRANS, ORIGINATOR_ID, s.a.originatorId);
                    }
                },
                a -> a.originatorId < 0 ? null : Ip.v4String((int) a.originatorId));

        row(
                CLUSTER_LIST,
                "cluster_list",
                OPT_NON_TRANS,
                Action.TREAT_AS_WITHDRAW,
                (b, off, len, s) -> {
                    expectLength(len > 0 && len % 4 == 0);
                    s.attrs.clusterList = words(b, off, len);
                },
                (s, out) -> {
                    if (s.options.ibgp()) {
                        words(out, OPT_NON_TRANS, CLUSTER_LIST, s.a.clusterList);
                    }
                },
                a -> {
                    if (a.clusterList == null) {
                        return null;
                    }
                    StringJoiner j = new StringJoiner(" ");
                    for (int v : a.clusterList) {
                        j.add(Ip.v4String(v));
                    }
                    return j.toString();
                });

        row(
                MP_REACH,
                "mp_reach_nlri",
                OPT_NON_TRANS,
                Action.SESSION_RESET,
                AttributeCodecs::decodeMpReach,
                AttributeCodecs::encodeMpReach,
                a -> null);
        row(
                MP_UNREACH,
                "mp_unreach_nlri",
                OPT_NON_TRANS,
                Action.SESSION_RESET,
                AttributeCodecs::decodeMpUnreach,
                AttributeCodecs::encodeMpUnreach,
                a -> null);

        row(
                EXT_COMMUNITIES,
                "ext_communities",
                OPT_TRANS,
                Action.TREAT_AS_WITHDRAW,
                (b, off, len, s) -> {
                    expectLength(len > 0 && len % 8 == 0);
                    long[] c = new long[len / 8];
                    for (int i = 0; i < c.length; i++) {
                        c[i] = b.getLong(off + 8 * i);
                    }
                    s.attrs.extCommunities = c;
                },
                (s, out) -> {
                    long[] c = s.a.extCommunities;
                    if (c == null || c.length == 0) {
                        return;
                    }
                    header(out, OPT_TRANS, EXT_COMMUNITIES, c.length * 8);
                    for (long v : c) {
                        out.writeLong(v);
                    }
                },
                a -> {
                    if (a.extCommunities == null) {
                        return null;
                    }
                    StringJoiner j = new StringJoiner(" ");
                    for (long v : a.extCommunities) {
                        j.add(String.format("0x%016x", v));
                    }
                    return j.toString();
                });

        row(
                AS4_PATH,
                "as4_path",
                OPT_TRANS,
                Action.ATTRIBUTE_DISCARD,
                (b, off, len, s) -> s.attrs.as4Path = decodeAsPath(b, off, len, true, true),
                (s, out) -> {
                    // RFC 6793 4.2.2: toward a 2-octet peer, only when AS_TRANS had to stand in for some ASN
                    if (s.options.as4() || s.a.asPath == null || !s.a.asPath.needsFourOctets()) {
                        return;
                    }
                    encodeAsPath(out, AS4_PATH, OPT_TRANS, s.a.asPath.withoutConfed(), true);
                },
                a -> null);

        row(
                AS4_AGGREGATOR,
                "as4_aggregator",
                OPT_TRANS,
                Action.ATTRIBUTE_DISCARD,
                (b, off, len, s) -> {
                    expectLength(len == 8);
                    s.attrs.as4Aggregator = new Aggregator(b.getUnsignedInt(off), b.getInt(off + 4));
                },
                (s, out) -> {
                    Aggregator g = s.a.aggregator;
                    if (s.options.as4() || g == null || g.asn() <= 0xffff) {
                        return;
                    }
                    header(out, OPT_TRANS, AS4_AGGREGATOR, 8);
                    out.writeInt((int) g.asn());
                    out.writeInt(g.address());
                },
                a -> null);

        row(
                LARGE_COMMUNITY,
                "large_community",
                OPT_TRANS,
                Action.TREAT_AS_WITHDRAW,
                (b, off, len, s) -> {
                    expectLength(len > 0 && len % 12 == 0);
                    s.attrs.largeCommunities = words(b, off, len);
                },
                (s, out) -> words(out, OPT_TRANS, LARGE_COMMUNITY, s.a.largeCommunities),
                a -> {
                    if (a.largeCommunities == null) {
                        return null;
                    }
                    StringJoiner j = new StringJoiner(" ");
                    for (int i = 0; i < a.largeCommunities.length; i += 3) {
                        j.add("(" + Integer.toUnsignedString(a.largeCommunities[i]) + ","
                                + Integer.toUnsignedString(a.largeCommunities[i + 1]) + ","
                                + Integer.toUnsignedString(a.largeCommunities[i + 2]) + ")");
                    }
                    return j.toString();
                });
    }

    private AttributeTable() {}

    static Row row(int code) {
        return ROWS[code];
    }

    /** Rows in ascending code order (the order attributes are encoded in). */
    static List<Row> rows() {
        return ORDERED;
    }

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
}
