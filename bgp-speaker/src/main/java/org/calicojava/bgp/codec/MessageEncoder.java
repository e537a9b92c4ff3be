package org.calicojava.bgp.codec;

import io.netty.buffer.ByteBuf;

/** Encodes any {@link Message} with its header. Stateless. */
public final class MessageEncoder {
    private MessageEncoder() {}

    public static void encode(Message m, CodecOptions o, ByteBuf out) {
        if (m instanceof Update u) {
            UpdateEncoder.encode(u, o, out);
            return;
        }
        int start = out.writerIndex();
        header(out, m.type());
        if (m instanceof Open open) {
            OpenCodec.encode(open, out);
        } else if (m instanceof Notification n) {
            out.writeByte(n.error().code())
                    .writeByte(n.error().subcode())
                    .writeBytes(n.error().data());
        } else if (m instanceof RouteRefresh r) {
            out.writeShort(r.afi()).writeByte(r.subtype()).writeByte(r.safi());
        }
        finish(out, start, m instanceof Notification ? Message.MAX_EXTENDED_LENGTH : o.maxLength());
    }

    static void header(ByteBuf out, int type) {
        out.writeLong(-1L).writeLong(-1L).writeShort(0).writeByte(type);
    }

    static void finish(ByteBuf out, int start, int max) {
        int len = out.writerIndex() - start;
        if (len > max) {
            out.writerIndex(start);
            throw new IllegalArgumentException("message length: " + len + " (expected: <= " + max + ")");
        }
        out.setShort(start + 16, len);
    }
}
