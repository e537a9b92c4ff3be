package org.calicojava.felix.agent;

import java.util.List;
import org.calicojava.felix.dataplane.DataplaneException;
import org.calicojava.felix.dataplane.PolicyBackend;
import org.calicojava.netlink.Link;
import org.calicojava.store.ListResult;
import org.calicojava.store.WatchEvent;

/** What the dataplane thread's queue carries: from the watch, the netlink link events, the read-back thread and close. */
sealed interface Work
        permits Work.Updates, Work.Resync, Work.PrefixResync, Work.ReadBack, Work.LinkChange, Work.Signal {

    /** A batch of etcd changes, with when it arrived (for felix_update_to_dataplane_seconds). */
    record Updates(List<WatchEvent> events, long receivedNanos) implements Work {}

    /** A full listing after the watch lost its place (compaction), to replace the state. */
    record Resync(ListResult snapshot, long receivedNanos) implements Work {}

    /** A full listing of one of the extra prefixes (encapsulation's) after its watch lost its place. */
    record PrefixResync(String prefix, ListResult snapshot, long receivedNanos) implements Work {}

    /** A policy read-back done off the dataplane thread (or its failure), to be adopted by the dataplane thread. */
    record ReadBack(PolicyBackend.Snapshot snapshot, DataplaneException error, boolean aborted) implements Work {}

    /**
     * A workload or VXLAN interface came, changed or went ({@code removed}), as the kernel announced it; received at
     * {@code receivedNanos} ({@link System#nanoTime}).
     */
    record LinkChange(boolean removed, Link link, long receivedNanos) implements Work {}

    /**
     * LINKS: links may have changed unannounced (the event socket overran): re-read them all; STOP: close;
     * REFRESH_INLINE: the backend reads back only synchronously; ENCAP: an encapsulation manager published new policy
     * inputs (e.g. the hosts allowed to send IP-in-IP).
     */
    enum Signal implements Work {
        LINKS,
        STOP,
        REFRESH_INLINE,
        ENCAP
    }
}
