package org.calicojava.bgp.session;

import org.calicojava.bgp.codec.BgpError;

/**
 * RFC 8538 (Notification Message Support for BGP Graceful Restart) once both OPENs carried the N bit
 * ({@link Negotiated#grNotification}): a session ended by a NOTIFICATION, sent or received, follows graceful restart
 * like a lost connection, except Cease / Hard Reset (6/9), which flushes the routes on both sides. The Ceases that
 * section 5 says are a Hard Reset are sent as one, carrying the original (section 3). Pure.
 */
final class HardReset {
    /** Appended to the reason of a session ended by a Hard Reset we sent in place of another Cease. */
    static final String SENT_AS = " (as Cease / Hard Reset, RFC 8538)";

    private HardReset() {}

    /**
     * True for the Ceases RFC 8538 section 5 sends as Hard Reset: maximum number of prefixes reached, administrative
     * shutdown, peer de-configured. Administrative reset is left to the operator there and out of resources keeps
     * graceful restart; nothing here sends either, and FRR sends them as plain Ceases by default, so they stay plain
     * here too. Not for connection rejected, other configuration change, collision resolution or BFD Down (BFD Down is
     * wrapped by {@link Peer#bfdDown} itself, when it promises a flush).
     */
    static boolean required(BgpError e) {
        if (e == null || e.code() != BgpError.CEASE) {
            return false;
        }
        return switch (e.subcode()) {
            case BgpError.MAX_PREFIXES, BgpError.ADMIN_SHUTDOWN, BgpError.PEER_DECONFIGURED -> true;
            default -> false;
        };
    }

    /**
     * Whether a session ended by {@code e} (null: no NOTIFICATION either way) flushes the peer's routes at once:
     * without the N bit negotiated any NOTIFICATION does (RFC 4724), with it only a Hard Reset (RFC 8538 section 4).
     */
    static boolean flushes(BgpError e, boolean grNotification) {
        return e != null && (!grNotification || e.isHardReset());
    }
}
