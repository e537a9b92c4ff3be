package org.calicojava.bgp.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.BgpFrameDecoder;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Message;
import org.calicojava.bgp.codec.MessageDecoder;
import org.calicojava.bgp.codec.MessageEncoder;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Update;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * UPDATE decode/encode throughput for packed IPv4 /32 UPDATEs (800 prefixes per message, about 4 KB, one attribute set).
 * Scores are per prefix (OperationsPerInvocation), so ops/s = prefixes/s on one core. {@code scanBaseline} reads every
 * byte of the same message once: the floor any decoder must pay, for the ratio.
 * Run: {@code bgp-speaker/bench/run.sh} (1 fork, short iterations, with -prof gc for allocation per message).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class UpdateCodecBench {
    static final int PREFIXES = 800;

    ByteBuf wire; // one packed UPDATE
    ByteBuf[] distinct; // 16 UPDATEs whose attributes differ (MED), so the attribute cache never hits
    Update update;
    ByteBuf out;
    MessageDecoder decoder;
    int next;
    ByteBuf stream; // 100 UPDATEs back to back, as they arrive on a socket
    io.netty.channel.embedded.EmbeddedChannel channel;

    @Setup
    public void setup() {
        PathAttributes a = PathAttributes.builder()
                .origin(0)
                .asPath(AsPath.sequence(65001))
                .nextHop("203.0.113.1")
                .build();
        update = Update.announce(a, nlri(0));
        wire = Unpooled.directBuffer(4096);
        MessageEncoder.encode(update, CodecOptions.AS4, wire);
        if (wire.readableBytes() > 4096) {
            throw new IllegalStateException("message too long: " + wire.readableBytes());
        }
        distinct = new ByteBuf[16];
        for (int i = 0; i < distinct.length; i++) {
            distinct[i] = Unpooled.directBuffer(4096);
            MessageEncoder.encode(
                    Update.announce(a.toBuilder().med(i).build(), nlri(i)), CodecOptions.AS4, distinct[i]);
        }
        out = Unpooled.directBuffer(8192);
        decoder = new MessageDecoder();
        stream = Unpooled.directBuffer(100 * 4096);
        for (int i = 0; i < 100; i++) {
            stream.writeBytes(distinct[i & 15], 0, distinct[i & 15].writerIndex());
        }
        channel = new io.netty.channel.embedded.EmbeddedChannel(new BgpFrameDecoder());
        channel.attr(CodecOptions.KEY).set(CodecOptions.AS4);
    }

    static Nlri nlri(int seed) {
        Nlri.Builder b = Nlri.builder(Family.IPV4_UNICAST, false);
        for (int i = 0; i < PREFIXES; i++) {
            b.addV4(0x0a000000 + seed * PREFIXES + i, 32);
        }
        return b.build();
    }

    @Benchmark
    @OperationsPerInvocation(PREFIXES)
    public Message decodeSameAttributes() {
        wire.readerIndex(0);
        return decoder.decode(wire, CodecOptions.AS4);
    }

    @Benchmark
    @OperationsPerInvocation(PREFIXES)
    public Message decodeDistinctAttributes() {
        ByteBuf b = distinct[next++ & 15];
        b.readerIndex(0);
        return decoder.decode(b, CodecOptions.AS4);
    }

    /** Through Netty: frame decoder on a buffer of 100 back-to-back UPDATEs (what one socket read delivers). */
    @Benchmark
    @OperationsPerInvocation(PREFIXES * 100)
    public int decodeFramedStream() {
        channel.writeInbound(stream.retainedDuplicate());
        int n = 0;
        for (Object m; (m = channel.readInbound()) != null; ) {
            n += ((Update) m).nlri().size();
        }
        if (n != PREFIXES * 100) {
            throw new IllegalStateException("decoded " + n);
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(PREFIXES)
    public ByteBuf encode() {
        out.clear();
        MessageEncoder.encode(update, CodecOptions.AS4, out);
        return out;
    }

    @Benchmark
    @OperationsPerInvocation(PREFIXES)
    public void scanBaseline(Blackhole bh) {
        int sum = 0;
        for (int i = 0, n = wire.writerIndex(); i < n; i++) {
            sum += wire.getByte(i);
        }
        bh.consume(sum);
    }
}
