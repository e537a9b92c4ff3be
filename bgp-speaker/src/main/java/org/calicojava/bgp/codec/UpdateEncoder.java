package org.calicojava.bgp.codec;

import io.netty.buffer.ByteBuf;

/** Encodes UPDATEs (header included), attributes in ascending code order as the table lists them. Stateless. */
public final class UpdateEncoder {
    private UpdateEncoder() {}

    /** @throws IllegalArgumentException when the message exceeds the negotiated maximum length (callers pack to fit) */
    public static void encode(Update u, CodecOptions o, ByteBuf out) {
        int start = out.writerIndex();
        MessageEncoder.header(out, Message.UPDATE);
        int wStart = out.writerIndex();
        out.writeShort(0);
        u.withdrawn().encode(out, o.sendsPathIds(Family.IPV4_UNICAST));
        out.setShort(wStart, out.writerIndex() - wStart - 2);
        int aStart = out.writerIndex();
        out.writeShort(0);
        if (u.attributes() != null || u.mpUnreach() != null) {
            PathAttributes a = u.attributes() != null
                    ? u.attributes()
                    : PathAttributes.builder().build();
            AttributeTable.EncodeState s = new AttributeTable.EncodeState(a, u, o);
            for (AttributeTable.Row r : AttributeTable.rows()) {
                r.encode().encode(s, out);
            }
            for (RawAttribute raw :
                    a.unknown()) { // unknown optional transitive: passed on with Partial set (RFC 4271 5)
                AttributeCodecs.header(out, raw.flags() | AttributeTable.PARTIAL, raw.code(), raw.length());
                out.writeBytes(raw.rawValue());
            }
        }
        out.setShort(aStart, out.writerIndex() - aStart - 2);
        u.nlri().encode(out, o.sendsPathIds(Family.IPV4_UNICAST));
        MessageEncoder.finish(out, start, o.maxLength());
    }
}
