package org.calicojava.felix.agent;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.dataplane.Dataplane;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.felix.dataplane.NftKernel;
import org.calicojava.felix.encap.EncapState;
import org.calicojava.felix.encap.IpipManager;
import org.calicojava.felix.encap.IpipPolicy;
import org.calicojava.felix.encap.VxlanAllocator;
import org.calicojava.felix.encap.VxlanDataplane;
import org.calicojava.felix.encap.VxlanMode;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.netlink.EventGroup;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.NetlinkEvent;
import org.calicojava.netlink.NetlinkEvents;
import org.calicojava.netlink.NetlinkListener;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.ListResult;
import org.calicojava.store.WatchEvent;
import org.calicojava.store.WatchableStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The felix agent: a full sync from etcd, then the watch; every batch of updates is applied to the
 * {@link DatastoreState}, recalculated and programmed. All of that happens on one thread, "felix-dataplane"
 * fed by a queue from the watch, the netlink link events and the refresh timer; the dataplane is the given
 * {@link Namespace}'s. A datastore outage leaves the dataplane as it is; a bad record is skipped (one line per key
 * at most every 10 minutes, counted in {@code felix_datastore_invalid_records}). Nothing kills the thread silently:
 * an unexpected exception while applying a key quarantines that key (removed from the state, logged, counted in
 * {@code felix_quarantined_keys}); calculation or programming that throws unexpectedly
 * {@value #MAX_PROGRAM_FAILURES} times in a row, or anything escaping the loop, ends the thread and calls the
 * {@code exit} callback with {@value #EXIT_CODE} (Main: the process exits and its supervisor restarts it).
 * {@code /liveness} is 200 only while the thread runs and is not stuck.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /** Unexpected failures of calculation/programming in a row after which the state is not trusted. */
    static final int MAX_PROGRAM_FAILURES = Retries.MAX_FAILURES;
    /** Exit code handed to the exit callback when the dataplane thread gives up. */
    public static final int EXIT_CODE = 70;
    /** A loop iteration (or a read-back) running longer than this makes /liveness fail. */
    static final long STUCK_NANOS = 120_000_000_000L;

    private final WatchableStore store;
    private final Keys keys;
    private final String hostname;
    private final Map<String, String> env;
    private final Namespace ns;
    private Netlink netlink;
    private NftKernel nftKernel;
    private final Metrics metrics = new Metrics();
    private final BlockingQueue<Work> queue = new LinkedBlockingQueue<>();
    private final DatastoreState state;
    /** Encapsulation's view of hosts, tunnel records and block affinities (extra prefixes, watched too). */
    private final EncapState encap;

    private VxlanMode vxlan;
    private final ExtraWatches extraWatches = new ExtraWatches();
    private final Map<String, Long> extraRevisions = new java.util.HashMap<>();
    private final ProblemLog problems = new ProblemLog(LOG);
    private final KeyIntake keysIn;
    private final Programmer programmer;
    private final Refresher refresher;
    private Dataplane dataplane;
    private StatusReporter status;
    private volatile WatchableStore.Watch watch;
    private NetlinkEvents linkEvents;
    private HealthServer health;
    private HTTPServer metricsServer;
    private IpipManager ipip;
    private Thread thread;
    private volatile boolean ready;
    private volatile long busySince;
    private volatile boolean stopping;

    private final IntConsumer exit;
    private final Retries retries = new Retries(metrics);
    private volatile boolean dead;

    public Agent(WatchableStore store, Keys keys, String hostname, Map<String, String> env, Namespace ns) {
        this(store, keys, hostname, env, ns, code -> {});
    }

    /** {@code exit} is called (on the dataplane thread, once) when the agent can no longer trust its state. */
    public Agent(
            WatchableStore store, Keys keys, String hostname, Map<String, String> env, Namespace ns, IntConsumer exit) {
        this.exit = exit;
        this.store = store;
        this.keys = keys;
        this.hostname = hostname;
        this.env = Map.copyOf(env);
        this.ns = ns;
        this.state = new DatastoreState(keys, hostname);
        this.encap = new EncapState(keys);
        this.keysIn = new KeyIntake(state, encap, metrics, problems);
        this.programmer = new Programmer(env, state, ns, metrics, problems);
        this.refresher =
                new Refresher(() -> dataplane, () -> programmer.config().refreshInterval(), metrics, queue::add);
    }

    /** Starts the agent's threads; returns at once. */
    public synchronized void start() {
        netlink = ns.openNetlink();
        nftKernel = new NftKernel(ns);
        FelixConfig config = programmer.config();
        dataplane = new Dataplane(ns, netlink, programmer.policyBackend(nftKernel), config.routeProtocol());
        vxlan = new VxlanMode(
                hostname,
                encap,
                new VxlanAllocator(store, keys, hostname),
                new VxlanDataplane(netlink, config.routeProtocol()),
                metrics::gauge);
        status = new StatusReporter(store, keys, hostname, config.endpointReporting());
        if (config.healthPort() != 0) {
            health = ns.run(
                    () -> HealthServer.health(config.healthHost(), config.healthPort(), this::live, () -> ready));
        }
        if (config.metricsPort() != 0) {
            metricsServer = ns.run(() -> metrics.serve(config.metricsHost(), config.metricsPort()));
        }
        linkEvents = ns.subscribe(Set.of(EventGroup.LINK), new NetlinkListener() {
            @Override
            public void onEvent(NetlinkEvent event) {
                if (event instanceof NetlinkEvent.LinkEvent l
                        && l.link().name() != null
                        && (l.link().name().startsWith(programmer.config().interfacePrefix())
                                || l.link()
                                        .name()
                                        .startsWith("vxlan"))) { // vxlan.calico, vxlan-v6.calico: repaired at once
                    queue.add(new Work.LinkChange(
                            l.change() == NetlinkEvent.Change.REMOVED, l.link(), System.nanoTime()));
                }
            }

            @Override
            public void onOverrun() {
                queue.add(Work.Signal.LINKS);
            }
        });
        ipip = new IpipManager(store, keys, hostname, ns, () -> queue.add(Work.Signal.ENCAP), Duration.ofSeconds(2));
        IpipPolicy ipipPolicy = new IpipPolicy();
        programmer.addAddition(d -> ipipPolicy.apply(d, ipip.state()));
        ipip.start();
        thread = new Thread(this::run, "felix-dataplane");
        thread.setDaemon(true);
        thread.start();
        LOG.info("felix-agent started for host {} in {} (etcd {})", hostname, ns.describe(), store.endpoint());
    }

    private void run() {
        try {
            takeOver();
            long rev = initialSync();
            if (rev < 0) {
                return;
            }
            watch = store.watch(state.prefix(), rev + 1, new WatchFeed(queue::add));
            extraWatches.start(store, extraRevisions, queue::add);
            loop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) { // nothing ends this thread silently
            if (!stopping) {
                fatal("dataplane thread failed: " + e, e);
            }
        }
    }

    /** The state cannot be trusted any more: one line, the thread ends, the process is asked to exit. */
    private void fatal(String why, Throwable e) {
        dead = true;
        ready = false;
        LOG.error("felix-agent giving up ({}), exiting with {} for a restart", LogText.quote(why), EXIT_CODE, e);
        exit.accept(EXIT_CODE);
    }

    /**
     * Reads the kernel's current state so the first apply changes only what differs (no flush); in the background,
     * while the initial sync lists etcd and calculates (the first apply waits for it).
     */
    private void takeOver() {
        dataplane.takeOverInBackground(
                drift -> LOG.info(
                        "took over existing dataplane ({} objects differ from what a previous run wrote)", drift),
                e -> LOG.warn("reading existing dataplane: {}", e.getMessage()));
    }

    /** Lists /calico/v1 until it works; returns the revision, or -1 when stopped first. */
    private long initialSync() throws InterruptedException {
        while (!stopping) {
            try {
                long t0 = System.nanoTime();
                busySince = t0; // decoding happens during the listing, page by page
                KeyIntake.Listing listing = keysIn.listing(); // decoded page by page while the next page comes
                long revision = store.list(state.prefix(), listing);
                long t1 = System.nanoTime();
                dataplane.sysctlsAhead(
                        state.localInterfaces(programmer.interfacePrefix())); // beside the calculation, not after it
                for (String prefix : encap.extraPrefixes()) {
                    ListResult extra = store.list(prefix);
                    keysIn.resyncPrefix(prefix, extra);
                    extraRevisions.put(prefix, extra.revision());
                }
                if (!safeProgram(t0)) {
                    busySince = 0;
                    if (!pause()) {
                        return -1;
                    }
                    continue;
                }
                busySince = 0;
                ready = true;
                LOG.info(
                        "initial sync: {} keys at revision {}, {} local endpoints programmed in {} ms (list {} ms,"
                                + " of it decoding page by page {} ms; calculate and program {} ms)",
                        listing.keys(),
                        revision,
                        programmer.localEndpoints(),
                        (System.nanoTime() - t0) / 1_000_000,
                        (t1 - t0) / 1_000_000,
                        listing.nanos() / 1_000_000,
                        (System.nanoTime() - t1) / 1_000_000);
                return revision;
            } catch (DatastoreException e) {
                problems.report("datastore: " + e.getMessage() + " (retrying initial sync)");
                if (!pause()) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /**
     * Waits up to a second between tries of the initial sync; false when stopped. A link event taken off the queue
     * meanwhile is not lost: the links are read again before the next try programs.
     */
    private boolean pause() throws InterruptedException {
        Work w = queue.poll(1, TimeUnit.SECONDS);
        if (w instanceof Work.LinkChange || w == Work.Signal.LINKS) {
            dataplane.linksChanged();
        }
        return w != Work.Signal.STOP;
    }

    private void loop() throws InterruptedException {
        while (!stopping) {
            try {
                if (!iteration()) {
                    return;
                }
            } catch (RuntimeException e) { // caught at the loop: counted with programming failures
                busySince = 0;
                countFailure("dataplane loop", e);
            }
        }
    }

    /** One turn of the loop: waits for work, applies it, programs; false when stopped. */
    private boolean iteration() throws InterruptedException {
        {
            long wait = Math.max(
                    1,
                    Math.min(
                            refresher.nextIn(),
                            status.hostReportIn(programmer.config().reportingInterval())));
            if (dataplane.failed() || vxlan.failed() || retries.failing()) {
                wait = Math.max(1, Math.min(wait, retries.retryInMs()));
            }
            Work first = queue.poll(wait, TimeUnit.MILLISECONDS);
            busySince = System.nanoTime();
            List<Work> batch = new ArrayList<>();
            if (first != null) {
                batch.add(first);
                queue.drainTo(batch);
            }
            boolean changed = false;
            long oldest = Long.MAX_VALUE;
            for (Work o : batch) {
                if (o == Work.Signal.STOP) {
                    return false;
                } else if (o == Work.Signal.LINKS) {
                    dataplane.linksChanged();
                    vxlan.refresh();
                    changed = true;
                } else if (o instanceof Work.LinkChange l) { // O(1) per event: that link's routes and state only
                    changed |= dataplane.linkEvent(l.removed(), l.link(), l.receivedNanos());
                    if (l.link().name().startsWith("vxlan")) {
                        vxlan.refresh();
                        changed = true;
                    }
                } else if (o == Work.Signal.ENCAP) {
                    changed = true;
                } else if (o instanceof Work.Updates u) {
                    for (WatchEvent e : u.events()) {
                        changed |= keysIn.apply(e.key(), e.type() == WatchEvent.Type.PUT ? e.value() : null);
                        ipip.onKey(e.key());
                    }
                    oldest = Math.min(oldest, u.receivedNanos());
                } else if (o instanceof Work.PrefixResync r) {
                    keysIn.resyncPrefix(r.prefix(), r.snapshot()); // logged; felix_resyncs counts /calico/v1's
                    changed = true;
                    oldest = Math.min(oldest, r.receivedNanos());
                } else if (o instanceof Work.Resync r) {
                    keysIn.resync(r.snapshot());
                    metrics.inc("felix_resyncs");
                    changed = true;
                    oldest = Math.min(oldest, r.receivedNanos());
                }
            }
            for (Work o : batch) {
                if (o instanceof Work.ReadBack r) {
                    refresher.adopt(r);
                    vxlan.refresh(); // the periodic drift check: VXLAN's entries are read back too
                    changed = true;
                } else if (o == Work.Signal.REFRESH_INLINE) {
                    refresher.refreshNow();
                    vxlan.refresh();
                    changed = true;
                }
            }
            if (refresher.maybeStart()) {
                changed = true;
            }
            boolean retry = (dataplane.failed() || vxlan.failed() || retries.failing()) && retries.retryDue();
            if (changed || retry) {
                boolean ok = safeProgram(oldest == Long.MAX_VALUE ? System.nanoTime() : oldest);
                if (!ok || dataplane.failed() || vxlan.failed()) {
                    retries.backOff();
                } else {
                    retries.healthy();
                }
            }
            status.hostIfDue(programmer.config().reportingInterval());
            busySince = 0;
        }
        return true;
    }

    /**
     * {@link Programmer#program}, counting unexpected failures: one is logged and retried (the calculator starts afresh); the
     * {@value #MAX_PROGRAM_FAILURES}th in a row is fatal. Returns whether it completed.
     */
    private boolean safeProgram(long since) {
        try {
            programmer.program(since, dataplane, nftKernel, status, refresher);
            vxlan.program(state.pools().values(), state.endpoints(), state.endpointChanges());
            retries.completed();
            return true;
        } catch (RuntimeException e) {
            countFailure("calculation/programming", e);
            return false;
        }
    }

    /** Counts one unexpected failure ({@link Retries}); the {@value #MAX_PROGRAM_FAILURES}th in a row throws. */
    private void countFailure(String what, RuntimeException e) {
        retries.failed(what, e);
    }

    /**
     * The truth for /liveness: the dataplane thread runs (it has not given up), no loop iteration has taken longer
     * than {@link #STUCK_NANOS}, no read-back has been running for 10 minutes, and the status thread is not stuck.
     */
    boolean live() {
        long now = System.nanoTime();
        long b = busySince;
        return !dead
                && thread != null
                && thread.isAlive()
                && (b == 0 || now - b < STUCK_NANOS)
                && !refresher.stuck(now)
                && (status == null || !status.stuck());
    }

    public boolean ready() {
        return ready;
    }

    public Metrics metrics() {
        return metrics;
    }

    public int healthPort() {
        return health == null ? 0 : health.port();
    }

    /** Stops threads, the watch and the HTTP servers; the dataplane stays as programmed. */
    @Override
    public synchronized void close() {
        stopping = true;
        queue.add(Work.Signal.STOP);
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (watch != null) {
            watch.close(); // once: PrefixWatch.close is not idempotent
            watch = null;
        }
        extraWatches.close();
        if (linkEvents != null) {
            linkEvents.close();
        }
        if (ipip != null) {
            ipip.close();
        }
        if (health != null) {
            health.close();
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        if (status != null) {
            status.close();
        }
        if (dataplane != null) {
            dataplane.close();
        }
        if (netlink != null) {
            netlink.close();
        }
        if (nftKernel != null) {
            nftKernel.close();
        }
        LOG.info("felix-agent stopped (dataplane left as programmed)");
    }
}
