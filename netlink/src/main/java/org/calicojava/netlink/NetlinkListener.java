package org.calicojava.netlink;

/** Receives events on the reader thread of a {@link NetlinkEvents} subscription, in kernel order. */
public interface NetlinkListener {
    void onEvent(NetlinkEvent event);

    /** The kernel dropped events (the socket's buffer overflowed): the listener should resync with a dump. */
    default void onOverrun() {}

    /** A message could not be decoded; reading continues. */
    default void onError(NetlinkException error) {}
}
