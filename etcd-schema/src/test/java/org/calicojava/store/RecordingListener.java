package org.calicojava.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/** Keeps a watch's view of a prefix as a map (applying events and resyncs) and the raw event log. */
final class RecordingListener implements WatchListener {
    final Map<String, String> view = new TreeMap<>();
    final List<WatchEvent> events = new ArrayList<>();
    final List<String> resyncs = new ArrayList<>();
    final List<String> threads = new ArrayList<>();

    @Override
    public synchronized void onEvents(List<WatchEvent> batch) {
        threads.add(Thread.currentThread().getName());
        for (WatchEvent e : batch) {
            events.add(e);
            if (e.type() == WatchEvent.Type.PUT) {
                view.put(e.key(), e.value());
            } else {
                view.remove(e.key());
            }
        }
    }

    @Override
    public synchronized void onResync(ListResult snapshot, String reason) {
        resyncs.add(reason);
        view.clear();
        snapshot.kvs().forEach(kv -> view.put(kv.key(), kv.value()));
    }

    synchronized Map<String, String> viewCopy() {
        return new TreeMap<>(view);
    }

    synchronized List<WatchEvent> eventsCopy() {
        return new ArrayList<>(events);
    }

    synchronized List<String> resyncsCopy() {
        return new ArrayList<>(resyncs);
    }

    synchronized List<String> threadsCopy() {
        return new ArrayList<>(threads);
    }

    void awaitUntil(Predicate<RecordingListener> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (this) {
                if (condition.test(this)) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        synchronized (this) {
            throw new AssertionError("condition not met in " + timeout + "; view=" + view + " resyncs=" + resyncs);
        }
    }
}
