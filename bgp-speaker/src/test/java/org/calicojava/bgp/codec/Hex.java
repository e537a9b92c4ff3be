package org.calicojava.bgp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Test helpers: hex vectors with {@code #} comments, and decoding through an EmbeddedChannel. */
final class Hex {
    static final String MARKER = "ffffffffffffffffffffffffffffffff";

    private Hex() {}

    /** Hex digits of {@code text}; everything after {@code #} on a line is a comment. */
    static byte[] bytes(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            int c = line.indexOf('#');
            sb.append((c < 0 ? line : line.substring(0, c)).replaceAll("[\\s|]", ""));
        }
        return HexFormat.of().parseHex(sb.toString());
    }

    static String hex(ByteBuf b) {
        return ByteBufUtil.hexDump(b);
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static EmbeddedChannel channel(CodecOptions o) {
        EmbeddedChannel ch = new EmbeddedChannel(new BgpFrameDecoder(), BgpEncoder.INSTANCE);
        ch.attr(CodecOptions.KEY).set(o);
        return ch;
    }

    /** Everything the decoder emits for {@code wire} fed in one write. */
    static List<Object> decodeWhole(byte[] wire, CodecOptions o) {
        EmbeddedChannel ch = channel(o);
        ch.writeInbound(Unpooled.wrappedBuffer(wire));
        return drain(ch);
    }

    /** Everything the decoder emits for {@code wire} fed one byte at a time. */
    static List<Object> decodeByteByByte(byte[] wire, CodecOptions o) {
        EmbeddedChannel ch = channel(o);
        for (byte b : wire) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        return drain(ch);
    }

    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            out.add(m);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    /** The bytes the encoder writes for {@code m}. */
    static byte[] encode(Message m, CodecOptions o) {
        EmbeddedChannel ch = channel(o);
        ch.writeOutbound(m);
        ByteBuf out = ch.readOutbound();
        byte[] b = ByteBufUtil.getBytes(out);
        out.release();
        ch.finishAndReleaseAll();
        return b;
    }
}
