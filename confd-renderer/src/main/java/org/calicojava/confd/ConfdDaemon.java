package org.calicojava.confd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.KeyValue;
import org.calicojava.store.ListResult;
import org.calicojava.store.WatchEvent;
import org.calicojava.store.WatchListener;
import org.calicojava.store.WatchableStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watching renderer: lists every resource's keys, renders everything once, then watches the common prefix of all
 * keys from the listed revision on (one watch; the store resumes it after reconnects and resyncs after compaction).
 * Changes mark the resources that watch them dirty; a burst of changes is rendered once, after {@code quiet} without
 * changes or at most {@code maxDelay} after its first change. A reload that failed after its file was written is
 * retried on a timer with backoff until it succeeds (see {@link PendingReloads}). The key tree, the dirty set and rendering are owned by
 * one worker thread; the watch thread only hands events over.
 */
public final class ConfdDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfdDaemon.class);

    private final WatchableStore store;
    private final List<TemplateResource> resources;
    private final ResourceProcessor processor;
    private final long quietNanos;
    private final long maxDelayNanos;
    private final ScheduledThreadPoolExecutor worker = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "confd-worker");
        t.setDaemon(true);
        return t;
    });
    private final TreeMap<String, String> tree = new TreeMap<>();
    private final Set<TemplateResource> dirty = new LinkedHashSet<>();
    private long burstStart = -1;
    private ScheduledFuture<?> pending;
    private ScheduledFuture<?> retry;
    private WatchableStore.Watch watch;
    private volatile long renders;

    public ConfdDaemon(
            WatchableStore store,
            List<TemplateResource> resources,
            ResourceProcessor processor,
            Duration quiet,
            Duration maxDelay) {
        this.store = store;
        this.resources = List.copyOf(resources);
        this.processor = processor;
        this.quietNanos = quiet.toNanos();
        this.maxDelayNanos = maxDelay.toNanos();
    }

    /** Lists the keys of every resource (revision-consistent per prefix) into {@code into}; returns the lowest revision. */
    static long load(WatchableStore store, List<TemplateResource> resources, Map<String, String> into) {
        long min = Long.MAX_VALUE;
        for (String prefix : distinctPrefixes(resources)) {
            ListResult lr = store.list(prefix);
            min = Math.min(min, lr.revision());
            for (KeyValue kv : lr.kvs()) {
                if (KeyPrefixes.covers(prefix, kv.key())) {
                    into.put(kv.key(), kv.value());
                }
            }
        }
        return min;
    }

    static List<String> distinctPrefixes(List<TemplateResource> resources) {
        Set<String> s = new LinkedHashSet<>();
        resources.forEach(r -> s.addAll(r.keys()));
        return new ArrayList<>(s);
    }

    /** Renders every resource once from a fresh listing; true if all succeeded (for --onetime). */
    public static boolean renderOnce(
            WatchableStore store, List<TemplateResource> resources, ResourceProcessor processor) {
        TreeMap<String, String> kv = new TreeMap<>();
        load(store, resources, kv);
        return !processor.process(resources, kv).containsValue(ResourceProcessor.Result.FAILED);
    }

    /** Initial listing and render (on the worker), then the watch. Returns whether the first render fully succeeded. */
    public boolean start() {
        CompletableFuture<Boolean> first = new CompletableFuture<>();
        worker.execute(() -> {
            try {
                long rev = loadPatiently();
                boolean ok = !processor.process(resources, tree).containsValue(ResourceProcessor.Result.FAILED);
                renders++;
                scheduleRetry();
                String common = KeyPrefixes.common(distinctPrefixes(resources));
                watch = store.watch(common, rev + 1, new Listener());
                LOG.info("watching {} from revision {} for {} template resource(s)", common, rev + 1, resources.size());
                first.complete(ok);
            } catch (RuntimeException e) {
                first.completeExceptionally(e);
            }
        });
        try {
            return first.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * The first listing, retried while etcd is unreachable or slow to answer (a daemon started with its datastore,
     * or before it, keeps waiting instead of exiting): one log line when it starts failing, one when it recovers.
     */
    private long loadPatiently() {
        for (int failures = 0; ; failures++) {
            try {
                long rev = load(store, resources, tree);
                if (failures > 0) {
                    LOG.info("etcd answered after {} failed attempt(s)", failures);
                }
                return rev;
            } catch (DatastoreException e) {
                if (worker.isShutdown()) {
                    throw e;
                }
                if (failures == 0) {
                    LOG.warn("{}; retrying until it answers", e.getMessage());
                }
                tree.clear();
                try {
                    Thread.sleep(Math.min(5000, 250L << Math.min(failures, 5)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** How many render passes have run (for tests and status). */
    public long renders() {
        return renders;
    }

    private final class Listener implements WatchListener {
        private String lastError; // watch thread only

        @Override
        public void onEvents(List<WatchEvent> events) {
            if (lastError != null) {
                LOG.info("etcd watch: receiving events again");
                lastError = null;
            }
            List<WatchEvent> copy = List.copyOf(events);
            submit(() -> apply(copy));
        }

        @Override
        public void onResync(ListResult snapshot, String reason) {
            submit(() -> resync(snapshot, reason));
        }

        @Override
        public void onError(DatastoreException error) {
            if (!error.getMessage().equals(lastError)) { // once per distinct problem, not per retry
                LOG.warn("etcd watch: {} (retrying)", error.getMessage());
                lastError = error.getMessage();
            }
        }
    }

    private void submit(Runnable task) {
        try {
            worker.execute(guarded("watch update", task));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("closing: watch event dropped");
        }
    }

    private void apply(List<WatchEvent> events) {
        boolean any = false;
        for (WatchEvent e : events) {
            boolean relevant = false;
            for (TemplateResource r : resources) {
                if (r.watches(e.key())) {
                    dirty.add(r);
                    relevant = true;
                }
            }
            if (!relevant) {
                continue;
            }
            any = true;
            if (e.type() == WatchEvent.Type.DELETE) {
                tree.remove(e.key());
            } else {
                tree.put(e.key(), e.value());
            }
        }
        if (any) {
            schedule();
        }
    }

    private void resync(ListResult snapshot, String reason) {
        LOG.warn("etcd watch resync ({}): {} keys", reason, snapshot.kvs().size());
        tree.clear();
        for (KeyValue kv : snapshot.kvs()) {
            if (resources.stream().anyMatch(r -> r.watches(kv.key()))) {
                tree.put(kv.key(), kv.value());
            }
        }
        dirty.addAll(resources);
        schedule();
    }

    private void schedule() {
        if (worker.isShutdown()) {
            return;
        }
        long now = System.nanoTime();
        if (burstStart < 0) {
            burstStart = now;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        long due = Math.min(now + quietNanos, burstStart + maxDelayNanos);
        pending = worker.schedule(guarded("render pass", this::flush), Math.max(0, due - now), TimeUnit.NANOSECONDS);
    }

    /**
     * The worker's tasks never end silently: an executor swallows what a task throws, so each task logs an unexpected
     * exception (one line, with the task's name) and a failed render pass is retried a second later with all its
     * resources still dirty; an {@link Error} ends the process (exit 70) for its supervisor to restart.
     */
    private Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error(
                        "confd worker: {} failed unexpectedly: {} (retrying)",
                        what,
                        org.calicojava.model.LogText.quote(e.toString()));
                if (!worker.isShutdown() && !dirty.isEmpty()) {
                    pending = worker.schedule(guarded("render pass", this::flush), 1, TimeUnit.SECONDS);
                }
            } catch (Error e) { // the JVM itself is in trouble: exit so the supervisor starts a fresh one
                LOG.error(
                        "confd worker: {} failed: {}; exiting", what, org.calicojava.model.LogText.quote(e.toString()));
                new Thread(() -> System.exit(70), "confd-exit").start();
                throw e;
            }
        };
    }

    private void flush() {
        burstStart = -1;
        pending = null;
        if (dirty.isEmpty()) {
            return;
        }
        List<TemplateResource> batch = new ArrayList<>(dirty);
        Map<String, ResourceProcessor.Result> results = new LinkedHashMap<>(processor.process(batch, tree));
        dirty.removeAll(batch); // only once rendered: a pass that throws leaves them dirty for the retry
        renders++;
        LOG.debug("render pass {}: {}", renders, results);
        scheduleRetry();
    }

    /**
     * One timer for the failed reloads (the processor keeps them and their backoff): set for the earliest due one,
     * after every pass and retry; none while nothing is pending. A write that replaced a pending reload moves it.
     */
    private void scheduleRetry() {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        long in = processor.nextReloadRetryIn();
        if (in < 0 || worker.isShutdown()) {
            return;
        }
        retry = worker.schedule(
                guarded("reload retry", () -> {
                    retry = null;
                    try {
                        processor.retryReloads();
                    } finally {
                        scheduleRetry(); // also after an unexpected exception: the reloads still pending stay timed
                    }
                }),
                in,
                TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        WatchableStore.Watch w = watch;
        if (w != null) {
            w.close();
        }
        // let a render in progress finish (no half-written temp files, no interrupted check), drop pending ones
        worker.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        worker.shutdown();
        try {
            if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
