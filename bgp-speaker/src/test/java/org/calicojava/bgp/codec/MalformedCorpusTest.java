package org.calicojava.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.calicojava.bgp.codec.Hex.MARKER;
import static org.calicojava.bgp.codec.Hex.bytes;
import static org.calicojava.bgp.codec.Hex.decodeByteByByte;
import static org.calicojava.bgp.codec.Hex.decodeWhole;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * Malformed messages, each with the exact NOTIFICATION (code/subcode/data) it causes, or its RFC 7606 outcome
 * (treat-as-withdraw, attribute-discard) when the session survives.
 */
class MalformedCorpusTest {
    static final String HEAD =
            "40 01 01 00 40 02 06 02 01 0000fdea 40 03 04 7f00000b   # ORIGIN IGP, AS_PATH 65002, NEXT_HOP 127.0.0.11\n";

    /** An UPDATE with computed lengths: no withdrawn routes, {@code attrs} then {@code nlri} (hex with comments). */
    static String upd(String attrs, String nlri) {
        int a = bytes(attrs).length, n = bytes(nlri).length;
        return MARKER
                + String.format("%04x 02 0000 %04x   # length, UPDATE, no withdrawn, attribute length%n", 23 + a + n, a)
                + attrs + "\n" + nlri;
    }

    /** The NOTIFICATION the channel decoder emits for {@code vector}, checked whole and byte by byte. */
    static BgpError notification(String vector, CodecOptions o) {
        byte[] wire = bytes(vector);
        Object whole = decodeWhole(wire, o).get(0);
        assertThat(decodeByteByByte(wire, o)).containsExactly(whole);
        assertThat(whole).isInstanceOf(BgpFrameDecoder.MalformedMessage.class);
        return ((BgpFrameDecoder.MalformedMessage) whole).error();
    }

    static Update update(String vector) {
        byte[] wire = bytes(vector);
        Object whole = decodeWhole(wire, CodecOptions.AS4).get(0);
        assertThat(whole).isInstanceOf(Update.class);
        return (Update) whole;
    }

    @Test
    void badMarker() {
        assertThat(notification("fe" + MARKER.substring(2) + "0013 04", CodecOptions.DEFAULT))
                .isEqualTo(BgpError.of(1, 1));
    }

    @Test
    void lengthBelowHeader() {
        assertThat(notification(MARKER + "0012 04   # length 18", CodecOptions.DEFAULT))
                .isEqualTo(BgpError.u16(1, 2, 18));
    }

    @Test
    void lengthAbove4096WithoutExtendedMessages() {
        assertThat(notification(MARKER + "1001 02   # length 4097", CodecOptions.AS4))
                .isEqualTo(BgpError.u16(1, 2, 4097));
    }

    @Test
    void keepaliveWithBody() {
        assertThat(notification(MARKER + "0014 04 00   # KEEPALIVE of length 20", CodecOptions.DEFAULT))
                .isEqualTo(BgpError.u16(1, 2, 20));
    }

    @Test
    void openShorterThan29() {
        assertThat(notification(MARKER + "001c 01 04 fdea 005a 7f00000a   # OPEN of length 28", CodecOptions.DEFAULT))
                .isEqualTo(BgpError.u16(1, 2, 28));
    }

    @Test
    void badType() {
        assertThat(notification(MARKER + "0013 07   # type 7", CodecOptions.DEFAULT))
                .isEqualTo(BgpError.of(1, 3, new byte[] {7}));
    }

    @Test
    void openBadVersionHoldTimeAndId() {
        assertThat(notification(MARKER + "001d 01 03 fdea 005a 7f00000a 00   # version 3", CodecOptions.DEFAULT))
                .isEqualTo(BgpError.u16(2, 1, 4));
        assertThat(notification(MARKER + "001d 01 04 fdea 0002 7f00000a 00   # hold time 2", CodecOptions.DEFAULT))
                .isEqualTo(BgpError.of(2, 6));
        assertThat(notification(MARKER + "001d 01 04 fdea 005a 00000000 00   # BGP identifier 0", CodecOptions.DEFAULT))
                .isEqualTo(BgpError.of(2, 3));
        assertThat(notification(
                        MARKER + "0020 01 04 fdea 005a 7f00000a 03 01 01 00   # optional parameter type 1",
                        CodecOptions.DEFAULT))
                .isEqualTo(BgpError.of(2, 4));
    }

