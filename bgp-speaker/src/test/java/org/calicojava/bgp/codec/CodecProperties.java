package org.calicojava.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Round trips of generated messages, and a fuzz property: the decoder fails only with its own exception. */
class CodecProperties {
    @Provide
    Arbitrary<PathAttributes> attributes() {
        Arbitrary<AsPath> path = Arbitraries.longs()
                .between(1, 0xffffffffL)
                .array(long[].class)
                .ofMaxSize(255)
                .map(AsPath::sequence);
        Arbitrary<int[]> comms = Arbitraries.integers()
                .array(int[].class)
                .ofMinSize(1)
                .ofMaxSize(20)
                .injectNull(0.4);
        Arbitrary<long[]> ext = Arbitraries.longs()
                .array(long[].class)
                .ofMinSize(1)
                .ofMaxSize(5)
                .injectNull(0.5);
        Arbitrary<int[]> large = Arbitraries.integers()
                .array(int[].class)
                .ofMinSize(1)
                .ofMaxSize(5)
                .injectNull(0.5)
                .map(a -> a == null ? null : Arrays.copyOf(a, a.length * 3));
        Arbitrary<Long> med = Arbitraries.longs().between(-1, 0xffffffffL);
        return Combinators.combine(
                        Arbitraries.integers().between(0, 2), path, Arbitraries.integers(), med, med, comms, ext, large)
                .as((o, p, nh, m, lp, c, e, l) -> PathAttributes.builder()
                        .origin(o)
                        .asPath(p)
                        .nextHop(nh)
                        .med(m)
                        .localPref(lp)
                        .communities(c)
                        .extCommunities(e)
                        .largeCommunities(l)
                        .atomicAggregate(nh % 2 == 0)
                        .build());
    }

    @Provide
    Arbitrary<Nlri> v4Nlri() {
        return Combinators.combine(
                        Arbitraries.integers(), Arbitraries.integers().between(0, 32))
                .as((a, l) -> new int[] {a, l})
                .list()
                .ofMinSize(1)
                .ofMaxSize(200)
                .map(list -> {
                    Nlri.Builder b = Nlri.builder(Family.IPV4_UNICAST, false);
                    for (int[] x : list) {
                        b.addV4(x[0], x[1]);
                    }
                    return b.build();
                });
    }

    @Provide
    Arbitrary<Nlri> v6Nlri() {
        return Arbitraries.integers()
                .array(int[].class)
                .ofSize(5)
                .list()
                .ofMinSize(1)
                .ofMaxSize(100)
                .map(list -> {
                    Nlri.Builder b = Nlri.builder(Family.IPV6_UNICAST, false);
                    for (int[] x : list) {
                        b.add(new Prefix(Family.IPV6_UNICAST, Math.floorMod(x[4], 129), x[0], x[1], x[2], x[3]));
                    }
                    return b.build();
                });
    }

    static Message roundTrip(Message m, CodecOptions o) {
        ByteBuf buf = Unpooled.buffer();
        MessageEncoder.encode(m, o, buf);
        return new MessageDecoder().decode(buf, o);
    }

    @Property(tries = 300)
    void ipv4UpdatesRoundTrip(
            @ForAll("attributes") PathAttributes a, @ForAll("v4Nlri") Nlri nlri, @ForAll("v4Nlri") Nlri withdrawn) {
        Update u = new Update(withdrawn, a, nlri, null, null);
        assertThat(roundTrip(u, CodecOptions.AS4.withIbgp(true))).isEqualTo(u);
    }

    @Property(tries = 200)
    void ipv6UpdatesRoundTrip(
            @ForAll("attributes") PathAttributes a, @ForAll("v6Nlri") Nlri nlri, @ForAll boolean withdraw) {
        PathAttributes noNextHop = a.toBuilder().build();
        Update u = withdraw
                ? Update.withdraw(nlri)
                : Update.announce(
                        noNextHop,
                        new MpReach(
                                Family.IPV6_UNICAST, Prefix.parse("2001:db8::1").addressBytes(), nlri));
        assertThat(roundTrip(u, CodecOptions.AS4.withIbgp(true))).isEqualTo(u);
    }

    @Property(tries = 200)
    void twoOctetPeersSeeTheSamePathThroughAs4Path(
            @ForAll("attributes") PathAttributes a, @ForAll("v4Nlri") Nlri nlri) {
        Update u = Update.announce(a, nlri);
        assertThat(roundTrip(u, CodecOptions.DEFAULT.withIbgp(true))).isEqualTo(u);
    }

