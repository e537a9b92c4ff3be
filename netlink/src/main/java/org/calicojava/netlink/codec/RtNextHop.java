package org.calicojava.netlink.codec;

import java.nio.ByteBuffer;

/**
 * struct rtnexthop (8 bytes), one per next hop inside RTA_MULTIPATH: u16 length (this header plus its attributes,
 * e.g. RTA_GATEWAY), u8 flags (RTNH_F_*), u8 hops (weight - 1), s32 interface index.
 */
public record RtNextHop(int length, int flags, int hops, int ifindex) {
    public static final int SIZE = 8;

    public static RtNextHop decode(ByteBuffer b) {
        Need.bytes(b, SIZE, "rtnexthop");
        return new RtNextHop(Need.u16(b), Need.u8(b), Need.u8(b), b.getInt());
    }

    public void encode(ByteBuffer b) {
        b.putShort((short) length).put((byte) flags).put((byte) hops).putInt(ifindex);
    }
}
