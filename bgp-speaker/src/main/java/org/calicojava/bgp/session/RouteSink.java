package org.calicojava.bgp.session;

import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Update;

/**
 * Where received routes go (part 2 plugs its RIB in here). Called on the peer's event loop, in message order; an
 * implementation that cannot keep up should call {@link Peer#pauseReading(boolean)} rather than queue without bound.
 */
public interface RouteSink {
    /** The session reached Established; {@code peer.negotiated()} says what was agreed. */
    default void established(Peer peer) {}

    /** A decoded UPDATE (check {@link Update#treatAsWithdraw()}; End-of-RIB markers come through here too). */
    void update(Peer peer, Update update);

    /** The session left Established: every route learned from it is gone (graceful restart aside, part 2). */
    default void down(Peer peer, String reason) {}

    /**
     * True when this sink advertises routes itself (part 2's RIB): the peer then sends neither the {@code originate:}
     * routes nor End-of-RIB on Established, route refresh or reload, and calls {@link #refresh} on a refresh request.
     */
    default boolean advertises() { return false; }

    /** The peer asked for our routes of {@code f} again (RFC 2918); only called when {@link #advertises()}. */
    default void refresh(Peer peer, Family f) {}

    /**
     * The event loop this sink runs on, or null. When given, every session runs on it too: one thread reads, decides
     * and writes, with no hand-off between sessions and the RIB (BIRD's design; the RIB's pass-through benchmark).
     */
    default io.netty.channel.EventLoopGroup eventLoop() { return null; }

    RouteSink NONE = (p, u) -> { };
}
