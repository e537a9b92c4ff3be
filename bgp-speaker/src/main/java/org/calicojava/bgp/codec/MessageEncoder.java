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
            // the data is often the offending message or attribute: cut it so that the NOTIFICATION fits the session's
            // maximum (4096 bytes unless extended messages were negotiated, RFC 8654)
            byte[] data = n.error().data();
            out.writeByte(n.error().code())
                    .writeByte(n.error().subcode())
                    .writeBytes(data, 0, Math.min(data.length, o.maxLength() - Message.HEADER_LENGTH - 2));
        } else if (m instanceof RouteRefresh r) {
            out.writeShort(r.afi()).writeByte(r.subtype()).writeByte(r.safi());
        }
        finish(out, start, o.maxLength());
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
