package org.calicojava.store;

import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A prefix watch that resumes from the last delivered revision after any error and resyncs after compaction.
 * All listener calls happen on one thread (the watch's own), in revision order; revisions already delivered are
 * never delivered again.
 */
final class PrefixWatch implements WatchableStore.Watch {
    private static final Logger LOG = LoggerFactory.getLogger(PrefixWatch.class);

    private final JetcdStore store;
    private final String prefix;
    private final WatchListener listener;
    private final ScheduledExecutorService thread;
    private long nextRevision;
    private Watch.Watcher watcher;
    private long generation;
    private volatile boolean closed;
    private int failures;

    PrefixWatch(JetcdStore store, String prefix, long fromRevision, WatchListener listener) {
        this.store = store;
        this.prefix = prefix;
        this.listener = listener;
        this.nextRevision = fromRevision;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "etcd-watch " + prefix);
            t.setDaemon(true);
            return t;
        });
        thread.execute(this::start);
    }

    /** Runs on the watch thread. */
    private void start() {
        if (closed) {
            return;
        }
        long gen = ++generation;
        // require leader: a member that has lost the cluster's leader (cut off) cancels the watch within seconds, and
        // it resumes on a member that has one, instead of waiting silently on the cut-off one (clientv3's
        // WithRequireLeader, as Calico's watchers do)
        WatchOption opt = WatchOption.builder()
                .isPrefix(true)
                .withRevision(nextRevision)
                .withRequireLeader(true)
                .build();
        ExecutorService t = thread;
        watcher = store.client()
                .getWatchClient()
                .watch(
                        JetcdStore.bs(prefix),
                        opt,
                        Watch.listener(
                                resp -> t.execute(() -> onResponse(gen, resp)),
                                err -> t.execute(() -> onFailure(gen, err)),
                                () -> {}));
    }

    private void onResponse(long gen, WatchResponse resp) {
        if (closed || gen != generation) {
            return;
        }
        failures = 0;
        List<WatchEvent> events = new ArrayList<>(resp.getEvents().size());
        for (io.etcd.jetcd.watch.WatchEvent e : resp.getEvents()) {
            KeyValue kv = JetcdStore.kv(e.getKeyValue());
            if (kv.modRevision() < nextRevision) {
                continue; // already delivered before a resume
            }
            boolean put = e.getEventType() == io.etcd.jetcd.watch.WatchEvent.EventType.PUT;
            events.add(new WatchEvent(
                    put ? WatchEvent.Type.PUT : WatchEvent.Type.DELETE,
                    kv.key(),
                    put ? kv.value() : null,
                    kv.modRevision()));
        }
        if (!events.isEmpty()) {
            nextRevision = events.get(events.size() - 1).modRevision() + 1;
            listener.onEvents(events);
        }
    }

    private void onFailure(long gen, Throwable err) {
        if (closed || gen != generation) {
            return;
        }
        closeWatcher();
        Throwable cause = err.getCause() != null && !(err instanceof CompactedException) ? err.getCause() : err;
        if (err instanceof CompactedException || cause instanceof CompactedException) {
            resync("revision " + nextRevision + " was compacted");
            return;
        }
        failures++;
        DatastoreException translated = EtcdErrors.translate(err, store.endpoint());
        if (failures == 1) {
            LOG.warn("watch {}: {}; resuming from revision {}", prefix, translated.getMessage(), nextRevision);
        }
        listener.onError(translated);
        thread.schedule(this::start, Math.min(5000, 200L * failures), TimeUnit.MILLISECONDS);
    }

    private void resync(String reason) {
        try {
            ListResult snapshot = store.list(prefix);
            LOG.info(
                    "watch {}: {}; resynced {} keys at revision {}",
                    prefix,
                    reason,
                    snapshot.kvs().size(),
                    snapshot.revision());
            nextRevision = snapshot.revision() + 1;
            listener.onResync(snapshot, reason);
            start();
        } catch (DatastoreException e) {
            failures++;
            listener.onError(e);
            thread.schedule(() -> resync(reason), Math.min(5000, 200L * failures), TimeUnit.MILLISECONDS);
        }
    }

    private void closeWatcher() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (RuntimeException ignored) {
                // already closed
            }
            watcher = null;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return; // closing twice is harmless
            }
            closed = true;
        }
        thread.execute(this::closeWatcher);
        thread.shutdown();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
