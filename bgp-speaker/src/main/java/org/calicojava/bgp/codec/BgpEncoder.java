package org.calicojava.bgp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Netty outbound encoder: stateless and shared by all channels; reads {@link CodecOptions#KEY} from the channel. */
@ChannelHandler.Sharable
public final class BgpEncoder extends MessageToByteEncoder<Message> {
    public static final BgpEncoder INSTANCE = new BgpEncoder();

    private BgpEncoder() {
        super(Message.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Message msg, ByteBuf out) {
        CodecOptions o = ctx.channel().attr(CodecOptions.KEY).get();
        MessageEncoder.encode(msg, o == null ? CodecOptions.DEFAULT : o, out);
    }
}
