package org.calicojava.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The second connection of a collision (RFC 4271 6.8) on {@link EmbeddedChannel}s: our outgoing connection is the
 * session, the peer's incoming one waits for its OPEN. It has an OpenSent hold timer of its own, which still runs once
 * the session is Established, and a malformed or unexpected message on it gets the NOTIFICATION a session would send.
 */
class SecondConnectionTest {
    static final String MARKER = "ffffffffffffffffffffffffffffffff";

    SpeakerConfig config;
    Speaker speaker;
    EmbeddedChannel first, second;
    Peer peer;

    @BeforeEach
    void collision() {
        config = EmbeddedSpeaker.config("{address: 127.0.0.2, asNumber: 65011, passive: true}");
        speaker = new Speaker(config, RouteSink.NONE);
        NeighborConfig n = config.neighbors().get(0);
        first = channel(n, 179);
        second = channel(n, 40000);
        peer = new Peer(n, config, speaker, first.eventLoop());
        peer.collision.openHoldSeconds = 10;
        peer.start();
        first.runPendingTasks(); // passive: Active
        Connection ours = new Connection(first, true, peer); // as if we had connected
        ours.install();
        peer.accept(ours);
        assertThat(peer.state()).isEqualTo(SessionState.OPEN_SENT);
        peer.incoming(second);
        first.runPendingTasks(); // the peer's loop is the first channel's
        assertThat(peer.other).isNotNull();
        assertThat(sent(second)).extracting(m -> m[18]).containsExactly((byte) 1); // our OPEN on it too
    }

    @AfterEach
    void close() {
        for (EmbeddedChannel ch : List.of(first, second)) {
            ch.close();
            ch.runPendingTasks();
            ch.finishAndReleaseAll();
        }
        speaker.close();
    }

    static EmbeddedChannel channel(NeighborConfig n, int remotePort) {
        return EmbeddedSpeaker.channel(n.address(), remotePort);
    }

    /** The peer's OPEN and KEEPALIVE on the first connection: Established there. */
    void establish() {
        Open o = Open.of(
                65011,
                90,
                Ip.v4Int("10.0.0.2"),
                new Capabilities(Set.of(Family.IPV4_UNICAST), 65011, true, false, null, Map.of(), false));
        ByteBuf b = Unpooled.buffer();
        MessageEncoder.encode(o, CodecOptions.DEFAULT, b);
        MessageEncoder.encode(Keepalive.INSTANCE, CodecOptions.DEFAULT, b);
        first.writeInbound(b);
        first.runPendingTasks();
        assertThat(peer.state()).isEqualTo(SessionState.ESTABLISHED);
    }

    static List<byte[]> sent(EmbeddedChannel ch) {
        List<byte[]> out = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            out.add(ByteBufUtil.getBytes(b));
            b.release();
        }
        return out;
    }

    static List<String> hex(List<byte[]> messages) {
        return messages.stream().map(HexFormat.of()::formatHex).toList();
    }

    void advance(int seconds) {
        first.advanceTimeBy(seconds, TimeUnit.SECONDS);
        first.runScheduledPendingTasks();
        second.runPendingTasks();
    }

    @Test
    void theDefaultHoldIsTheLargeOpenSentOne() {
        assertThat(new Collision(peer).openHoldSeconds).isEqualTo(240);
    }

    @Test
    void aSecondConnectionWithoutOpenGetsHoldTimerExpiredAfterEstablished() {
        establish();
        advance(9);
        assertThat(second.isOpen()).isTrue();
        assertThat(sent(second)).isEmpty();
        advance(2);
        assertThat(hex(sent(second))).containsExactly(MARKER + "0015" + "03" + "04" + "00"); // Hold Timer Expired
        assertThat(second.isOpen()).isFalse();
        assertThat(peer.other).isNull();
        assertThat(peer.state()).isEqualTo(SessionState.ESTABLISHED);
        assertThat(first.isOpen()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
        // a bad marker: Connection Not Synchronized (1/1)
        "ffffffffffffffffffffffffffffff00 0013 04, 0101",
        // an UPDATE (End-of-RIB) before the OPEN: FSM error, unexpected message in OpenSent (5/1)
        "ffffffffffffffffffffffffffffffff 0017 02 0000 0000, 0501",
    })
    void aBadMessageOnTheSecondConnectionIsAnsweredWithANotification(String input, String error) {
        establish();
        second.writeInbound(Unpooled.wrappedBuffer(HexFormat.of().parseHex(input.replace(" ", ""))));
        first.runPendingTasks();
        second.runPendingTasks();
        assertThat(hex(sent(second))).containsExactly(MARKER + "0015" + "03" + error);
        assertThat(second.isOpen()).isFalse();
        assertThat(peer.other).isNull();
        assertThat(peer.state()).isEqualTo(SessionState.ESTABLISHED);
    }
}
