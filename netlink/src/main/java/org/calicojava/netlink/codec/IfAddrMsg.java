package org.calicojava.netlink.codec;

import java.nio.ByteBuffer;

/**
 * struct ifaddrmsg (8 bytes): u8 family, u8 prefix length, u8 flags (IFA_F_*, low 8 bits), u8 scope, u32 interface
 * index. Followed by IFA_* attributes.
 */
public record IfAddrMsg(int family, int prefixLen, int flags, int scope, int index) {
    public static final int SIZE = 8;

    public static IfAddrMsg decode(ByteBuffer b) {
        Need.bytes(b, SIZE, "ifaddrmsg");
        return new IfAddrMsg(Need.u8(b), Need.u8(b), Need.u8(b), Need.u8(b), b.getInt());
    }

    public void encode(ByteBuffer b) {
        b.put((byte) family)
                .put((byte) prefixLen)
                .put((byte) flags)
                .put((byte) scope)
                .putInt(index);
    }
}