    @Test
    void routeRefreshWrongLength() {
        assertThat(notification(MARKER + "0018 05 0001 00 01 00   # ROUTE-REFRESH of length 24", CodecOptions.AS4))
                .isEqualTo(BgpError.of(7, 1, bytes(MARKER + "0018 05 0001 00 01 00")));
    }

    @Test
    void withdrawnLengthOverrunsMessage() {
        assertThat(notification(
                        MARKER + "0017 02 0005 0000   # withdrawn length 5 in a 23-byte UPDATE", CodecOptions.AS4))
                .isEqualTo(BgpError.of(3, 1));
    }

    @Test
    void attributeLengthOverrunsMessage() {
        assertThat(notification(MARKER + "0017 02 0000 0009   # attribute length 9, nothing follows", CodecOptions.AS4))
                .isEqualTo(BgpError.of(3, 1));
    }

    @Test
    void truncatedNlriResetsTheSession() {
        assertThat(notification(upd(HEAD, "18 0a14   # NLRI /24 with 2 of its 3 bytes"), CodecOptions.AS4))
                .isEqualTo(BgpError.of(3, 10));
    }

    @Test
    void prefixLongerThan32ResetsTheSession() {
        assertThat(notification(upd(HEAD, "21 0a140001 00   # NLRI length 33"), CodecOptions.AS4))
                .isEqualTo(BgpError.of(3, 10));
    }

    @Test
    void truncatedWithdrawnResetsTheSession() {
        assertThat(notification(MARKER + "001a 02 0003 20 0a14 0000   # withdrawn /32 with 2 bytes", CodecOptions.AS4))
                .isEqualTo(BgpError.of(3, 10));
    }

    @Test
    void wellKnownAttributeFlaggedOptionalIsTreatAsWithdraw() {
        Update u = update(
                upd("c0 01 01 00   # ORIGIN with flags c0\n40 02 06 02 01 0000fdea 40 03 04 7f00000b", "18 0a1400"));
        assertThat(u.outcome()).isEqualTo(Update.Outcome.TREAT_AS_WITHDRAW);
        assertThat(u.error()).isEqualTo(BgpError.of(3, 4, bytes("c0 01 01 00")));
        assertThat(u.nlri().toString()).isEqualTo("[10.20.0.0/24]");
    }

    @Test
    void badAttributeLengthIsTreatAsWithdraw() {
        Update u = update(
                upd("40 01 02 00 00   # ORIGIN of length 2\n40 02 06 02 01 0000fdea 40 03 04 7f00000b", "18 0a1400"));
        assertThat(u.outcome()).isEqualTo(Update.Outcome.TREAT_AS_WITHDRAW);
        assertThat(u.error()).isEqualTo(BgpError.of(3, 5, bytes("40 01 02 00 00")));
    }

    @Test
    void invalidOriginValueIsTreatAsWithdraw() {
        Update u = update(upd("40 01 01 03   # ORIGIN 3\n40 02 06 02 01 0000fdea 40 03 04 7f00000b", "18 0a1400"));
        assertThat(u.outcome()).isEqualTo(Update.Outcome.TREAT_AS_WITHDRAW);
        assertThat(u.error()).isEqualTo(BgpError.of(3, 6, bytes("40 01 01 03")));
    }

    @Test
    void communitiesNotAMultipleOfFourIsTreatAsWithdraw() {
        Update u = update(upd(HEAD + "c0 08 03 000001   # COMMUNITIES of 3 bytes", "18 0a1400"));
        assertThat(u.outcome()).isEqualTo(Update.Outcome.TREAT_AS_WITHDRAW);
        assertThat(u.error()).isEqualTo(BgpError.of(3, 5, bytes("c0 08 03 000001")));
    }

