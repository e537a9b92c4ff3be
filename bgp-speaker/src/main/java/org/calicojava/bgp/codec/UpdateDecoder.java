package org.calicojava.bgp.codec;

import static org.calicojava.bgp.codec.AttributeTable.AS_PATH;
import static org.calicojava.bgp.codec.AttributeTable.EXTENDED;
import static org.calicojava.bgp.codec.AttributeTable.MP_REACH;
import static org.calicojava.bgp.codec.AttributeTable.MP_UNREACH;
import static org.calicojava.bgp.codec.AttributeTable.NEXT_HOP;
import static org.calicojava.bgp.codec.AttributeTable.OPTIONAL;
import static org.calicojava.bgp.codec.AttributeTable.ORIGIN;
import static org.calicojava.bgp.codec.AttributeTable.TRANSITIVE;
import static org.calicojava.bgp.codec.AttributeTable.row;
import static org.calicojava.bgp.codec.BgpError.ATTRIBUTE_FLAGS_ERROR;
import static org.calicojava.bgp.codec.BgpError.ATTRIBUTE_LENGTH_ERROR;
import static org.calicojava.bgp.codec.BgpError.INVALID_NETWORK_FIELD;
import static org.calicojava.bgp.codec.BgpError.MALFORMED_AS_PATH;
import static org.calicojava.bgp.codec.BgpError.MALFORMED_ATTRIBUTE_LIST;
import static org.calicojava.bgp.codec.BgpError.MISSING_WELL_KNOWN;
import static org.calicojava.bgp.codec.BgpError.UNRECOGNIZED_WELL_KNOWN;
import static org.calicojava.bgp.codec.BgpError.UPDATE_MESSAGE;
import static org.calicojava.bgp.codec.BgpError.of;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.calicojava.bgp.codec.AttributeTable.Action;
import org.calicojava.bgp.codec.AttributeTable.DecodeState;
import org.calicojava.bgp.codec.AttributeTable.Row;

/**
 * Decodes UPDATE bodies with RFC 7606 error handling. One instance per session (not thread-safe): it reuses its decode
 * state and remembers the last attribute bytes, so a stream of UPDATEs with identical attributes shares one
 * {@link PathAttributes} and decodes only the prefixes.
 */
public final class UpdateDecoder {
    private final DecodeState state = new DecodeState();
    private final long[] seen = new long[4];
    private final ByteBuf lastAttrBytes = Unpooled.buffer(256);
    private PathAttributes lastAttrs;
    private CodecOptions lastOptions;

