package org.calicojava.bgp.session;

/** The inputs of a {@link Peer}'s state machine. */
sealed interface PeerEvent
        permits PeerEvent.Start,
                PeerEvent.Timer,
                PeerEvent.TcpUp,
                PeerEvent.TcpFailed,
                PeerEvent.TcpClosed,
                PeerEvent.Received {
    /** The administrative start. */
    record Start() implements PeerEvent {}

    /** The timers of RFC 4271 section 10. */
    enum TimerKind {
        CONNECT_RETRY,
        HOLD,
        KEEPALIVE,
        IDLE_HOLD
    }

    /** A timer fired. */
    record Timer(TimerKind kind) implements PeerEvent {}

    /** A TCP connection is up, either direction. */
    record TcpUp(Connection c) implements PeerEvent {}

    /** Connecting failed. */
    /** An outgoing connect failed; {@code refused}: the host answered with a reset (up, nothing listening yet). */
    record TcpFailed(String reason, boolean refused) implements PeerEvent {}

    /** A connection ended. */
    record TcpClosed(Connection c, String reason) implements PeerEvent {}

    /** A message (or a malformed one) arrived on a connection. */
    record Received(Connection c, Object message) implements PeerEvent {}
}