    @Test
    void attributeOverrunningTheAttributeSectionIsTreatAsWithdraw() {
        Update u = update(upd(HEAD + "c0 08 08 00000001   # COMMUNITIES claims 8, has 4", ""));
        assertThat(u.outcome()).isEqualTo(Update.Outcome.TREAT_AS_WITHDRAW);
        assertThat(u.error()).isEqualTo(BgpError.of(3, 5, bytes("c0 08 08 00000001")));
    }

    @Test
    void malformedAggregatorIsDiscarded() {
        Update u = update(upd(HEAD + "c0 07 04 0000fdea   # AGGREGATOR of 4 bytes", "18 0a1400"));
        assertThat(u.outcome()).isEqualTo(Update.Outcome.ATTRIBUTE_DISCARD);
        assertThat(u.error()).isEqualTo(BgpError.of(3, 5, bytes("c0 07 04 0000fdea")));
        assertThat(u.attributes().aggregator()).isNull();
        assertThat(u.attributes().asPath()).isEqualTo(AsPath.sequence(65002));
    }

    @Test
    void duplicateAttributeKeepsTheFirst() {
        Update u = update(upd(HEAD + "40 01 01 02   # a second ORIGIN", "18 0a1400"));
        assertThat(u.outcome()).isEqualTo(Update.Outcome.ATTRIBUTE_DISCARD);
        assertThat(u.error()).isEqualTo(BgpError.of(3, 1));
        assertThat(u.attributes().origin()).isEqualTo(0);
    }

    /** RFC 7606 3(g) holds for unrecognized attributes too: only the first of a code is kept (and passed on). */
    @Test
    void duplicateUnknownAttributeKeepsTheFirst() {
        Update u = update(upd(
                HEAD + "c0 63 01 01   # unknown optional transitive 99, value 01\n"
                        + "c0 63 01 02   # a second 99, value 02: discarded",
                "18 0a1400"));
        assertThat(u.outcome()).isEqualTo(Update.Outcome.ATTRIBUTE_DISCARD);
        assertThat(u.error()).isEqualTo(BgpError.of(3, 1));
        assertThat(u.attributes().unknown()).containsExactly(new RawAttribute(0xc0, 99, new byte[] {1}));
    }

    @Test
    void duplicateMpReachResetsTheSession() {
        String reach = "80 0e 0d 0001 01 04 7f00000b 00 18 0a1400   # MP_REACH IPv4 10.20.0.0/24\n";
        assertThat(notification(upd("40 01 01 00 40 02 00\n" + reach + reach, ""), CodecOptions.AS4))
                .isEqualTo(BgpError.of(3, 1));
    }

    @Test
    void mpReachWithBadNextHopLengthResetsTheSession() {
        assertThat(notification(
                        upd(
                                "40 01 01 00 40 02 00\n80 0e 0a 0002 01 04 7f00000b 00 00   # MP_REACH IPv6 with a 4-byte next hop",
                                ""),
                        CodecOptions.AS4))
                .isEqualTo(BgpError.of(3, 9, bytes("80 0e 0a 0002 01 04 7f00000b 00 00")));
    }

    /** RFC 4760 3 / RFC 7606 7.11: IPv4 unicast has a 4-byte next hop (RFC 8950's 16 bytes are never negotiated here). */
    @Test
    void mpReachIpv4WithAnIpv6NextHopResetsTheSession() {
        String reach = "80 0e 19 0001 01 10 20010db8000000000000000000000001 00 18 0a1400";
        assertThat(notification(
                        upd(
                                HEAD + reach + "   # MP_REACH IPv4 unicast, 16-byte next hop 2001:db8::1, 10.20.0.0/24",
                                ""),
                        CodecOptions.AS4))
                .isEqualTo(BgpError.of(3, 9, bytes(reach)));
    }

    @Test
    void zeroLengthAsPathSegmentIsTreatAsWithdraw() {
        Update u = update(upd("40 01 01 00 40 02 02 02 00   # AS_SEQUENCE of 0 ASNs\n40 03 04 7f00000b", "18 0a1400"));
        assertThat(u.outcome()).isEqualTo(Update.Outcome.TREAT_AS_WITHDRAW);
        assertThat(u.error()).isEqualTo(BgpError.of(3, 11));
    }

