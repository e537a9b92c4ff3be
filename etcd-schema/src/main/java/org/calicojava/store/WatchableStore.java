package org.calicojava.store;

/** A store that can also watch a prefix. */
public interface WatchableStore extends KvStore {
    /**
     * Watches every key under {@code prefix} from {@code fromRevision} (inclusive). Events arrive in revision order on
     * one thread. The watch survives reconnects (it resumes from the last revision it delivered); if that revision has
     * been compacted it lists the prefix afresh, delivers {@link WatchListener#onResync} and carries on from there.
     */
    Watch watch(String prefix, long fromRevision, WatchListener listener);

    /** A running watch; close to stop it. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }
}
