package org.calicojava.bgp.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Set;
import org.calicojava.bgp.codec.BgpException;
import org.calicojava.bgp.codec.BgpFrameDecoder;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Message;
import org.calicojava.bgp.codec.MessageDecoder;

/**
 * Jazzer fuzz targets over the codec's decoders: UPDATE, OPEN and NOTIFICATION bodies (each given a correct header,
 * so the fuzzer works on the body, not on the framing) and raw byte streams through the channel's frame decoder.
 * Input layout: byte 0 = codec options (bit 0 four-octet AS, bit 1 ADD-PATH receive IPv4, bit 2 ADD-PATH receive
 * IPv6, bit 3 extended messages, bit 4 iBGP), the rest = the message body. Properties checked for every input:
 * <ul>
 * <li>the only exception is {@link BgpException} with a NOTIFICATION code 1..7 (RFC 4271 4.5, RFC 7313) and data no
 * longer than the input;</li>
 * <li>what is decoded is bounded by the input: prefixes, attributes, AS numbers, communities
 * ({@link Bounds}), and the bytes allocated while decoding are at most {@value Bounds#BYTES_PER_INPUT_BYTE} per input
 * byte plus a constant.</li>
 * </ul>
 * {@code mvn test} runs the seeds in {@code src/test/resources/org/calicojava/bgp/fuzz/CodecFuzzTestInputs/METHOD/};
 * {@code bench/fuzz.sh CodecFuzzTest#METHOD SECONDS} fuzzes.
 */
class CodecFuzzTest {
    private static final MessageDecoder DECODER = new MessageDecoder();

    static CodecOptions options(byte[] in) {
        int f = in.length > 0 ? in[0] : 0;
        Set<Family> addPath = (f & 2) != 0
                ? ((f & 4) != 0 ? Set.of(Family.IPV4_UNICAST, Family.IPV6_UNICAST) : Set.of(Family.IPV4_UNICAST))
                : (f & 4) != 0 ? Set.of(Family.IPV6_UNICAST) : Set.of();
        return new CodecOptions((f & 1) != 0, addPath, Set.of(), (f & 8) != 0, (f & 16) != 0);
    }

    /** A whole message: marker, length, type, then {@code in} after its first byte (cut to the maximum length). */
    static ByteBuf message(int type, byte[] in, CodecOptions o) {
        int body = Math.min(Math.max(0, in.length - 1), o.maxLength() - Message.HEADER_LENGTH);
        ByteBuf b = Unpooled.buffer(Message.HEADER_LENGTH + body);
        b.writeLong(-1L).writeLong(-1L).writeShort(Message.HEADER_LENGTH + body).writeByte(type);
        if (body > 0) {
            b.writeBytes(in, 1, body);
        }
        return b;
    }

    /**
     * Decodes three times and bounds the least allocation of the runs: the first pays for class loading and
     * initialisation on a new code path, which is not the decoder's allocation (the decoder is deterministic).
     */
    static void decode(int type, byte[] in) {
        Bounds.leastOf(3, () -> decodeOnce(type, in));
    }

    static long decodeOnce(int type, byte[] in) {
        CodecOptions o = options(in);
        ByteBuf msg = message(type, in, o);
        int len = msg.readableBytes();
        long before = Bounds.allocated();
        Message m = null;
        BgpException error = null;
        try {
            m = DECODER.decode(msg, o);
        } catch (BgpException e) {
            error = e;
        } finally {
            msg.release();
        }
        long used = Bounds.allocated() - before;
        if (error != null) {
            Bounds.check(error, len);
        } else {
            Bounds.check(m, len);
        }
        return Bounds.limit(used, len);
    }

    @FuzzTest(maxDuration = "")
    void update(byte[] in) {
        decode(Message.UPDATE, in);
    }

    @FuzzTest(maxDuration = "")
    void open(byte[] in) {
        decode(Message.OPEN, in);
    }

    @FuzzTest(maxDuration = "")
    void notification(byte[] in) {
        decode(Message.NOTIFICATION, in);
    }

    /** Raw bytes (after the options byte) through the channel's frame decoder, in two writes: framing and all. */
    @FuzzTest(maxDuration = "")
    void frames(byte[] in) {
        Bounds.leastOf(3, () -> framesOnce(in));
    }

    static long framesOnce(byte[] in) {
        CodecOptions o = options(in);
        EmbeddedChannel ch = new EmbeddedChannel(new BgpFrameDecoder());
        ch.attr(CodecOptions.KEY).set(o);
        int cut = in.length / 2;
        long before = Bounds.allocated();
        if (in.length > 1) {
            ch.writeInbound(Unpooled.wrappedBuffer(in, 1, Math.max(0, cut - 1)));
            ch.writeInbound(Unpooled.wrappedBuffer(in, Math.max(1, cut), in.length - Math.max(1, cut)));
        }
        ch.checkException(); // a decoder exception other than BgpException would surface here
        long used = Bounds.allocated() - before;
        int n = 0;
        for (Object m; (m = ch.readInbound()) != null; n++) {
            if (m instanceof BgpFrameDecoder.MalformedMessage mm) {
                Bounds.check(new BgpException(mm.error()), in.length);
            } else {
                Bounds.check((Message) m, in.length);
            }
        }
        if (n > in.length / Message.HEADER_LENGTH + 1) {
            throw new AssertionError(n + " messages out of " + in.length + " bytes");
        }
        ch.finishAndReleaseAll();
        return Bounds.limit(used, in.length + 4096); // + the channel's cumulation buffer
    }
}
