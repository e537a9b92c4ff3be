package org.calicojava.bgp.session;

import static org.calicojava.bgp.session.SessionState.ACTIVE;
import static org.calicojava.bgp.session.SessionState.OPEN_SENT;

import java.util.concurrent.TimeUnit;
import org.calicojava.bgp.codec.BgpError;
import org.calicojava.bgp.codec.BgpFrameDecoder;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Keepalive;
import org.calicojava.bgp.codec.Notification;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.codec.RouteRefresh;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.session.PeerEvent.Received;
import org.calicojava.bgp.session.PeerEvent.Start;
import org.calicojava.bgp.session.PeerEvent.TcpClosed;
import org.calicojava.bgp.session.PeerEvent.TcpFailed;
import org.calicojava.bgp.session.PeerEvent.TcpUp;
import org.calicojava.bgp.session.PeerEvent.Timer;
import org.calicojava.bgp.session.PeerEvent.TimerKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RFC 4271 section 8 state machine of one {@link Peer}: one method per state ({@link #idle}, {@link #connect},
 * {@link #active}, {@link #openSent}, {@link #openConfirm}, {@link #established}); runs on the peer's event loop.
 */
final class PeerFsm {
    private static final Logger LOG = LoggerFactory.getLogger(Peer.class);
    private final Peer peer;

    PeerFsm(Peer peer) {
        this.peer = peer;
    }

    /** Handles {@code e} in the current peer.state. */
    void handle(PeerEvent e) {
        switch (peer.state) {
            case IDLE -> idle(e);
            case CONNECT -> connect(e);
            case ACTIVE -> active(e);
            case OPEN_SENT -> openSent(e);
            case OPEN_CONFIRM -> openConfirm(e);
            case ESTABLISHED -> established(e);
        }
    }

    private void idle(PeerEvent e) {
        if (e instanceof Start || e instanceof Timer t && t.kind() == TimerKind.IDLE_HOLD) {
            if (peer.stopped) {
                return;
            }
            if (peer.config.passive()) {
                peer.to(ACTIVE);
            } else {
                peer.handshake.startConnect();
            }
        } else if (e instanceof TcpUp u) {
            if (peer.stopped || peer.limitHold) {
                u.c().close(); // refused while administratively peer.stopped, or peer.stopped for the prefix limit
            } else {
                // holding after an error: still take the peer's connection (passive TCP establishment, as BIRD does);
                // refusing it let two active peers whose hold peer.timers ran in step refuse each peer.other for ever
                PeerTimers.cancel(peer.timers.idleHold);
                peer.to(ACTIVE);
                connect(e);
            }
        }
    }

    private void connect(PeerEvent e) {
        if (e instanceof TcpUp u) {
            PeerTimers.cancel(peer.timers.connectRetry);
            if (peer.connecting != null && !u.c().outgoing) {
                peer.connecting.cancel(false);
            }
            peer.connecting = null;
            peer.conn = u.c();
            peer.handshake.sendOpen(peer.conn);
            peer.timers.startHold(Peer.OPEN_SENT_HOLD);
            peer.to(OPEN_SENT);
        } else if (e instanceof TcpFailed f) {
            peer.connecting = null;
            peer.connectFailures++;
            peer.lastError = "connect failed: " + f.reason();
            if (peer.connectFailures == 1) {
                LOG.info("{}: {} (retrying with backoff)", peer.name, peer.lastError); // once per outage, not per retry
            }
            peer.to(ACTIVE);
            peer.timers.connectRetry = peer.timers.schedule(
                    TimerKind.CONNECT_RETRY,
                    PeerTimers.connectRetry(peer.speakerConfig.connectRetryTime(), peer.connectFailures, f.refused()));
        } else if (e instanceof Timer t && t.kind() == TimerKind.CONNECT_RETRY) {
            peer.handshake.startConnect();
        }
    }

    private void active(PeerEvent e) {
        if (e instanceof TcpUp) {
            connect(e);
        } else if (e instanceof Timer t && t.kind() == TimerKind.CONNECT_RETRY) {
            if (!peer.config.passive()) {
                peer.handshake.startConnect();
            }
        }
    }

    private void openSent(PeerEvent e) {
        if (e instanceof Received r) {
            if (r.message() instanceof Open o) {
                peer.conn.open = o;
                if (peer.other != null && peer.other.open != null && peer.collision.resolve(o)) {
                    return;
                }
                peer.handshake.acceptOpen(peer.conn, o);
            } else {
                common(r, BgpError.of(BgpError.FSM, 1));
            }
        } else {
            commonTimersAndClose(e);
        }
    }

    private void openConfirm(PeerEvent e) {
        if (e instanceof Received r) {
            if (r.message() instanceof Keepalive) {
                peer.lastReceivedNanos = System.nanoTime();
                peer.toEstablished();
            } else {
                common(r, BgpError.of(BgpError.FSM, 2));
            }
        } else {
            commonTimersAndClose(e);
        }
    }

    private void established(PeerEvent e) {
        if (e instanceof Received r) {
            peer.lastReceivedNanos = System.nanoTime();
            Object m = r.message();
            if (m instanceof Update u) {
                if (u.outcome() != Update.Outcome.NORMAL) {
                    BgpError err = u.error();
                    peer.limited(
                            true,
                            "update " + u.outcome() + (err == null ? "" : " " + err.code() + "/" + err.subcode()),
                            "UPDATE {} ({})",
                            u.outcome(),
                            err);
                }
                peer.speaker().sink().update(peer, u);
            } else if (m instanceof Keepalive) {
                // hold timer already refreshed
            } else if (m instanceof RouteRefresh rr) {
                routeRefresh(rr);
            } else {
                common(r, BgpError.of(BgpError.FSM, 3));
            }
        } else {
            commonTimersAndClose(e);
        }
    }

    /** NOTIFICATION, malformed input and unexpected messages, the same in every peer.state after OpenSent. */
    private void common(Received r, BgpError unexpected) {
        Object m = r.message();
        if (m instanceof Notification n) {
            if (peer.collision.promoteOther("NOTIFICATION received: " + n.error())) {
                return;
            }
            peer.fail(n.error(), false, "NOTIFICATION received: " + n.error());
        } else if (m instanceof BgpFrameDecoder.MalformedMessage bad) {
            peer.fail(bad.error(), true, "NOTIFICATION sent: " + bad.error());
        } else {
            peer.fail(unexpected, true, "unexpected " + m + " in " + peer.state);
        }
    }

    private void commonTimersAndClose(PeerEvent e) {
        if (e instanceof Timer t) {
            switch (t.kind()) {
                case HOLD -> {
                    long idle = System.nanoTime() - peer.lastReceivedNanos;
                    long hold = TimeUnit.SECONDS.toNanos(
                            peer.state == OPEN_SENT ? Peer.OPEN_SENT_HOLD : peer.negotiated.holdTime());
                    if (peer.state != OPEN_SENT && idle < hold) {
                        peer.timers.holdIn(hold - idle);
                    } else {
                        peer.fail(BgpError.of(BgpError.HOLD_TIMER_EXPIRED, 0), true, "hold timer expired");
                    }
                }
                case KEEPALIVE -> peer.conn.send(Keepalive.INSTANCE);
                default -> {}
            }
        } else if (e instanceof TcpClosed c) {
            if (peer.collision.promoteOther(c.reason())) {
                return;
            }
            peer.fail(null, false, c.reason());
        } else if (e instanceof TcpUp u) {
            u.c().close();
        }
    }

    private void routeRefresh(RouteRefresh rr) {
        Family f = Family.of(rr.afi(), rr.safi());
        if (rr.subtype() == RouteRefresh.REQUEST
                && f != null
                && peer.negotiated.families().contains(f)) {
            peer.limited(false, "refresh", "route refresh requested for {}", f);
            peer.speaker().sink().refresh(peer, f);
        }
    }
}
