package org.calicojava.bgp.session;

import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Update;

/**
 * Where received routes go, and who advertises ours: the RIB ({@code rib.Rib}) sends its table and End-of-RIB when a
 * session is established or refreshed. Called on the peer's event loop, in message order; an
 * implementation that cannot keep up should call {@link Peer#pauseReading(boolean)} rather than queue without bound.
 */
public interface RouteSink {
    /** The session reached Established; {@code peer.negotiated()} says what was agreed. */
    default void established(Peer peer) {}

    /** A decoded UPDATE (check {@link Update#treatAsWithdraw()}; End-of-RIB markers come through here too). */
    void update(Peer peer, Update update);

    /** The session left Established: every route learned from it is gone (unless kept as stale for graceful restart). */
    default void down(Peer peer, String reason) {}

    /**
     * A Cease / Hard Reset, sent or received, ended a connection that was not Established (RFC 8538 section 4: a Hard
     * Reset deletes every route of the peer): the routes an earlier session left stale go now.
     */
    default void hardReset(Peer peer) {}

    /** The peer asked for our routes of {@code f} again (RFC 2918): the sink sends them. */
    default void refresh(Peer peer, Family f) {}

    /**
     * The event loop this sink runs on, or null. When given, every session runs on it too: one thread reads, decides
     * and writes, with no hand-off between sessions and the RIB (BIRD's design; the RIB's pass-through benchmark).
     */
    default io.netty.channel.EventLoopGroup eventLoop() {
        return null;
    }

    RouteSink NONE = (p, u) -> {};
}
