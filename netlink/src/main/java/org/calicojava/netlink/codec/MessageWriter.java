package org.calicojava.netlink.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Appends netlink messages to a buffer (host byte order): begin a message, write its fixed structure and
 * attributes, end it (which fills in nlmsg_len). Several messages may share one buffer; a full buffer throws
 * {@link java.nio.BufferOverflowException} and {@link #rollback} drops the unfinished message.
 */
public final class MessageWriter {
    private final ByteBuffer buf;
    private int messageStart = -1;

    public MessageWriter(ByteBuffer buf) {
        this.buf = buf.order(ByteOrder.nativeOrder());
    }

    public ByteBuffer buffer() {
        return buf;
    }

    public void begin(int type, int flags, int seq) {
        messageStart = buf.position();
        new NlMsgHdr(0, type, flags, seq, 0).encode(buf);
    }

    /** Ends the current message: sets its length and pads to 4 bytes. Returns the message length. */
    public int end() {
        int len = buf.position() - messageStart;
        buf.putInt(messageStart, len);
        pad();
        messageStart = -1;
        return len;
    }

    /** Discards the message begun last (after an overflow). */
    public void rollback() {
        if (messageStart >= 0) {
            buf.position(messageStart);
            messageStart = -1;
        }
    }

    public MessageWriter put(RtMsg m) {
        m.encode(buf);
        return this;
    }

    public MessageWriter put(IfInfoMsg m) {
        m.encode(buf);
        return this;
    }

    public MessageWriter put(IfAddrMsg m) {
        m.encode(buf);
        return this;
    }

    public MessageWriter put(NdMsg m) {
        m.encode(buf);
        return this;
    }

    /** A 16-bit value in network byte order (e.g. IFLA_VXLAN_PORT). */
    public MessageWriter attrBe16(int type, int v) {
        buf.putShort((short) 6).putShort((short) type).put((byte) (v >>> 8)).put((byte) v);
        pad();
        return this;
    }

    public MessageWriter attr(int type, byte[] value) {
        buf.putShort((short) (4 + value.length)).putShort((short) type).put(value);
        pad();
        return this;
    }

    public MessageWriter attrU8(int type, int v) {
        buf.putShort((short) 5).putShort((short) type).put((byte) v);
        pad();
        return this;
    }

    public MessageWriter attrU32(int type, int v) {
        buf.putShort((short) 8).putShort((short) type).putInt(v);
        return this;
    }

    /** A 32-bit value in network byte order (nftables attributes). */
    public MessageWriter attrBe32(int type, int v) {
        buf.putShort((short) 8).putShort((short) type).put((byte) (v >>> 24)).put((byte) (v >>> 16));
        buf.put((byte) (v >>> 8)).put((byte) v);
        return this;
    }

    /** A 64-bit value in network byte order (nftables handles and counters). */
    public MessageWriter attrBe64(int type, long v) {
        buf.putShort((short) 12).putShort((short) type);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf.put((byte) (v >>> shift));
        }
        return this;
    }

    /** A NUL-terminated string attribute.*/
    public MessageWriter attrString(int type, String s) {
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        buf.putShort((short) (5 + raw.length)).putShort((short) type).put(raw).put((byte) 0);
        pad();
        return this;
    }

    /** Starts a nested attribute; pass the returned mark to {@link #endNested}. */
    public int beginNested(int type) {
        int mark = buf.position();
        buf.putShort((short) 0).putShort((short) type);
        return mark;
    }

    public void endNested(int mark) {
        buf.putShort(mark, (short) (buf.position() - mark));
    }

    /** Raw bytes inside a nested attribute (e.g. the ifinfomsg of a veth peer, an rtnexthop). */
    public int position() {
        return buf.position();
    }

    public void putShortAt(int index, int v) {
        buf.putShort(index, (short) v);
    }

    public void put(RtNextHop h) {
        h.encode(buf);
    }

    private void pad() {
        while ((buf.position() & 3) != 0) {
            buf.put((byte) 0);
        }
    }
}
