package org.calicojava.netlink.codec;

import java.nio.ByteBuffer;
import org.calicojava.netlink.NetlinkCodecException;

/** Bounds checks shared by the decoders: every read of a fixed structure goes through {@link #bytes}. */
final class Need {
    private Need() {}

    static void bytes(ByteBuffer b, int n, String what) {
        if (b.remaining() < n) {
            throw new NetlinkCodecException(what + ": " + b.remaining() + " bytes (expected: >= " + n + ")");
        }
    }

    static int u8(ByteBuffer b) {
        return b.get() & 0xff;
    }

    static int u16(ByteBuffer b) {
        return b.getShort() & 0xffff;
    }
}
