package org.calicojava.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicojava.bgp.codec.Hex.MARKER;
import static org.calicojava.bgp.codec.Hex.bytes;
import static org.calicojava.bgp.codec.Hex.decodeWhole;
import static org.calicojava.bgp.codec.MessageVectorsTest.roundTrip;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * RFC 8538 on the wire: the N bit of the graceful restart capability (RFC 4724 section 3: Restart Flags in the top 4
 * bits of a 16-bit field whose low 12 bits are the Restart Time; R = 0x8, N = 0x4 of the flags), and the Cease / Hard
 * Reset NOTIFICATION (subcode 9) whose data is the error it stands for: ErrCode, Subcode, Data (section 3).
 */
class GracefulRestartNotificationTest {
    static final Map<Family, Boolean> BOTH_PRESERVED = Map.of(Family.IPV4_UNICAST, true, Family.IPV6_UNICAST, true);

    static Open open(GracefulRestart gr) {
        return new Open(
                4,
                65002,
                90,
                Ip.v4Int("127.0.0.10"),
                new Capabilities(Set.of(), -1, false, false, gr, Map.of(), false));
    }

    static String openWithGr(String flagsAndTime) {
        return MARKER + """
                002b          # length 43
                01 04 fdea 005a 7f00000a   # OPEN, version 4, AS 65002, hold 90, id 127.0.0.10
                0e 02 0c      # 14 bytes of parameters: capabilities, 12 bytes
                40 0a         # graceful restart, 10 bytes
                """ + flagsAndTime + """
                  # Restart Flags (4 bits) and Restart Time (12 bits)
                0001 01 80    # IPv4 unicast, Forwarding State preserved
                0002 01 80    # IPv6 unicast, Forwarding State preserved
                """;
    }

    @Test
    void theNBitIsEncodedAndDecoded() {
        // flags 0100 (N), restart time 120 (0x078): what we advertise by default
        roundTrip(
                openWithGr("4078"), open(new GracefulRestart(false, true, 120, BOTH_PRESERVED)), CodecOptions.DEFAULT);
    }

    @Test
    void withoutTheNBitTheFlagsAreZero() {
        roundTrip(
                openWithGr("0078"), open(new GracefulRestart(false, false, 120, BOTH_PRESERVED)), CodecOptions.DEFAULT);
    }

    @Test
    void restartStateAndNotificationTogether() {
        // flags 1100 (R and N), restart time 4095: a peer that restarted after a NOTIFICATION
        roundTrip(
                openWithGr("cfff"), open(new GracefulRestart(true, true, 4095, BOTH_PRESERVED)), CodecOptions.DEFAULT);
    }

    @Test
    void aPeersCapabilityWithTheNBitAndReservedFlagsSet() {
        byte[] wire = bytes(MARKER + """
                0027          # length 39
                01 04 fdeb 00b4 7f00000b   # OPEN, version 4, AS 65003, hold 180, id 127.0.0.11
                0a 02 08      # 10 bytes of parameters: capabilities, 8 bytes
                40 06         # graceful restart, 6 bytes
                70b4          # flags 0111: N and the two reserved bits (ignored), restart time 180
                0001 01 00    # IPv4 unicast, Forwarding State not preserved
                """);
        Open o = (Open) decodeWhole(wire, CodecOptions.DEFAULT).get(0);
        GracefulRestart gr = o.capabilities().gracefulRestart();
        assertThat(gr).isEqualTo(new GracefulRestart(false, true, 180, Map.of(Family.IPV4_UNICAST, false)));
        assertThat(gr.notification()).isTrue();
        assertThat(gr.restarting()).isFalse();
    }

    @Test
    void hardResetCarriesTheOriginalCodeSubcodeAndData() {
        byte[] limit = bytes("0001 01 0000000a"); // AFI 1, SAFI 1, limit 10 (RFC 4486)
        BgpError hard = BgpError.hardReset(BgpError.of(BgpError.CEASE, BgpError.MAX_PREFIXES, limit));
        roundTrip(MARKER + """
                001e   # length 30
                03     # NOTIFICATION
                06 09  # Cease / Hard Reset
                06 01  # data: ErrCode Cease, Subcode maximum number of prefixes reached
                0001 01 0000000a   # then that error's data: AFI 1, SAFI 1, limit 10
                """, new Notification(hard), CodecOptions.DEFAULT);
        assertThat(hard.isHardReset()).isTrue();
        assertThat(hard)
                .hasToString("cease / hard reset: cease / maximum number of prefixes reached (data 0001010000000a)");
        assertThat(BgpError.of(6, 9)).as("a Hard Reset without data").hasToString("cease / hard reset");
        assertThat(BgpError.hardReset(BgpError.of(6, 2))).isEqualTo(BgpError.of(6, 9, bytes("0602")));
    }
}
