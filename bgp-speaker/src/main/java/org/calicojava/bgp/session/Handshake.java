package org.calicojava.bgp.session;

import static org.calicojava.bgp.session.SessionState.CONNECT;
import static org.calicojava.bgp.session.SessionState.OPEN_CONFIRM;
import static org.calicojava.bgp.session.SessionState.OPEN_SENT;

import io.netty.channel.ChannelFuture;
import java.net.ConnectException;
import org.calicojava.bgp.codec.BgpError;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Keepalive;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.session.PeerEvent.TcpFailed;

/**
 * How one {@link Peer}'s session gets to OpenConfirm (RFC 4271 8.2.2): the outgoing connection attempt, our OPEN, and
 * the peer's OPEN checked (its AS, its BGP identifier) and negotiated ({@link Negotiation}), answered with KEEPALIVE.
 * Runs on the peer's event loop, like the rest of its FSM.
 */
final class Handshake {
    private final Peer peer;

    Handshake(Peer peer) {
        this.peer = peer;
    }

    /** Connect: an outgoing connection attempt, its outcome handed to the FSM. */
    void startConnect() {
        peer.to(CONNECT);
        ChannelFuture f;
        try {
            f = peer.speaker().transport().connect(peer.config, peer.speakerConfig.listenAddress(), peer.loop);
        } catch (IllegalStateException e) {
            peer.fail(null, false, e.getMessage());
            return;
        }
        peer.connecting = f;
        f.addListener(done -> {
            if (done.isCancelled()) {
                return;
            }
            if (done.isSuccess()) {
                Connection c = new Connection(f.channel(), true, peer);
                c.install();
                peer.accept(c);
            } else {
                Throwable t = done.cause();
                String reason =
                        t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
                peer.handle(new TcpFailed(reason, t instanceof ConnectException && reason.contains("refused")));
            }
        });
    }

    /** Back to OpenSent on another connection (a collision's second one). */
    void restartOpenSent() {
        peer.negotiated = null;
        PeerTimers.cancel(peer.timers.keepalive);
        peer.to(OPEN_SENT);
        peer.timers.startHold(Peer.OPEN_SENT_HOLD);
    }

    /** Our OPEN on {@code c}. */
    void sendOpen(Connection c) {
        c.send(Negotiation.localOpen(peer.config, peer.speakerConfig));
    }

    /** Checks the peer's OPEN, negotiates, answers with KEEPALIVE and moves to OpenConfirm. */
    void acceptOpen(Connection c, Open o) {
        if (o.peerAs() != peer.config.asNumber()) {
            peer.fail(
                    BgpError.u16(BgpError.OPEN_MESSAGE, BgpError.BAD_PEER_AS, o.myAs()),
                    true,
                    "NOTIFICATION sent: bad peer AS " + o.peerAs() + " (expected: " + peer.config.asNumber() + ")");
            return;
        }
        if (o.bgpId() == peer.speakerConfig.routerId() && peer.isIbgp()) {
            // RFC 6286 2.2: our own BGP identifier is refused from internal peers only
            peer.fail(
                    BgpError.of(BgpError.OPEN_MESSAGE, BgpError.BAD_BGP_IDENTIFIER),
                    true,
                    "NOTIFICATION sent: peer uses our BGP identifier " + Ip.v4String(o.bgpId()));
            return;
        }
        Negotiated negotiated = Negotiation.negotiate(peer.config, peer.speakerConfig, o, c.localAddress());
        peer.negotiated = negotiated;
        c.channel.attr(CodecOptions.KEY).set(negotiated.codec());
        c.send(Keepalive.INSTANCE);
        peer.lastReceivedNanos = System.nanoTime();
        PeerTimers.cancel(peer.timers.hold);
        PeerTimers.cancel(peer.timers.keepalive);
        if (negotiated.holdTime() > 0) {
            peer.timers.startHold(negotiated.holdTime());
            int ka = negotiated.keepaliveTime();
            peer.timers.startKeepalive(ka);
        }
        peer.to(OPEN_CONFIRM);
    }
}
