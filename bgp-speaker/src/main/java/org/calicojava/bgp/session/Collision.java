package org.calicojava.bgp.session;

import static org.calicojava.bgp.session.SessionState.ESTABLISHED;
import static org.calicojava.bgp.session.SessionState.OPEN_CONFIRM;
import static org.calicojava.bgp.session.SessionState.OPEN_SENT;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.calicojava.bgp.codec.BgpError;
import org.calicojava.bgp.codec.BgpFrameDecoder;
import org.calicojava.bgp.codec.Keepalive;
import org.calicojava.bgp.codec.Notification;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.session.PeerEvent.Received;
import org.calicojava.bgp.session.PeerEvent.TcpClosed;

/** Connection collision detection (RFC 4271 6.8) for one {@link Peer}: the second connection, its OPEN, who keeps which. */
final class Collision {
    private final Peer peer;
    /**
     * Seconds the second connection may stay open without its OPEN: the OpenSent hold timer of RFC 4271 8.2.2 (a
     * large value, 240 s); tests shorten it. It does not stop at Established: an OPEN that never comes ends it.
     */
    int openHoldSeconds = Peer.OPEN_SENT_HOLD;

    private ScheduledFuture<?> hold;

    Collision(Peer peer) {
        this.peer = peer;
    }

    /** A second connection while one is open: kept until its OPEN (or closed); refused when Established. */
    void second(Connection c) {
        if (peer.state() == ESTABLISHED) {
            peer.collisions++;
            peer.limited(
                    false,
                    "collision established",
                    "collision with the established session, closing the new {} connection",
                    c.outgoing ? "outgoing" : "incoming");
            c.notifyAndClose(new Notification(BgpError.of(BgpError.CEASE, BgpError.CONNECTION_COLLISION)));
        } else if (peer.other == null && c.outgoing != peer.conn.outgoing) {
            peer.other = c;
            peer.handshake.sendOpen(c);
            PeerTimers.cancel(hold);
            hold = peer.loop.schedule(() -> holdExpired(c), openHoldSeconds, TimeUnit.SECONDS);
        } else {
            c.close();
        }
    }

    /** Events of the second connection during a collision: wait for its OPEN, then resolve. */
    void candidate(PeerEvent e) {
        if (e instanceof TcpClosed) {
            forget();
        } else if (e instanceof Received r) {
            if (r.message() instanceof Open o) {
                peer.other.open = o;
                resolve(o); // the OPEN tells us the peer's BGP identifier: resolve now
            } else if (r.message() instanceof Keepalive) {
                peer.other.keepaliveSeen = true;
            } else if (r.message() instanceof Notification n) {
                peer.limited(
                        false,
                        "collision notification",
                        "NOTIFICATION received on the second connection: {}",
                        n.error());
                close(null);
            } else if (r.message() instanceof BgpFrameDecoder.MalformedMessage bad) {
                close(bad.error()); // as a session does (PeerFsm.common): the NOTIFICATION, then close
            } else {
                close(BgpError.of(BgpError.FSM, 1)); // anything else before its OPEN: unexpected in OpenSent
            }
        }
    }

    /** The second connection's OPEN did not come in time: Hold Timer Expired on it, the session stays. */
    private void holdExpired(Connection c) {
        if (peer.other == c) {
            close(BgpError.of(BgpError.HOLD_TIMER_EXPIRED, 0));
        }
    }

    /** Closes the second connection, if any, after a NOTIFICATION of {@code error} unless it is null. */
    void close(BgpError error) {
        Connection c = peer.other;
        forget();
        if (c == null) {
            return;
        }
        if (error == null) {
            c.close();
            return;
        }
        peer.limited(true, "collision error", "NOTIFICATION sent on the second connection: {}", error);
        c.notifyAndClose(new Notification(error));
    }

    /** No second connection any more (closed, resolved or promoted): its hold timer stops. */
    private void forget() {
        peer.other = null;
        PeerTimers.cancel(hold);
        hold = null;
    }

    /**
     * RFC 4271 6.8: keep the connection initiated by the speaker with the higher BGP identifier (RFC 6286 2.3: with
     * equal identifiers, the higher AS number); the other gets
     * Cease / connection collision resolution. Returns true when the primary connection was replaced.
     */
    boolean resolve(Open remote) {
        Notification cease = new Notification(BgpError.of(BgpError.CEASE, BgpError.CONNECTION_COLLISION));
        peer.collisions++;
        long ours = Integer.toUnsignedLong(peer.speakerConfig().routerId()),
                theirs = Integer.toUnsignedLong(remote.bgpId());
        // RFC 6286 2.3: equal identifiers (an external peer may have ours): the larger AS number's connection stays
        boolean keepOutgoing =
                ours != theirs ? ours > theirs : peer.speakerConfig().asNumber() > remote.peerAs();
        Connection conn = peer.conn;
        Connection other = peer.other;
        if (peer.state() == ESTABLISHED || conn.outgoing == keepOutgoing) {
            peer.limited(
                    false,
                    "collision",
                    "collision resolved, keeping the {} connection",
                    conn.outgoing ? "outgoing" : "incoming");
            other.notifyAndClose(cease);
            forget();
            return false;
        }
        peer.limited(
                false,
                "collision",
                "collision resolved, keeping the {} connection",
                other.outgoing ? "outgoing" : "incoming");
        conn.notifyAndClose(cease);
        peer.conn = other;
        forget();
        boolean keepalive = other.keepaliveSeen;
        peer.handshake.acceptOpen(other, other.open);
        if (keepalive && peer.state() == OPEN_CONFIRM) {
            peer.toEstablished();
        }
        return true;
    }

    /**
     * The primary connection ended before Established while a second one is open (the peer resolved a collision its way,
     * RFC 4271 6.8): carry on with the second instead of dropping both.
     */
    boolean promoteOther(String reason) {
        Connection other = peer.other;
        if (other == null || (peer.state() != OPEN_SENT && peer.state() != OPEN_CONFIRM)) {
            return false;
        }
        peer.collisions++;
        peer.limited(
                false,
                "collision promote",
                "{} connection ended ({}), continuing on the {} one",
                peer.conn.outgoing ? "outgoing" : "incoming",
                reason,
                other.outgoing ? "outgoing" : "incoming");
        peer.conn.close();
        peer.conn = other;
        forget();
        peer.handshake.restartOpenSent();
        if (other.open != null) {
            boolean keepalive = other.keepaliveSeen;
            peer.handshake.acceptOpen(other, other.open);
            if (keepalive && peer.state() == OPEN_CONFIRM) {
                peer.toEstablished();
            }
        }
        return true;
    }
}
