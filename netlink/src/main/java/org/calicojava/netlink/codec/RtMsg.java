package org.calicojava.netlink.codec;

import java.nio.ByteBuffer;

/**
 * struct rtmsg (12 bytes): u8 family, u8 dst_len, u8 src_len, u8 tos, u8 table, u8 protocol, u8 scope, u8 type,
 * u32 flags. Followed by RTA_* attributes.
 */
public record RtMsg(
        int family, int dstLen, int srcLen, int tos, int table, int protocol, int scope, int type, int flags) {
    public static final int SIZE = 12;

    public static RtMsg decode(ByteBuffer b) {
        Need.bytes(b, SIZE, "rtmsg");
        return new RtMsg(
                Need.u8(b),
                Need.u8(b),
                Need.u8(b),
                Need.u8(b),
                Need.u8(b),
                Need.u8(b),
                Need.u8(b),
                Need.u8(b),
                b.getInt());
    }

    public void encode(ByteBuffer b) {
        b.put((byte) family)
                .put((byte) dstLen)
                .put((byte) srcLen)
                .put((byte) tos)
                .put((byte) table)
                .put((byte) protocol)
                .put((byte) scope)
                .put((byte) type)
                .putInt(flags);
    }
}