    /**
     * Decodes the body of an UPDATE (after the 19-byte header), consuming all readable bytes.
     *
     * @throws BgpException where RFC 7606 leaves only a session reset
     */
    public Update decode(ByteBuf b, CodecOptions options) {
        int end = b.writerIndex();
        if (b.readableBytes() < 4) {
            throw new BgpException(of(UPDATE_MESSAGE, MALFORMED_ATTRIBUTE_LIST));
        }
        int wlen = b.readUnsignedShort();
        if (wlen + 2 > b.readableBytes()) {
            throw new BgpException(of(UPDATE_MESSAGE, MALFORMED_ATTRIBUTE_LIST));
        }
        Nlri withdrawn = Nlri.decode(b, wlen, Family.IPV4_UNICAST, options.receivesPathIds(Family.IPV4_UNICAST));
        int alen = b.readUnsignedShort();
        if (alen > b.readableBytes()) {
            throw new BgpException(of(UPDATE_MESSAGE, MALFORMED_ATTRIBUTE_LIST));
        }
        int attrStart = b.readerIndex(), attrEnd = attrStart + alen;

        PathAttributes attrs = null;
        Update.Outcome outcome = Update.Outcome.NORMAL;
        BgpError error = null;
        MpReach reach = null;
        MpUnreach unreach = null;
        if (alen > 0
                && options == lastOptions
                && lastAttrs != null
                && lastAttrBytes.readableBytes() == alen
                && ByteBufUtil.equals(b, attrStart, lastAttrBytes, 0, alen)) {
            attrs = lastAttrs; // same attribute bytes as the previous UPDATE: share its decoded set
        } else if (alen > 0) {
            DecodeState s = state;
            s.attrs.reset();
            s.options = options;
            s.mpReach = null;
            s.mpUnreach = null;
            seen[0] = seen[1] = seen[2] = seen[3] = 0;
            int p = attrStart;
            while (p < attrEnd) {
                int flags = b.getUnsignedByte(p);
                int hl = (flags & EXTENDED) != 0 ? 4 : 3;
                if (attrEnd - p < hl) { // RFC 7606 section 4: attribute header overruns the attribute section
                    error = first(error, of(UPDATE_MESSAGE, MALFORMED_ATTRIBUTE_LIST));
                    outcome = Update.Outcome.TREAT_AS_WITHDRAW;
                    break;
                }
                int code = b.getUnsignedByte(p + 1);
                int len = hl == 4 ? b.getUnsignedShort(p + 2) : b.getUnsignedByte(p + 2);
                if (p + hl + len > attrEnd) { // attribute length overruns: the rest cannot be parsed
                    if (code == MP_REACH || code == MP_UNREACH)
                        throw new BgpException(
                                of(UPDATE_MESSAGE, ATTRIBUTE_LENGTH_ERROR, ByteBufUtil.getBytes(b, p, attrEnd - p)));
                    error = first(
                            error, of(UPDATE_MESSAGE, ATTRIBUTE_LENGTH_ERROR, ByteBufUtil.getBytes(b, p, attrEnd - p)));
                    outcome = Update.Outcome.TREAT_AS_WITHDRAW;
                    break;
                }
                Row row = AttributeTable.row(code);
                boolean duplicate = (seen[code >>> 6] & (1L << code)) != 0;
                seen[code >>> 6] |= 1L << code;
                if (duplicate) { // RFC 7606 3(g): every attribute, known or not, after the first of its code is
                    // discarded
                    if (code == MP_REACH || code == MP_UNREACH) {
                        throw new BgpException(of(UPDATE_MESSAGE, MALFORMED_ATTRIBUTE_LIST));
                    }
                    if (outcome == Update.Outcome.NORMAL) {
                        outcome = Update.Outcome.ATTRIBUTE_DISCARD;
                    }
                    error = first(error, of(UPDATE_MESSAGE, MALFORMED_ATTRIBUTE_LIST));
                } else if (row == null) {
                    if ((flags & OPTIONAL) == 0) {
                        throw new BgpException(
                                of(UPDATE_MESSAGE, UNRECOGNIZED_WELL_KNOWN, ByteBufUtil.getBytes(b, p, hl + len)));
                    }
                    if ((flags & TRANSITIVE) != 0) {
                        s.attrs.addUnknown(
                                new RawAttribute(flags & ~EXTENDED, code, ByteBufUtil.getBytes(b, p + hl, len)));
                    }
                } else {
                    BgpError e = null;
                    if ((flags & (OPTIONAL | TRANSITIVE)) != row.flags()) {
                        e = of(UPDATE_MESSAGE, ATTRIBUTE_FLAGS_ERROR, ByteBufUtil.getBytes(b, p, hl + len));
                    } else {
                        try {
                            row.decode().decode(b, p + hl, len, s);
                        } catch (BgpException x) {
                            BgpError x0 = x.error();
                            e = x0.subcode() == MALFORMED_AS_PATH || x0.subcode() == INVALID_NETWORK_FIELD
                                    ? x0
                                    : of(
                                            x0.code(),
                                            x0.subcode(),
                                            ByteBufUtil.getBytes(b, p, hl + len)); // data: the attribute
                        }
                    }
                    if (e != null) {
                        // RFC 7606 3(c): flag errors are treat-as-withdraw unless the attribute says otherwise
                        Action a = row.onError();
                        if (a == Action.SESSION_RESET) {
                            throw new BgpException(e);
                        }
                        error = first(error, e);
                        if (a == Action.TREAT_AS_WITHDRAW) {
                            outcome = Update.Outcome.TREAT_AS_WITHDRAW;
                        } else if (outcome == Update.Outcome.NORMAL) {
                            outcome = Update.Outcome.ATTRIBUTE_DISCARD;
                        }
                    }
                }
                p += hl + len;
            }
            mergeAs4(s.attrs, options);
            attrs = s.attrs.build();
            if (attrs.isEmpty()) {
                attrs = null; // only MP_REACH/MP_UNREACH (or dropped attributes)
            }
            reach = s.mpReach;
            unreach = s.mpUnreach;
            if (attrs == null && reach == null && unreach == null) {
                // every attribute ignored (an MP_UNREACH_NLRI of a family we do not know, an unknown non-transitive
                // one): still an UPDATE with attributes, so no IPv4 End-of-RIB (RFC 4724 2: no attributes at all)
                attrs = PathAttributes.EMPTY;
            }
            if (outcome == Update.Outcome.NORMAL && reach == null && unreach == null) {
                lastOptions = options;
                lastAttrs = attrs;
                lastAttrBytes.clear().writeBytes(b, attrStart, alen);
            } else {
                lastAttrs = null;
            }
        }
        b.readerIndex(attrEnd);
        Nlri nlri = Nlri.decode(b, end - attrEnd, Family.IPV4_UNICAST, options.receivesPathIds(Family.IPV4_UNICAST));

        boolean reachable = !nlri.isEmpty() || (reach != null && !reach.nlri().isEmpty());
        if (reachable && outcome != Update.Outcome.TREAT_AS_WITHDRAW) { // RFC 7606 3(d): missing well-known mandatory
            int missing = attrs == null || attrs.origin < 0
                    ? ORIGIN
                    : attrs.asPath == null ? AS_PATH : !nlri.isEmpty() && !attrs.hasNextHop ? NEXT_HOP : 0;
            if (missing != 0) {
                outcome = Update.Outcome.TREAT_AS_WITHDRAW;
                error = first(error, of(UPDATE_MESSAGE, MISSING_WELL_KNOWN, new byte[] {(byte) missing}));
            }
        }
        // an MP_REACH_NLRI with no prefixes (and every other attribute dropped) still needs its attribute set: found by
        // CodecFuzzTest#update (seed mp_reach_without_prefixes_or_attributes), an IllegalArgumentException before
        if (attrs == null && (reachable || reach != null)) {
            attrs = PathAttributes.EMPTY;
        }
        return new Update(withdrawn, attrs, nlri, reach, unreach, outcome, error);
    }

    /** RFC 6793 section 4.2.3: merge AS4_PATH / AS4_AGGREGATOR received from a 2-octet speaker; ignore them from a 4-octet one. */
    private static void mergeAs4(PathAttributes.Builder a, CodecOptions options) {
        AsPath as4Path = a.as4Path;
        Aggregator as4Agg = a.as4Aggregator;
        a.as4Path = null;
        a.as4Aggregator = null;
        if (options.as4() || (as4Path == null && as4Agg == null)) {
            return;
        }
        if (a.aggregator != null && a.aggregator.asn() != Open.AS_TRANS) {
            return; // AS4_* came from an older aggregation
        }
        if (as4Agg != null && a.aggregator != null) {
            a.aggregator = as4Agg;
        }
        if (as4Path != null && a.asPath != null) {
            a.asPath = a.asPath.mergeAs4(as4Path);
        }
    }

    private static BgpError first(BgpError current, BgpError e) {
        return current != null ? current : e;
    }
}
