package org.calicojava.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.bgp.codec.Capabilities;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Keepalive;
import org.calicojava.bgp.codec.MessageEncoder;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.config.NeighborConfig;
import org.calicojava.bgp.config.SpeakerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One peer's whole pipeline ({@link Connection#install} and the {@link Peer} FSM) on an {@link EmbeddedChannel}, as in
 * {@link SessionFuzzTest}, with the bytes we send read back: the BGP identifier check (RFC 6286 2.2), reading paused
 * by both the channel's writability and the RIB, and a NOTIFICATION that fits 4096 bytes.
 */
class EmbeddedSessionTest {
    static final String MARKER = "ffffffffffffffffffffffffffffffff";
    static final int OUR_ID = Ip.v4Int("10.0.0.1");

    SpeakerConfig config;
    Speaker speaker;
    EmbeddedChannel ch;
    Peer peer;

    @BeforeEach
    void speaker() {
        config = EmbeddedSpeaker.config(
                "{address: 127.0.0.2, asNumber: 65011, passive: true}",
                "{address: 127.0.0.3, asNumber: 65010, passive: true}");
        speaker = new Speaker(config, RouteSink.NONE);
    }

    @AfterEach
    void close() {
        if (ch != null) {
            ch.close();
            ch.runPendingTasks();
            ch.finishAndReleaseAll();
        }
        speaker.close();
    }

    /** Neighbour {@code index}'s session on an embedded channel, its OPEN (AS, {@code id}) and KEEPALIVE received. */
    void open(int index, int id) {
        NeighborConfig n = config.neighbors().get(index);
        ch = EmbeddedSpeaker.channel(n.address(), 40000);
        peer = new Peer(n, config, speaker, ch.eventLoop());
        peer.start();
        peer.incoming(ch);
        ch.runPendingTasks();
        long as = n.asNumber();
        Open o = Open.of(
                as, 90, id, new Capabilities(Set.of(Family.IPV4_UNICAST), as, true, false, null, Map.of(), false));
        ByteBuf b = Unpooled.buffer();
        MessageEncoder.encode(o, CodecOptions.DEFAULT, b);
        MessageEncoder.encode(Keepalive.INSTANCE, CodecOptions.DEFAULT, b);
        ch.writeInbound(b);
        ch.runPendingTasks();
    }

    /** Every message we sent so far, as bytes. */
    List<byte[]> sent() {
        List<byte[]> out = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            out.add(ByteBufUtil.getBytes(b));
            b.release();
        }
        return out;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void anExternalPeerMayHaveOurBgpIdentifier() {
        open(0, OUR_ID); // eBGP 127.0.0.2, AS 65011, identifier 10.0.0.1 = ours
        assertThat(peer.state()).isEqualTo(SessionState.ESTABLISHED);
        assertThat(sent()).noneMatch(m -> m[18] == 3); // no NOTIFICATION
    }

    @Test
    void anInternalPeerWithOurBgpIdentifierIsRefused() {
        open(1, OUR_ID); // iBGP 127.0.0.3, AS 65010
        assertThat(peer.state()).isNotEqualTo(SessionState.ESTABLISHED);
        assertThat(sent())
                .extracting(EmbeddedSessionTest::hex)
                .contains(MARKER + "0015 03 02 03".replace(" ", "")); // NOTIFICATION 2/3 Bad BGP Identifier
    }

    @Test
    void readingResumesOnlyWhenWritableAndNotPausedByTheRib() {
        open(0, Ip.v4Int("10.0.0.2"));
        assertThat(peer.state()).isEqualTo(SessionState.ESTABLISHED);
        sent();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));

        peer.pauseReading(true);
        ch.runPendingTasks();
        assertThat(ch.config().isAutoRead()).isFalse();
        ch.write(Keepalive.INSTANCE); // 19 bytes pending > 16: not writable
        ch.runPendingTasks();
        assertThat(ch.isWritable()).isFalse();
        assertThat(ch.config().isAutoRead()).isFalse();
        ch.flush(); // writable again, but the RIB still holds reading
        ch.runPendingTasks();
        assertThat(ch.isWritable()).isTrue();
        assertThat(ch.config().isAutoRead()).isFalse();
        peer.pauseReading(false);
        ch.runPendingTasks();
        assertThat(ch.config().isAutoRead()).isTrue();

        ch.write(Keepalive.INSTANCE);
        ch.runPendingTasks();
        assertThat(ch.config().isAutoRead()).isFalse();
        peer.pauseReading(false); // the RIB resumes while the channel is still not writable
        ch.runPendingTasks();
        assertThat(ch.config().isAutoRead()).isFalse();
        ch.flush();
        ch.runPendingTasks();
        assertThat(ch.config().isAutoRead()).isTrue();
    }

    /** RFC 7313 5: a bad ROUTE-REFRESH's NOTIFICATION carries the message; at 4096 bytes it is cut to fit. */
    @Test
    void theNotificationForAMaximumSizeMessageFits4096Bytes() {
        open(0, Ip.v4Int("10.0.0.2"));
        assertThat(peer.state()).isEqualTo(SessionState.ESTABLISHED);
        sent();
        byte[] rr = new byte[4096]; // ROUTE-REFRESH of length 4096 (expected: 23)
        Arrays.fill(rr, 0, 16, (byte) 0xff);
        rr[16] = 0x10;
        rr[18] = 5;
        rr[20] = 1; // AFI 1, then zeros
        ch.writeInbound(Unpooled.wrappedBuffer(rr));
        ch.runPendingTasks();
        List<byte[]> out = sent();
        assertThat(out).hasSize(1);
        byte[] n = out.get(0);
        assertThat(n).hasSize(4096);
        assertThat(hex(Arrays.copyOf(n, 21))).isEqualTo(MARKER + "1000" + "03" + "07" + "01"); // length 4096, 7/1
        assertThat(Arrays.copyOfRange(n, 21, 4096)).isEqualTo(Arrays.copyOf(rr, 4075)); // the message, cut
    }
}
