package org.calicojava.bgp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Netty inbound decoder: frames BGP messages (length limits 19..4096, or 65535 once RFC 8654 is negotiated) and decodes
 * each into a {@link Message}. A protocol error is passed on as data, a {@link MalformedMessage} carrying the
 * NOTIFICATION to send, after which all further input is discarded. Reads {@link CodecOptions#KEY} per message.
 */
public final class BgpFrameDecoder extends ByteToMessageDecoder {
    private final MessageDecoder decoder = new MessageDecoder();
    private boolean failed;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        CodecOptions o = ctx.channel().attr(CodecOptions.KEY).get();
        if (o == null) {
            o = CodecOptions.DEFAULT;
        }
        try {
            while (in.readableBytes() >= Message.HEADER_LENGTH) {
                int len = MessageDecoder.checkHeader(in, in.readerIndex(), o.maxLength());
                if (in.readableBytes() < len) {
                    return;
                }
                ByteBuf frame = in.slice(in.readerIndex(), len);
                in.skipBytes(len);
                out.add(decoder.decode(frame, o));
            }
        } catch (BgpException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            out.add(new MalformedMessage(e.error()));
        }
    }

    /** A message that could not be decoded; the session answers with {@code NOTIFICATION error} and closes. */
    public record MalformedMessage(BgpError error) {}
}
