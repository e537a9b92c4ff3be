package org.calicojava.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicojava.bgp.codec.Hex.MARKER;
import static org.calicojava.bgp.codec.Hex.bytes;
import static org.calicojava.bgp.codec.Hex.decodeByteByByte;
import static org.calicojava.bgp.codec.Hex.decodeWhole;
import static org.calicojava.bgp.codec.Hex.encode;
import static org.calicojava.bgp.codec.Hex.hex;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Byte vectors for OPEN, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH: decoded whole and byte by byte, and encoded back. */
class MessageVectorsTest {
    static final String OPEN_ALL_CAPS = MARKER + """
            0045          # length 69
            01            # type OPEN
            04            # version 4
            fdea          # my AS 65002
            005a          # hold time 90
            7f00000a      # BGP identifier 127.0.0.10
            28            # optional parameters length 40
            02 26         # parameter: capabilities, 38 bytes
            01 04 0001 00 01   # multiprotocol IPv4 unicast
            01 04 0002 00 01   # multiprotocol IPv6 unicast
            02 00              # route refresh
            06 00              # extended message
            40 06 0078 0001 01 80   # graceful restart: restart time 120, IPv4 unicast with forwarding state
            41 04 0000fdea     # 4-octet AS 65002
            45 04 0001 01 03   # ADD-PATH IPv4 unicast send+receive
            46 00              # enhanced route refresh
            """;

    static final Open OPEN_ALL = new Open(
            4,
            65002,
            90,
            Ip.v4Int("127.0.0.10"),
            new Capabilities(
                    Set.of(Family.IPV4_UNICAST, Family.IPV6_UNICAST),
                    65002,
                    true,
                    true,
                    new GracefulRestart(false, 120, Map.of(Family.IPV4_UNICAST, true)),
                    Map.of(Family.IPV4_UNICAST, AddPathMode.BOTH),
                    true));

    static void roundTrip(String vector, Message expected, CodecOptions o) {
        byte[] wire = bytes(vector);
        assertThat(decodeWhole(wire, o)).containsExactly(expected);
        assertThat(decodeByteByByte(wire, o)).containsExactly(expected);
        assertThat(hex(encode(expected, o))).isEqualTo(hex(wire));
    }

    @Test
    void openWithEveryCapability() {
        roundTrip(OPEN_ALL_CAPS, OPEN_ALL, CodecOptions.DEFAULT);
    }

    @Test
    void openWith4OctetAsUsesAsTrans() {
        Open o = Open.of(
                4200000000L,
                0,
                1,
                new Capabilities(Set.of(Family.IPV4_UNICAST), 4200000000L, false, false, null, Map.of(), false));
        roundTrip(MARKER + """
                002b          # length 43
                01 04         # OPEN, version 4
                5ba0          # my AS = AS_TRANS 23456
                0000          # hold time 0: no keepalives
                00000001      # BGP identifier 0.0.0.1
                0e 02 0c      # 14 bytes of parameters: capabilities, 12 bytes
                01 04 0001 00 01   # multiprotocol IPv4 unicast
                41 04 fa56ea00     # 4-octet AS 4200000000
                """, o, CodecOptions.DEFAULT);
        assertThat(o.peerAs()).isEqualTo(4200000000L);
    }

    @Test
    void unknownCapabilityIsIgnored() {
        byte[] wire = bytes(MARKER + """
                0025 01 04 fdea 005a 7f00000a   # length 37, OPEN v4, AS 65002, hold 90, id 127.0.0.10
                08 02 06                  # 8 bytes of parameters: capabilities, 6 bytes
                49 04 0261 6200           # FQDN capability (73): not known here, skipped
                """);
        Open o = (Open) decodeWhole(wire, CodecOptions.DEFAULT).get(0);
        assertThat(o.capabilities()).isEqualTo(Capabilities.NONE);
        assertThat(o.peerAs()).isEqualTo(65002);
    }

    @Test
    void keepalive() {
        roundTrip(MARKER + "0013 04   # length 19, KEEPALIVE", Keepalive.INSTANCE, CodecOptions.DEFAULT);
    }

