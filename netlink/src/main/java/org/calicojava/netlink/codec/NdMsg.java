package org.calicojava.netlink.codec;

import java.nio.ByteBuffer;

/**
 * struct ndmsg (12 bytes): u8 family, u8 pad, u16 pad, s32 interface index, u16 state (NUD_*), u8 flags (NTF_*),
 * u8 type. Followed by NDA_* attributes. Family AF_BRIDGE addresses the forwarding database (FDB).
 */
public record NdMsg(int family, int index, int state, int flags, int type) {
    public static final int SIZE = 12;

    public static NdMsg decode(ByteBuffer b) {
        Need.bytes(b, SIZE, "ndmsg");
        int family = Need.u8(b);
        b.get();
        b.getShort();
        return new NdMsg(family, b.getInt(), Need.u16(b), Need.u8(b), Need.u8(b));
    }

    public void encode(ByteBuffer b) {
        b.put((byte) family)
                .put((byte) 0)
                .putShort((short) 0)
                .putInt(index)
                .putShort((short) state)
                .put((byte) flags)
                .put((byte) type);
    }
}