    /** RFC 5065 section 5, RFC 7606 7.2: this speaker has no confederation, so a peer's AS_CONFED_* is malformed. */
    @Test
    void confederationSegmentsInAsPathAreTreatAsWithdraw() {
        Update seq = update(upd(
                "40 01 01 00   # ORIGIN IGP\n"
                        + "40 02 0a 03 02 0000fde9 0000fdea   # AS_PATH: AS_CONFED_SEQUENCE (65001 65002)\n"
                        + "40 03 04 7f00000b   # NEXT_HOP 127.0.0.11",
                "18 0a1400   # NLRI 10.20.0.0/24"));
        assertThat(seq.outcome()).isEqualTo(Update.Outcome.TREAT_AS_WITHDRAW);
        assertThat(seq.error()).isEqualTo(BgpError.of(3, 11));
        assertThat(seq.nlri().toString()).isEqualTo("[10.20.0.0/24]");
        Update set = update(upd(
                "40 01 01 00   # ORIGIN IGP\n"
                        + "40 02 0c 02 01 0000fdea 04 01 0000fde9   # AS_PATH: 65002, then AS_CONFED_SET [65001]\n"
                        + "40 03 04 7f00000b   # NEXT_HOP 127.0.0.11",
                "18 0a1400   # NLRI 10.20.0.0/24"));
        assertThat(set.outcome()).isEqualTo(Update.Outcome.TREAT_AS_WITHDRAW);
        assertThat(set.error()).isEqualTo(BgpError.of(3, 11));
    }

    @Test
    void missingNextHopIsTreatAsWithdraw() {
        Update u = update(upd("40 01 01 00 40 02 06 02 01 0000fdea   # no NEXT_HOP", "18 0a1400"));
        assertThat(u.outcome()).isEqualTo(Update.Outcome.TREAT_AS_WITHDRAW);
        assertThat(u.error()).isEqualTo(BgpError.of(3, 3, new byte[] {3}));
    }

    @Test
    void missingAttributesWithoutNlriAreFine() {
        Update u = update(MARKER + "001b 02 0000 0004 40 01 01 00   # ORIGIN only, no NLRI");
        assertThat(u.outcome()).isEqualTo(Update.Outcome.NORMAL);
    }

    /** Found by CodecFuzzTest#update: an IllegalArgumentException ("MP_REACH_NLRI without path attributes") before. */
    @Test
    void mpReachWithoutPrefixesAndNoOtherAttributeDecodes() {
        Update u = update(upd(
                "80 0e 15 0002 01 10 20010db8000000000000000000000001 00   # MP_REACH IPv6, next hop, no NLRI\n"
                        + "40 01 05 00 00 00 00 00   # ORIGIN of length 5: discarded (RFC 7606 7.1: treat-as-withdraw)",
                ""));
        assertThat(u.mpReach()).isNotNull();
        assertThat(u.mpReach().nlri().isEmpty()).isTrue();
        assertThat(u.attributes()).isNotNull();
        Update only =
                update(upd("80 0e 15 0002 01 10 20010db8000000000000000000000001 00   # MP_REACH only, no NLRI", ""));
        assertThat(only.outcome()).isEqualTo(Update.Outcome.NORMAL);
        assertThat(only.attributes()).isEqualTo(PathAttributes.EMPTY);
    }

    @Test
    void unrecognizedWellKnownAttributeResetsTheSession() {
        assertThat(notification(
                        MARKER + "001c 02 0000 0005 40 63 02 abcd   # well-known flags on unknown code 99",
                        CodecOptions.AS4))
                .isEqualTo(BgpError.of(3, 2, bytes("40 63 02 abcd")));
    }

    @Test
    void pureDecoderThrowsOnlyItsOwnException() {
        MessageDecoder d = new MessageDecoder();
        assertThatThrownBy(() -> d.decode(Unpooled.wrappedBuffer(bytes(MARKER + "0013")), CodecOptions.DEFAULT))
                .isInstanceOf(BgpException.class)
                .hasMessageContaining("bad message length");
    }
}