    @Test
    void notificationWithData() {
        roundTrip(MARKER + """
                0017   # length 23
                03     # NOTIFICATION
                02 02  # OPEN message error / bad peer AS
                fdea   # data: the AS we saw, 65002
                """, new Notification(BgpError.u16(2, 2, 65002)), CodecOptions.DEFAULT);
    }

    @Test
    void notificationCeaseWithoutData() {
        roundTrip(
                MARKER + "0015 03 06 02   # length 21, NOTIFICATION, cease / administrative shutdown",
                new Notification(BgpError.of(6, 2)),
                CodecOptions.DEFAULT);
        assertThat(BgpError.of(6, 2)).hasToString("cease / administrative shutdown");
    }

    @Test
    void routeRefreshAndEnhancedMarkers() {
        roundTrip(
                MARKER + "0017 05 0001 00 01   # length 23, ROUTE-REFRESH, AFI 1, normal request, SAFI 1",
                new RouteRefresh(1, 1, RouteRefresh.REQUEST),
                CodecOptions.DEFAULT);
        roundTrip(
                MARKER + "0017 05 0002 01 01   # ROUTE-REFRESH AFI 2, Begin-of-RR (RFC 7313), SAFI 1",
                new RouteRefresh(2, 1, RouteRefresh.BORR),
                CodecOptions.DEFAULT);
        roundTrip(
                MARKER + "0017 05 0002 02 01   # ROUTE-REFRESH AFI 2, End-of-RR, SAFI 1",
                new RouteRefresh(2, 1, RouteRefresh.EORR),
                CodecOptions.DEFAULT);
    }

    @Test
    void severalMessagesInOneBuffer() {
        byte[] wire = bytes(MARKER + "0013 04" + MARKER + "0015 03 06 04");
        List<Object> out = decodeWhole(wire, CodecOptions.DEFAULT);
        assertThat(out).containsExactly(Keepalive.INSTANCE, new Notification(BgpError.of(6, 4)));
        assertThat(decodeByteByByte(wire, CodecOptions.DEFAULT)).isEqualTo(out);
    }

    @Test
    void extendedMessageRaisesTheLimit() {
        byte[] big = new byte[5000];
        java.util.Arrays.fill(big, 0, 16, (byte) -1);
        big[16] = (byte) (5000 >>> 8);
        big[17] = (byte) 5000;
        big[18] = 3; // NOTIFICATION with 4979 bytes of data
        big[19] = 6;
        big[20] = 8;
        assertThat(decodeWhole(big, CodecOptions.DEFAULT))
                .containsExactly(new BgpFrameDecoder.MalformedMessage(BgpError.u16(1, 2, 5000)));
        CodecOptions ext = new CodecOptions(true, Set.of(), Set.of(), true, false);
        assertThat(decodeWhole(big, ext)).singleElement().isInstanceOf(Notification.class);
    }

    /** A NOTIFICATION's data is cut to the session's maximum: 4096 bytes, 65535 with extended messages (RFC 8654). */
    @Test
    void notificationDataIsCutToTheMaximumLength() {
        byte[] data = new byte[70_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        byte[] out = encode(new Notification(BgpError.of(7, 1, data)), CodecOptions.AS4);
        assertThat(out).hasSize(4096);
        assertThat(hex(java.util.Arrays.copyOf(out, 21))).isEqualTo(MARKER + "1000" + "03" + "0701");
        assertThat(java.util.Arrays.copyOfRange(out, 21, 4096)).isEqualTo(java.util.Arrays.copyOf(data, 4075));
        CodecOptions ext = new CodecOptions(true, Set.of(), Set.of(), true, false);
        byte[] big = encode(new Notification(BgpError.of(7, 1, data)), ext);
        assertThat(big).hasSize(65535);
        assertThat(hex(java.util.Arrays.copyOf(big, 19))).isEqualTo(MARKER + "ffff" + "03");
        assertThat(decodeWhole(big, ext))
                .containsExactly(new Notification(BgpError.of(7, 1, java.util.Arrays.copyOf(data, 65514))));
    }
}
