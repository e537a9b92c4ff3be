package org.calicojava.felix.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.ListResult;
import org.calicojava.store.WatchEvent;
import org.calicojava.store.WatchListener;
import org.calicojava.store.WatchableStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watches of the prefixes beyond {@code /calico/v1} that encapsulation reads (hosts' addresses, block
 * affinities), each from the revision of its initial listing, feeding the dataplane queue: events as
 * {@link Work.Updates}, a relisting after compaction as {@link Work.PrefixResync}. Outages are reported by the main
 * watch.
 */
final class ExtraWatches implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExtraWatches.class);
    private final List<WatchableStore.Watch> watches = new ArrayList<>();

    /** Starts one watch per prefix of {@code revisions} (prefix to the revision it was listed at). */
    synchronized void start(WatchableStore store, Map<String, Long> revisions, Consumer<Work> queue) {
        revisions.forEach((prefix, rev) -> watches.add(store.watch(prefix, rev + 1, new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> events) {
                queue.accept(new Work.Updates(events, System.nanoTime()));
            }

            @Override
            public void onResync(ListResult snapshot, String reason) {
                LOG.info("datastore resync of {}: {}", prefix, reason);
                queue.accept(new Work.PrefixResync(prefix, snapshot, System.nanoTime()));
            }

            @Override
            public void onError(DatastoreException error) {
                // the main watch reports outages (one line each)
            }
        })));
    }

    @Override
    public synchronized void close() {
        watches.forEach(WatchableStore.Watch::close);
        watches.clear();
    }
}
