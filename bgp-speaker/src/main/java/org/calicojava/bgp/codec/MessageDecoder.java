package org.calicojava.bgp.codec;

import static org.calicojava.bgp.codec.BgpError.BAD_MESSAGE_LENGTH;
import static org.calicojava.bgp.codec.BgpError.BAD_MESSAGE_TYPE;
import static org.calicojava.bgp.codec.BgpError.CONNECTION_NOT_SYNCHRONIZED;
import static org.calicojava.bgp.codec.BgpError.MESSAGE_HEADER;
import static org.calicojava.bgp.codec.BgpError.ROUTE_REFRESH;
import static org.calicojava.bgp.codec.BgpError.of;
import static org.calicojava.bgp.codec.BgpError.u16;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Decodes one whole BGP message (header included) from a buffer holding exactly that message. Pure: the only exception
 * it throws for bad input is {@link BgpException}; it never reads outside the slice it is given.
 */
public final class MessageDecoder {
    private final UpdateDecoder updates = new UpdateDecoder();

    /**
     * Checks the header at {@code at} (RFC 4271 6.1): marker all ones, length within 19..{@code maxLength}, and the
     * per-type minimum/exact length.
     *
     * @return the message length
     */
    public static int checkHeader(ByteBuf in, int at, int maxLength) {
        for (int i = 0; i < 16; i += 8) {
            if (in.getLong(at + i) != -1L) {
                throw new BgpException(of(MESSAGE_HEADER, CONNECTION_NOT_SYNCHRONIZED));
            }
        }
        int len = in.getUnsignedShort(at + 16);
        int type = in.getUnsignedByte(at + 18);
        if (type < Message.OPEN || type > Message.ROUTE_REFRESH) {
            if (len < Message.HEADER_LENGTH || len > maxLength) {
                throw new BgpException(u16(MESSAGE_HEADER, BAD_MESSAGE_LENGTH, len));
            }
            throw new BgpException(of(MESSAGE_HEADER, BAD_MESSAGE_TYPE, new byte[] {(byte) type}));
        }
        boolean bad = len < Message.HEADER_LENGTH
                || len > maxLength
                || switch (type) {
                    case Message.OPEN -> len < 29;
                    case Message.UPDATE -> len < 23;
                    case Message.NOTIFICATION -> len < 21;
                    case Message.KEEPALIVE -> len != 19;
                    default -> false;
                };
        if (bad) {
            throw new BgpException(u16(MESSAGE_HEADER, BAD_MESSAGE_LENGTH, len));
        }
        return len;
    }

    /** Decodes a message that fills {@code msg} exactly. */
    public Message decode(ByteBuf msg, CodecOptions options) {
        if (msg.readableBytes() < Message.HEADER_LENGTH) {
            throw new BgpException(u16(MESSAGE_HEADER, BAD_MESSAGE_LENGTH, msg.readableBytes()));
        }
        int len = checkHeader(msg, msg.readerIndex(), options.maxLength());
        if (len != msg.readableBytes()) {
            throw new BgpException(u16(MESSAGE_HEADER, BAD_MESSAGE_LENGTH, len));
        }
        int type = msg.getUnsignedByte(msg.readerIndex() + 18);
        ByteBuf body = msg.slice(msg.readerIndex() + Message.HEADER_LENGTH, len - Message.HEADER_LENGTH);
        msg.skipBytes(len);
        return switch (type) {
            case Message.OPEN -> OpenCodec.decode(body);
            case Message.UPDATE -> updates.decode(body, options);
            case Message.NOTIFICATION ->
                new Notification(of(
                        body.getUnsignedByte(0),
                        body.getUnsignedByte(1),
                        ByteBufUtil.getBytes(body, 2, body.readableBytes() - 2)));
            case Message.KEEPALIVE -> Keepalive.INSTANCE;
            default -> {
                if (body.readableBytes() != 4) { // RFC 7313 section 5: invalid message length, data = the message
                    throw new BgpException(
                            of(ROUTE_REFRESH, 1, ByteBufUtil.getBytes(msg, msg.readerIndex() - len, len)));
                }
                yield new RouteRefresh(body.getUnsignedShort(0), body.getUnsignedByte(3), body.getUnsignedByte(2));
            }
        };
    }
}
