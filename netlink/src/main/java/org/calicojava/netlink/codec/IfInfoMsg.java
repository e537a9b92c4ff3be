package org.calicojava.netlink.codec;

import java.nio.ByteBuffer;

/**
 * struct ifinfomsg (16 bytes): u8 family, u8 padding, u16 device type (ARPHRD_*), s32 index, u32 flags (IFF_*),
 * u32 change mask (which flags a request changes). Followed by IFLA_* attributes.
 */
public record IfInfoMsg(int family, int type, int index, int flags, int change) {
    public static final int SIZE = 16;

    public static IfInfoMsg decode(ByteBuffer b) {
        Need.bytes(b, SIZE, "ifinfomsg");
        int family = Need.u8(b);
        b.get(); // padding
        return new IfInfoMsg(family, Need.u16(b), b.getInt(), b.getInt(), b.getInt());
    }

    public void encode(ByteBuffer b) {
        b.put((byte) family)
                .put((byte) 0)
                .putShort((short) type)
                .putInt(index)
                .putInt(flags)
                .putInt(change);
    }
}
