package org.calicojava.bgp.bfd;

import io.netty.buffer.ByteBuf;

/**
 * The BFD control packet (RFC 5880 section 4.1), mandatory section only (24 octets):
 * <pre>
 *  0: Vers(3) Diag(5) | 1: Sta(2) P F C A D M | 2: Detect Mult | 3: Length
 *  4: My Discriminator | 8: Your Discriminator | 12: Desired Min TX Interval (us)
 * 16: Required Min RX Interval (us) | 20: Required Min Echo RX Interval (us)
 * </pre>
 * Mutable on purpose: the receiver decodes every packet into one instance it owns, so the hot path allocates nothing.
 * {@link #decode} applies the reception checks of RFC 5880 section 6.8.6 that need no session state, and returns why a
 * packet is dropped (one of the constant strings here) or null.
 */
public final class BfdPacket {
    public static final int LENGTH = 24, AUTH_MIN_LENGTH = 26, VERSION = 1;
    public static final String BAD_LENGTH = "length",
            BAD_VERSION = "version",
            BAD_TTL = "ttl",
            ZERO_MULTIPLIER = "multiplier 0",
            MULTIPOINT = "multipoint",
            ZERO_MY_DISCRIMINATOR = "my discriminator 0",
            ZERO_YOUR_DISCRIMINATOR = "your discriminator 0",
            AUTHENTICATION = "authentication not configured";

    public int diag;
    public BfdState state = BfdState.DOWN;
    public boolean poll, fin, cpi, auth, demand, multipoint;
    public int detectMult;
    public int length = LENGTH;
    public int myDiscriminator, yourDiscriminator;
    /** Microseconds, unsigned 32-bit on the wire (kept as long). */
    public long desiredMinTx, requiredMinRx, requiredMinEchoRx;

    /**
     * Decodes the datagram payload {@code buf} (readable bytes, not consumed) received with IP TTL / hop limit {@code ttl}.
     *
     * @return null when the packet passes the stateless checks, else the reason it must be dropped
     */
    public String decode(ByteBuf buf, int ttl) {
        int size = buf.readableBytes();
        if (size < LENGTH) {
            return BAD_LENGTH;
        }
        int at = buf.readerIndex();
        int b0 = buf.getUnsignedByte(at), b1 = buf.getUnsignedByte(at + 1);
        if (b0 >>> 5 != VERSION) {
            return BAD_VERSION;
        }
        diag = b0 & 0x1f;
        state = BfdState.of(b1 >>> 6);
        poll = (b1 & 0x20) != 0;
        fin = (b1 & 0x10) != 0;
        cpi = (b1 & 0x08) != 0;
        auth = (b1 & 0x04) != 0;
        demand = (b1 & 0x02) != 0;
        multipoint = (b1 & 0x01) != 0;
        detectMult = buf.getUnsignedByte(at + 2);
        length = buf.getUnsignedByte(at + 3);
        myDiscriminator = buf.getInt(at + 4);
        yourDiscriminator = buf.getInt(at + 8);
        desiredMinTx = buf.getUnsignedInt(at + 12);
        requiredMinRx = buf.getUnsignedInt(at + 16);
        requiredMinEchoRx = buf.getUnsignedInt(at + 20);
        if (length < (auth ? AUTH_MIN_LENGTH : LENGTH) || length > size) {
            return BAD_LENGTH;
        }
        if (ttl != 255) {
            return BAD_TTL;
        }
        if (detectMult == 0) {
            return ZERO_MULTIPLIER;
        }
        if (multipoint) {
            return MULTIPOINT;
        }
        if (myDiscriminator == 0) {
            return ZERO_MY_DISCRIMINATOR;
        }
        if (yourDiscriminator == 0 && state != BfdState.DOWN && state != BfdState.ADMIN_DOWN) {
            return ZERO_YOUR_DISCRIMINATOR;
        }
        if (auth) {
            return AUTHENTICATION;
        }
        return null;
    }

    /** Writes the 24 octets of this packet (without authentication) to {@code out}. */
    public void encode(ByteBuf out) {
        out.writeByte(VERSION << 5 | diag & 0x1f);
        out.writeByte(
                state.code() << 6 | (poll ? 0x20 : 0) | (fin ? 0x10 : 0) | (cpi ? 0x08 : 0) | (demand ? 0x02 : 0));
        out.writeByte(detectMult);
        out.writeByte(LENGTH);
        out.writeInt(myDiscriminator);
        out.writeInt(yourDiscriminator);
        out.writeInt((int) desiredMinTx);
        out.writeInt((int) requiredMinRx);
        out.writeInt((int) requiredMinEchoRx);
    }

    @Override
    public String toString() {
        return "BFD " + state + " diag " + diag + (poll ? " P" : "") + (fin ? " F" : "") + (cpi ? " C" : "")
                + (auth ? " A" : "")
                + (demand ? " D" : "") + " mult " + detectMult + " my " + Integer.toUnsignedString(myDiscriminator)
                + " your "
                + Integer.toUnsignedString(yourDiscriminator) + " tx " + desiredMinTx + "us rx " + requiredMinRx + "us";
    }
}
