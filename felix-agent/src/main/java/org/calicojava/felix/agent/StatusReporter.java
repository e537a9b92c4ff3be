package org.calicojava.felix.agent;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.calicojava.felix.calc.EndpointKey;
import org.calicojava.felix.dataplane.EndpointState;
import org.calicojava.model.EndpointStatus;
import org.calicojava.model.HostStatus;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.KvStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes endpoint status (on change) and host status (time, uptime) to etcd on its own thread, so a slow or absent
 * datastore never holds up the dataplane. A failed write is retried with the next report.
 */
public final class StatusReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusReporter.class);
    private final KvStore store;
    private final Keys keys;
    private final String host;
    private final boolean endpoints;
    private final long started = System.nanoTime();
    private final String startTime = Instant.now().toString();
    private final ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "felix-status");
        t.setDaemon(true);
        return t;
    });
    /** Last written, owned by the status thread. */
    private final Map<EndpointKey, EndpointState> written = new HashMap<>();

    private boolean lastFailed;
    /** When {@link #hostIfDue} last reported (the dataplane thread's). */
    private long lastHostReport;
    /** When the running task started (0: none running). */
    private volatile long taskStarted;

    private static final long STUCK_NANOS = 600_000_000_000L;

    public StatusReporter(KvStore store, Keys keys, String host, boolean endpoints) {
        this.store = store;
        this.keys = keys;
        this.host = host;
        this.endpoints = endpoints;
    }

    /** Milliseconds until the next host report at {@code interval} (a minute when reporting is off). */
    long hostReportIn(java.time.Duration interval) {
        long ms = interval.toMillis();
        return ms <= 0 ? 60_000 : ms - (System.nanoTime() - lastHostReport) / 1_000_000;
    }

    /** The host's status when the next report is due (the dataplane thread's schedule). */
    void hostIfDue(java.time.Duration interval) {
        if (hostReportIn(interval) <= 0 && interval.toMillis() > 0) {
            host();
            lastHostReport = System.nanoTime();
        }
    }

    /** Queues the current endpoint states (a full map: endpoints absent from it get their status deleted). */
    public void endpoints(Map<EndpointKey, EndpointState> states) {
        if (!endpoints) {
            return;
        }
        Map<EndpointKey, EndpointState> copy = states instanceof org.calicojava.felix.calc.PersistentMap<?, ?>
                ? states
                : Map.copyOf(states); // the dataplane's is immutable already
        run(() -> {
            try {
                for (Map.Entry<EndpointKey, EndpointState> e : copy.entrySet()) {
                    if (!e.getValue().equals(written.get(e.getKey()))) {
                        EndpointKey k = e.getKey();
                        store.put(
                                keys.felixEndpointStatus(host, k.orchestrator(), k.workload(), k.endpoint()),
                                Json.write(new EndpointStatus(
                                        e.getValue().status(), e.getValue().reason())));
                        written.put(k, e.getValue());
                    }
                }
                for (EndpointKey k : Map.copyOf(written).keySet()) {
                    if (!copy.containsKey(k)) {
                        store.delete(keys.felixEndpointStatus(host, k.orchestrator(), k.workload(), k.endpoint()));
                        written.remove(k);
                    }
                }
                ok();
            } catch (DatastoreException e) {
                failed(e);
            }
        });
    }

    public void host() {
        run(() -> {
            try {
                double uptime = (System.nanoTime() - started) / 1e9;
                store.put(
                        keys.felixHostStatus(host),
                        Json.write(
                                new HostStatus(Instant.now().toString(), Math.round(uptime * 10) / 10.0, startTime)));
                ok();
            } catch (DatastoreException e) {
                failed(e);
            }
        });
    }

    /**
     * Runs a report on the status thread; an unexpected exception is logged (once until a report works again) and
     * what was written is forgotten, so the next report rewrites it: the thread never dies silently.
     */
    private void run(Runnable task) {
        exec.execute(() -> {
            taskStarted = System.nanoTime();
            try {
                task.run();
            } catch (RuntimeException e) {
                if (!lastFailed) {
                    LOG.error("status reporting failed unexpectedly (will retry): {}", LogText.quote(e.toString()), e);
                    lastFailed = true;
                }
                written.clear();
            } finally {
                taskStarted = 0;
            }
        });
    }

    /** Whether a report has been running for over 10 minutes (the datastore client hangs). */
    public boolean stuck() {
        long t = taskStarted;
        return t != 0 && System.nanoTime() - t > STUCK_NANOS;
    }

    private void ok() {
        if (lastFailed) {
            LOG.info("status reporting to etcd works again");
            lastFailed = false;
        }
    }

    private void failed(DatastoreException e) {
        if (!lastFailed) {
            LOG.warn("status reporting to etcd failed (will retry): {}", LogText.quote(e.getMessage()));
            lastFailed = true;
        }
        written.clear();
    }

    @Override
    public void close() {
        exec.shutdown();
        try {
            exec.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
