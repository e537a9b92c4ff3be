package org.calicojava.felix.agent;

import java.util.List;
import java.util.function.Consumer;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.ListResult;
import org.calicojava.store.WatchEvent;
import org.calicojava.store.WatchListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /calico/v1} watch into the agent's queue (updates and resyncs, stamped with when they arrived). An
 * outage is logged once, from the first watch error until the next update arrives (the watch retries meanwhile;
 * the dataplane stays as it is). Runs on the watch's thread.
 */
final class WatchFeed implements WatchListener {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class); // the agent's lines, as before
    private final Consumer<Work> queue;
    /** Set from the first watch error until the next update arrives. */
    private volatile boolean down;

    WatchFeed(Consumer<Work> queue) {
        this.queue = queue;
    }

    @Override
    public void onEvents(List<WatchEvent> events) {
        back();
        queue.accept(new Work.Updates(events, System.nanoTime()));
    }

    @Override
    public void onResync(ListResult snapshot, String reason) {
        back();
        LOG.info("datastore resync: {}", reason);
        queue.accept(new Work.Resync(snapshot, System.nanoTime()));
    }

    @Override
    public void onError(DatastoreException error) {
        if (!down) { // one line per outage, however often the watch retries
            down = true;
            LOG.warn("datastore: {} (dataplane left as is; retrying)", error.getMessage());
        }
    }

    /** The first update after an outage ends it (the watch resumed from its last revision). */
    private void back() {
        if (down) {
            down = false;
            LOG.info("datastore reachable again: watch resumed, applying what changed meanwhile");
        }
    }
}
