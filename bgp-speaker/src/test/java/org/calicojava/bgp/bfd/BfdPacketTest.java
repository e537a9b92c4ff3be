package org.calicojava.bgp.bfd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 5880 section 4.1 control packets as hex vectors, decoded and encoded back; the reception checks of 6.8.6. */
class BfdPacketTest {
    /** Up, diag 0, P, mult 3, my 0x11223344, your 0x55667788, tx 100 ms, rx 100 ms, echo 0. */
    static final String UP_POLL = String.join(
            "",
            "20", // version 1, diag 0
            "e0", // state 3 (Up), P=1 F=0 C=0 A=0 D=0 M=0
            "03", // detect mult 3
            "18", // length 24
            "11223344", // my discriminator
            "55667788", // your discriminator
            "000186a0", // desired min tx 100000 us
            "000186a0", // required min rx 100000 us
            "00000000"); // required min echo rx 0

    private static ByteBuf buf(String hex) {
        return Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex));
    }

    @Test
    void decodesAndEncodesBack() {
        BfdPacket p = new BfdPacket();
        assertNull(p.decode(buf(UP_POLL), 255));
        assertEquals(BfdState.UP, p.state);
        assertTrue(p.poll);
        assertFalse(p.fin);
        assertEquals(3, p.detectMult);
        assertEquals(0x11223344, p.myDiscriminator);
        assertEquals(0x55667788, p.yourDiscriminator);
        assertEquals(100_000, p.desiredMinTx);
        assertEquals(100_000, p.requiredMinRx);
        ByteBuf out = Unpooled.buffer();
        p.encode(out);
        assertEquals(UP_POLL, ByteBufUtil.hexDump(out));
    }

    @Test
    void downWithDiagFinalAndUnsignedValues() {
        // version 1 diag 3 (neighbor down) | Down, F, C | mult 5 | len 24 | my 0xfffffffe | your 0 | tx 1 s | rx
        // 0xffffffff us | echo 0
        String hex = "23" + "58" + "05" + "18" + "fffffffe" + "00000000" + "000f4240" + "ffffffff" + "00000000";
        BfdPacket p = new BfdPacket();
        assertNull(p.decode(buf(hex), 255));
        assertEquals(Diag.NEIGHBOR_DOWN, p.diag);
        assertEquals(BfdState.DOWN, p.state);
        assertTrue(p.fin);
        assertTrue(p.cpi);
        assertEquals(0xffffffffL, p.requiredMinRx);
        assertEquals(1_000_000, p.desiredMinTx);
        ByteBuf out = Unpooled.buffer();
        p.encode(out);
        assertEquals(hex, ByteBufUtil.hexDump(out));
    }

    @Test
    void longerDatagramThanLengthFieldIsAccepted() {
        BfdPacket p = new BfdPacket();
        assertNull(p.decode(buf(UP_POLL + "0000"), 255));
    }

    @Test
    void malformedPacketsAreDropped() {
        BfdPacket p = new BfdPacket();
        assertEquals(BfdPacket.BAD_LENGTH, p.decode(buf(UP_POLL.substring(0, 46)), 255), "23 octets");
        assertEquals(
                BfdPacket.BAD_LENGTH,
                p.decode(buf(UP_POLL.substring(0, 6) + "17" + UP_POLL.substring(8)), 255),
                "length field 23");
        assertEquals(
                BfdPacket.BAD_LENGTH,
                p.decode(buf(UP_POLL.substring(0, 6) + "1c" + UP_POLL.substring(8)), 255),
                "length field 28 > 24 received");
        assertEquals(BfdPacket.BAD_VERSION, p.decode(buf("40" + UP_POLL.substring(2)), 255), "version 2");
        assertEquals(BfdPacket.BAD_VERSION, p.decode(buf("00" + UP_POLL.substring(2)), 255), "version 0");
        assertEquals(BfdPacket.BAD_TTL, p.decode(buf(UP_POLL), 254), "TTL 254 (GTSM)");
        assertEquals(BfdPacket.BAD_TTL, p.decode(buf(UP_POLL), 64), "TTL 64");
        assertEquals(
                BfdPacket.ZERO_MULTIPLIER,
                p.decode(buf(UP_POLL.substring(0, 4) + "00" + UP_POLL.substring(6)), 255),
                "detect mult 0");
        assertEquals(BfdPacket.MULTIPOINT, p.decode(buf("20e1" + UP_POLL.substring(4)), 255), "M bit");
        assertEquals(
                BfdPacket.ZERO_MY_DISCRIMINATOR,
                p.decode(buf(UP_POLL.substring(0, 8) + "00000000" + UP_POLL.substring(16)), 255),
                "my discriminator 0");
        String yourZero = UP_POLL.substring(0, 16) + "00000000" + UP_POLL.substring(24);
        assertEquals(BfdPacket.ZERO_YOUR_DISCRIMINATOR, p.decode(buf(yourZero), 255), "your discriminator 0 in Up");
        assertEquals(
                BfdPacket.ZERO_YOUR_DISCRIMINATOR, p.decode(buf("2080" + yourZero.substring(4)), 255), "... in Init");
        assertNull(p.decode(buf("2040" + yourZero.substring(4)), 255), "your discriminator 0 in Down is fine");
        assertNull(p.decode(buf("2000" + yourZero.substring(4)), 255), "... and in AdminDown");
        // A bit with a 26-octet length field (auth section present) but no authentication configured
        String auth = "20c4031a" + UP_POLL.substring(8) + "0102";
        assertEquals(BfdPacket.AUTHENTICATION, p.decode(buf(auth), 255));
        assertEquals(
                BfdPacket.BAD_LENGTH, p.decode(buf("20c40318" + UP_POLL.substring(8)), 255), "A bit with length 24");
    }

    @Test
    void decodeReadsWithoutConsuming() {
        ByteBuf b = buf(UP_POLL);
        new BfdPacket().decode(b, 255);
        assertEquals(24, b.readableBytes());
    }

    @Test
    void decodeAllocatesNothing() {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        ByteBuf b = Unpooled.directBuffer(24).writeBytes(HexFormat.of().parseHex(UP_POLL));
        BfdPacket p = new BfdPacket();
        for (int i = 0; i < 20_000; i++) {
            p.decode(b, 255); // warm up
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            p.decode(b, 255);
        }
        long bytes = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(bytes < 10_000, "decode allocated " + bytes + " bytes for 100,000 packets");
    }
}
