package org.calicojava.bgp.session;

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

    RouteSink NONE = (p, u) -> { };
}
