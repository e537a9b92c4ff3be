package org.calicojava.bgp.session;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.HexFormat;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.config.SpeakerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Jazzer fuzz target over a whole session: one peer's pipeline as the speaker builds it ({@link Connection#install}:
 * frame decoder, encoder, the session handler and the {@link Peer} FSM) on an {@link EmbeddedChannel}, with the
 * session's sink an {@link AdjRibIn}. Every input starts from a session brought to Established by a valid OPEN
 * (AS4, IPv4 + IPv6 unicast, route refresh) and KEEPALIVE; the fuzzer's bytes follow, in two writes (split at the
 * first byte's value). Checked: no exception reaches the channel (the session handler would log it as "connection
 * error"), the peer's routes are bounded by the input (a prefix takes at least one byte), and what we send back is
 * bounded too (OPEN, KEEPALIVE, a NOTIFICATION, a route refresh's End-of-RIB per message received).
 */
class SessionFuzzTest {
    /** OPEN: version 4, AS 65011, hold 180, id 10.0.0.2, capabilities MP IPv4, MP IPv6, route refresh, AS4 65011. */
    static final byte[] OPEN = HexFormat.of()
            .parseHex("ffffffffffffffffffffffffffffffff" + "0033" + "01"
                    + "04" + "fdf3" + "00b4" + "0a000002" + "16" + "02" + "14"
                    + "010400010001" + "010400020001" + "0200" + "41040000fdf3");

    static final byte[] KEEPALIVE = HexFormat.of().parseHex("ffffffffffffffffffffffffffffffff" + "0013" + "04");
    static Speaker speaker;
    static SpeakerConfig config;
    static final AdjRibIn SINK = new AdjRibIn();

    @BeforeAll
    static void speaker() {
        config = EmbeddedSpeaker.config("{address: 127.0.0.2, asNumber: 65011, passive: true}");
        speaker = new Speaker(config, SINK);
    }

    @AfterAll
    static void close() {
        speaker.close();
    }

    /** An embedded channel with socket addresses, as a TCP connection from the peer would have. */
    static EmbeddedChannel channel() {
        return EmbeddedSpeaker.channel(Ip.parse("127.0.0.2"), 40000);
    }

    @FuzzTest(maxDuration = "5m")
    void session(byte[] in) {
        EmbeddedChannel ch = channel();
        Peer peer = new Peer(config.neighbors().get(0), config, speaker, ch.eventLoop());
        try {
            peer.start();
            peer.incoming(ch);
            ch.runPendingTasks();
            ch.writeInbound(Unpooled.wrappedBuffer(OPEN), Unpooled.wrappedBuffer(KEEPALIVE));
            ch.runPendingTasks();
            if (peer.state() != SessionState.ESTABLISHED) {
                throw new AssertionError("not Established before the fuzzed bytes: " + peer);
            }
            int cut = in.length == 0 ? 0 : Math.min(in.length, in[0] & 0xff);
            if (cut > 0) {
                ch.writeInbound(Unpooled.wrappedBuffer(in, 0, cut));
            }
            if (in.length > cut && ch.isOpen()) { // after we closed (a NOTIFICATION sent) nothing more is read
                ch.writeInbound(Unpooled.wrappedBuffer(in, cut, in.length - cut));
            }
            ch.runPendingTasks();
            ch.checkException();
            int routes = SINK.routes(peer.address()).size();
            if (routes > in.length) {
                throw new AssertionError(routes + " routes from " + in.length + " bytes");
            }
            String error = peer.lastError();
            if (error != null && error.startsWith("connection error")) {
                throw new AssertionError("an exception reached the session handler: " + error);
            }
            long sent = 0;
            int messages = 0;
            for (Object o; (o = ch.readOutbound()) != null; ) {
                if (o instanceof ByteBuf b) {
                    sent += b.readableBytes();
                    b.release();
                }
                messages++;
            }
            long maxMessages = 4 + 2L * (in.length / 19 + 1);
            if (messages > maxMessages || sent > 4096L * maxMessages) {
                throw new AssertionError(
                        messages + " messages, " + sent + " bytes sent for " + in.length + " bytes received");
            }
        } finally {
            ch.close();
            ch.runPendingTasks();
            ch.finishAndReleaseAll();
            SINK.down(peer, "fuzz input done");
        }
    }
}
