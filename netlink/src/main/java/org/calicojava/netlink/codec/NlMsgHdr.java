package org.calicojava.netlink.codec;

import java.nio.ByteBuffer;

/**
 * struct nlmsghdr (16 bytes, host byte order): u32 length (header included), u16 type, u16 flags, u32 sequence,
 * u32 port id of the sender (0 = kernel).
 */
public record NlMsgHdr(int length, int type, int flags, int seq, int pid) {
    public static final int SIZE = 16;

    public static NlMsgHdr decode(ByteBuffer b) {
        Need.bytes(b, SIZE, "nlmsghdr");
        return new NlMsgHdr(b.getInt(), Need.u16(b), Need.u16(b), b.getInt(), b.getInt());
    }

    public void encode(ByteBuffer b) {
        b.putInt(length)
                .putShort((short) type)
                .putShort((short) flags)
                .putInt(seq)
                .putInt(pid);
    }
}
