package org.calicojava.store;

import java.util.List;

/** Receives a watch's events on the watch's own thread, in revision order. */
public interface WatchListener {
    /** Changes, in revision order (one etcd revision may carry several). */
    void onEvents(List<WatchEvent> events);

    /**
     * The watch could not resume (its revision was compacted): {@code snapshot} is the complete current content of
     * the prefix; the listener replaces what it knew with it. {@code reason} says why, for the log.
     */
    void onResync(ListResult snapshot, String reason);

    /** A failure the watch is retrying past (etcd unreachable); informational. */
    default void onError(DatastoreException error) {}
}