    @Property(tries = 200)
    void opensRoundTrip(
            @ForAll @IntRange(min = 1, max = 0x7fffffff) int id,
            @ForAll @IntRange(min = 3, max = 65535) int hold,
            @ForAll boolean rr,
            @ForAll boolean ext,
            @ForAll boolean notification,
            @ForAll @IntRange(min = 0, max = 4095) int restart) {
        Capabilities c = new Capabilities(
                Set.of(Family.IPV4_UNICAST),
                id & 0xffffffffL,
                rr,
                !rr,
                ext ? null : new GracefulRestart(rr, notification, restart, Map.of(Family.IPV6_UNICAST, rr)),
                Map.of(Family.IPV6_UNICAST, AddPathMode.RECEIVE),
                ext);
        Open o = Open.of(id & 0xffffffffL, hold, id, c);
        assertThat(roundTrip(o, CodecOptions.DEFAULT)).isEqualTo(o);
    }

    /** Mutated valid messages and random bytes: only BgpException, and never a read past the message's bytes. */
    @Property(tries = 3000)
    void decoderFailsOnlyWithItsOwnException(
            @ForAll("messages") byte[] valid,
            @ForAll @Size(max = 8) List<@IntRange(max = 4095) Integer> positions,
            @ForAll @Size(max = 8) List<Byte> values,
            @ForAll @IntRange(max = 30) int cut,
            @ForAll boolean as4) {
        byte[] m = valid.clone();
        for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
            int p = 19
                    + positions.get(i)
                            % Math.max(1, m.length - 19); // keep the header mostly intact so bodies get fuzzed
            if (p < m.length) {
                m[p] = values.get(i);
            }
        }
        if (cut > 0 && cut < m.length - 19) { // truncate the body, fixing up the header length
            m = Arrays.copyOf(m, m.length - cut);
            m[16] = (byte) (m.length >>> 8);
            m[17] = (byte) m.length;
        }
        CodecOptions o = as4 ? CodecOptions.AS4.withIbgp(true) : CodecOptions.DEFAULT;
        ByteBuf exact =
                Unpooled.wrappedBuffer(m).asReadOnly(); // a read beyond m throws IndexOutOfBounds, failing the property
        try {
            new MessageDecoder().decode(exact, o);
        } catch (BgpException expected) {
            // the codec's own error: fine
        }
    }

    @Property(tries = 1000)
    void randomBytesAfterAValidHeader(
            @ForAll @Size(min = 0, max = 200) byte[] body, @ForAll @IntRange(min = 1, max = 5) int type) {
        byte[] m = new byte[19 + body.length];
        Arrays.fill(m, 0, 16, (byte) -1);
        m[16] = (byte) (m.length >>> 8);
        m[17] = (byte) m.length;
        m[18] = (byte) type;
        System.arraycopy(body, 0, m, 19, body.length);
        try {
            new MessageDecoder().decode(Unpooled.wrappedBuffer(m), CodecOptions.AS4);
        } catch (BgpException expected) {
            // fine
        }
    }

    /** The frame decoder gives the same messages however the byte stream is cut into reads. */
    @Property(tries = 200)
    void framingIsIndependentOfReadBoundaries(
            @ForAll("messages") byte[] m1,
            @ForAll("messages") byte[] m2,
            @ForAll @Size(max = 10) List<@IntRange(min = 1, max = 600) Integer> cuts) {
        byte[] stream = new byte[m1.length + m2.length];
        System.arraycopy(m1, 0, stream, 0, m1.length);
        System.arraycopy(m2, 0, stream, m1.length, m2.length);
        CodecOptions o = CodecOptions.AS4.withIbgp(true);
        List<Object> whole = Hex.decodeWhole(stream, o);
        io.netty.channel.embedded.EmbeddedChannel ch = Hex.channel(o);
        int at = 0;
        for (int c : cuts) {
            int n = Math.min(c, stream.length - at);
            ch.writeInbound(Unpooled.wrappedBuffer(stream, at, n));
            at += n;
        }
        ch.writeInbound(Unpooled.wrappedBuffer(stream, at, stream.length - at));
        List<Object> pieces = new java.util.ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            pieces.add(m);
        }
        ch.finishAndReleaseAll();
        assertThat(whole).hasSize(2);
        assertThat(pieces).isEqualTo(whole);
    }

    @Provide
    Arbitrary<byte[]> messages() {
        Arbitrary<Message> updates = Combinators.combine(attributes(), v4Nlri()).as(Update::announce);
        Arbitrary<Message> v6 = Combinators.combine(attributes(), v6Nlri())
                .as((a, n) -> Update.announce(a, new MpReach(Family.IPV6_UNICAST, new byte[32], n)));
        Arbitrary<Message> opens = Arbitraries.just(MessageVectorsTest.OPEN_ALL);
        return Arbitraries.oneOf(updates, v6, opens).map(msg -> {
            ByteBuf b = Unpooled.buffer();
            MessageEncoder.encode(msg, CodecOptions.AS4.withIbgp(true), b);
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        });
    }
}
