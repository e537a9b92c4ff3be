package org.calicojava.felix.dataplane;

import java.util.HashMap;
import java.util.Map;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.EndpointKey;
import org.calicojava.felix.calc.PersistentMap;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.Netlink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataplane: applies a {@link DesiredDataplane} in a safe order (policy through its {@link PolicyBackend}:
 * sets, filter and nat chains; then routes, on a thread of their own once the backend has every workload without
 * policy dropped, which into an empty nftables table is before its endpoints' half: see {@link #apply}), with the
 * per-interface sysctls written meanwhile on a thread of their own (they do not open any path), and reports each
 * local endpoint's state. A failed step is logged, read back at the next apply, and retried. Owned by the dataplane
 * thread.
 */
public final class Dataplane {
    private static final Logger LOG = LoggerFactory.getLogger(Dataplane.class);
    private volatile PolicyBackend policy; // read by the read-back thread too
    private final RouteManager routes;
    private final SysctlManager sysctls;
    private boolean needRefresh = true;
    private String iptablesError;
    /** Writes routes beside the policy's commit when the policy backend has the workloads guarded (see apply). */
    private final java.util.concurrent.ExecutorService routeWriter = oneThread("felix-routes");

    private final java.util.concurrent.ExecutorService sysctlWriter = oneThread("felix-sysctls");

    /** An executor of one daemon thread named {@code name}. */
    private static java.util.concurrent.ExecutorService oneThread(String name) {
        return java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    public Dataplane(Namespace ns, Netlink netlink, PolicyBackend policy, int routeProtocol) {
        this.sysctls = new SysctlManager(ns);
        this.policy = policy;
        this.routes = new RouteManager(netlink, routeProtocol);
    }

    public String policyBackend() {
        awaitTakeOver(); // the backend is chosen (and the other's leftovers removed) after the read-back
        return policy.name();
    }

    /** Switches the policy backend (before the first apply: on start, once the datastore's config is known). */
    public void usePolicyBackend(PolicyBackend b) {
        awaitTakeOver();
        policy = b;
        needRefresh = true;
    }

    /**
     * Starts {@link #refresh} on the sysctl thread (idle before the first apply) and returns: the start-up read-back
     * of what a previous run left runs while etcd is listed and the first calculation runs. Every other method but
     * {@link #readPolicy} (the periodic read-back's, which starts after the first apply) waits for it first.
     * {@code done} gets the drift; on an error {@code failed} gets it and the first apply reads again.
     */
    public void takeOverInBackground(
            java.util.function.IntConsumer done, java.util.function.Consumer<DataplaneException> failed) {
        takeOver = sysctlWriter.submit(() -> {
            try {
                globalSysctls(); // before the links are read: see SysctlManager.global
                done.accept(read());
                linksAtTakeOver = routes.links();
            } catch (DataplaneException e) {
                failed.accept(e);
            }
            return null;
        });
    }

    private java.util.concurrent.Future<?> takeOver;

    private void globalSysctls() {
        try {
            sysctls.global();
        } catch (RuntimeException e) { // retried with the first interfaces' sysctls
            LOG.warn("global forwarding sysctls: {}", e.toString());
        }
    }

    /** The links as the take-over read them (a persistent map: safe to read on the sysctl thread); null: unread. */
    private volatile PersistentMap<String, Link> linksAtTakeOver;

    /**
     * Before the first apply: queues the sysctls of {@code ifaces} (the local endpoints' interfaces as decoded from
     * the datastore, {@link org.calicojava.felix.calc.DatastoreState#localInterfaces}) on the sysctl thread behind
     * the take-over read, with the links it read. They then run beside the first calculation and policy transaction
     * instead of starting with the apply (at 10,000 new interfaces they took longer than the policy); the apply's own
     * sysctl step, which waits for this one, finds them done (an interface whose index changed meanwhile is done
     * again). Does nothing after the first apply, or when the take-over read failed.
     */
    public void sysctlsAhead(java.util.Set<String> ifaces) {
        if (presentFrom != null) {
            return;
        }
        sysctlWriter.submit(() -> {
            PersistentMap<String, Link> links = linksAtTakeOver;
            if (links == null) { // the read failed: the apply's step does them
                return null;
            }
            Map<String, Link> found = new HashMap<>();
            for (String i : ifaces) {
                Link l = links.get(i);
                if (l != null) {
                    found.put(i, l);
                }
            }
            try {
                sysctls.apply(found, found.keySet());
            } catch (RuntimeException e) { // nobody waits for this task: said here, retried by the apply's step
                LOG.warn("sysctls before the first apply: {} (the apply retries them)", e.toString());
            }
            return null;
        });
    }

    private void awaitTakeOver() {
        if (takeOver == null) {
            return;
        }
        try {
            takeOver.get();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("reading existing dataplane: {}", e.getCause().toString());
            needRefresh = true;
        } catch (InterruptedException e) { // stopping: the read-back is not waited for, nor left running
            takeOver.cancel(true);
            Thread.currentThread().interrupt();
            needRefresh = true;
        }
        takeOver = null;
    }

    /** Reads iptables, ipsets, links and routes back from the kernel; returns how many drifted objects it found. */
    public int refresh() {
        awaitTakeOver();
        return read();
    }

    private int read() {
        int drift = policy.refresh();
        routes.refresh();
        needRefresh = false;
        return drift;
    }

    /** Reads policy state back on any thread (null: the backend reads only synchronously, use {@link #refresh}). */
    public PolicyBackend.Snapshot readPolicy() {
        return policy.read();
    }

    /** Takes a {@link #readPolicy} result and re-reads routes; returns the drift, or -1 when the read was stale. */
    public int adoptPolicy(PolicyBackend.Snapshot snapshot) {
        awaitTakeOver();
        int drift = policy.adopt(snapshot);
        if (drift >= 0) {
            routes.refresh();
            needRefresh = false;
        }
        return drift;
    }

    /** Starts the sysctls of the interfaces of {@code d} present in {@code links} on the sysctl thread; its nanos. */
    private java.util.concurrent.Future<Long> sysctlsFor(DesiredDataplane d, PersistentMap<String, Link> links) {
        Map<String, Link> present = present(d, links);
        java.util.List<String> changed = presentChanged;
        return sysctlWriter.submit(() -> {
            long s0 = System.nanoTime();
            sysctls.apply(present, changed);
            return System.nanoTime() - s0;
        });
    }

    /** Waits for a {@link #sysctlsFor} task (null: none); its milliseconds, or -1 when it failed (logged). */
    private static long awaitSysctls(java.util.concurrent.Future<Long> f) {
        if (f == null) {
            return -1;
        }
        try {
            return f.get() / 1_000_000;
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.error("sysctls: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    /** Per-interface sysctl settings written so far (those the kernel already had are not counted). */
    long sysctlsWritten() {
        return sysctls.written();
    }

    /** Stops the sysctl and route threads (the dataplane stays as programmed). */
    public void close() {
        sysctlWriter.shutdownNow();
        routeWriter.shutdown(); // a route task already handed over still runs: the dataplane thread waits for it
    }

    /** Links may have changed in ways not announced one by one (an overrun): re-read them before the next apply. */
    public void linksChanged() {
        awaitTakeOver();
        routes.linksChanged();
    }

    /**
     * One announced link change ({@code removed}: gone), received at {@code receivedNanos}; returns whether it
     * changes anything for us.
     */
    public boolean linkEvent(boolean removed, Link l, long receivedNanos) {
        awaitTakeOver();
        return routes.linkEvent(removed, l, receivedNanos);
    }

    /**
     * Programs {@code d}; returns each local endpoint's state. The routes go in once the policy backend has the
     * workloads guarded ({@link PolicyBackend#apply(DesiredDataplane, Runnable)}): after the policy, or on the route
     * thread beside the second half of the first transaction into an empty nftables table.
     */
    public Map<EndpointKey, EndpointState> apply(DesiredDataplane d) {
        awaitTakeOver();
        iptablesError = null;
        long t0 = System.nanoTime();
        java.util.concurrent.Future<Long> sysctlNanos = null;
        routesBeside = null;
        routes.setDesired(d.routes());
        try {
            if (needRefresh) {
                refresh();
            }
            sysctlNanos = sysctlsFor(d, routes.currentLinks());
            policy.apply(d, this::startRoutes);
        } catch (DataplaneException e) {
            LOG.error("policy programming failed (will retry): {}", e.getMessage());
            iptablesError = e.getMessage();
            needRefresh = true;
        } catch (RuntimeException
                | Error e) { // unexpected: the other threads are done with our state before it changes
            awaitRoutes();
            awaitSysctls(sysctlNanos);
            throw e;
        }
        long t1 = System.nanoTime();
        // not started: the policy failed before the workloads were guarded (as before this change: routes after it)
        RouteResult r = routesBeside != null ? awaitRoutes() : applyRoutes();
        if (r.unexpected() != null) {
            awaitSysctls(sysctlNanos);
            throw r.unexpected();
        }
        String routeError = r.error();
        if (sysctlNanos == null) { // the refresh failed first: the interfaces as last read
            sysctlNanos = sysctlsFor(d, routes.links());
        }
        long sysctlMs = awaitSysctls(sysctlNanos);
        long t3 = System.nanoTime();
        if (t3 - t0 > 1_000_000_000L) {
            LOG.info(
                    "dataplane apply took {} ms: policy ({}) {} ms, routes {} ms from {} ms on, sysctls {} ms (alongside)",
                    (t3 - t0) / 1_000_000,
                    policy.name(),
                    (t1 - t0) / 1_000_000,
                    r.nanos() / 1_000_000,
                    (r.started() - t0) / 1_000_000,
                    sysctlMs);
        }
        return states(d, routeError);
    }

    /** The route thread's task of this apply (null: none started). */
    private volatile java.util.concurrent.Future<RouteResult> routesBeside;

    /** How a route apply ended: {@code error} a dataplane error (logged), {@code unexpected} anything else. */
    private record RouteResult(long started, long nanos, String error, RuntimeException unexpected) {}

    /** The policy backend's signal that the workloads are guarded: the routes start on the route thread. */
    private void startRoutes() {
        try {
            routesBeside = routeWriter.submit(this::applyRoutes);
        } catch (java.util.concurrent.RejectedExecutionException e) { // closed: after the policy, on this thread
            routesBeside = null;
        }
    }

    /** On the route thread: {@link RouteManager#apply}. */
    private RouteResult applyRoutes() {
        long r0 = System.nanoTime();
        try {
            routes.apply();
            return new RouteResult(r0, System.nanoTime() - r0, null, null);
        } catch (DataplaneException e) {
            LOG.error("route programming failed (will retry): {}", e.getMessage());
            return new RouteResult(r0, System.nanoTime() - r0, e.getMessage(), null);
        } catch (RuntimeException e) {
            return new RouteResult(r0, System.nanoTime() - r0, null, e);
        }
    }

    /** Waits for this apply's route task (none: an empty result). */
    private RouteResult awaitRoutes() {
        java.util.concurrent.Future<RouteResult> f = routesBeside;
        routesBeside = null;
        if (f == null) {
            return new RouteResult(System.nanoTime(), 0, null, null);
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) { // the routes thread still works on our state: wait it out
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    return new RouteResult(System.nanoTime(), 0, null, new IllegalStateException(e.getCause()));
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private PersistentMap<EndpointKey, EndpointState> states = PersistentMap.empty();
    private final Map<EndpointKey, String> ifaceOfKey = new HashMap<>();
    private Map<String, EndpointKey> statesFrom;
    private PersistentMap<String, Link> statesLinks;
    private boolean statesClean;

    /**
     * Each local endpoint's state (an immutable map): with the same links as last time and no error now or then, only
     * the interfaces that changed are looked at.
     */
    private Map<EndpointKey, EndpointState> states(DesiredDataplane d, String routeError) {
        boolean clean =
                iptablesError == null && routeError == null && routes.errors().isEmpty();
        Map<String, EndpointKey> ifaces = d.interfaces();
        PersistentMap.Builder<EndpointKey, EndpointState> b;
        if (statesFrom == null || !clean || !statesClean) {
            b = PersistentMap.<EndpointKey, EndpointState>empty().toBuilder();
            ifaceOfKey.clear();
            ifaces.forEach((i, k) -> {
                b.put(k, state(i, routeError));
                ifaceOfKey.put(k, i);
            });
        } else {
            b = states.toBuilder();
            java.util.List<String> changed = new java.util.ArrayList<>();
            PersistentMap.changedKeys(statesFrom, ifaces, changed::add);
            PersistentMap.changedKeys(statesLinks, routes.links(), changed::add); // links that came, went or changed
            for (String i : changed) { // first every old key (an endpoint may have moved to another interface)
                EndpointKey old = statesFrom.get(i);
                if (old != null) {
                    b.remove(old);
                    ifaceOfKey.remove(old);
                }
            }
            for (String i : changed) {
                EndpointKey now = ifaces.get(i);
                if (now != null) {
                    b.put(now, state(i, routeError));
                    ifaceOfKey.put(now, i);
                }
            }
        }
        states = b.build();
        statesFrom = ifaces;
        statesLinks = routes.links();
        statesClean = clean;
        return states;
    }

    /** The interface of a local endpoint as of the last apply (null: not local). */
    public String interfaceOf(EndpointKey k) {
        return ifaceOfKey.get(k);
    }

    /** {@link #present}: the desired interfaces that exist, as computed from these interfaces and links. */
    private final Map<String, Link> present = new HashMap<>();

    private Map<String, EndpointKey> presentFrom;
    private PersistentMap<String, Link> presentLinks;
    /** The names {@link #present} looked at in its last call (null: all of them). */
    private java.util.List<String> presentChanged;

    /**
     * The desired interfaces that exist in {@code links}, with their links: only the interfaces that changed (in
     * the model or among the links) since the last call are looked at. The map is reused (read by the sysctl thread until it is done).
     */
    private Map<String, Link> present(DesiredDataplane d, PersistentMap<String, Link> links) {
        Map<String, EndpointKey> ifaces = d.interfaces();
        java.util.function.Consumer<String> update = i -> {
            Link l = ifaces.containsKey(i) ? links.get(i) : null;
            if (l != null) {
                present.put(i, l);
            } else {
                present.remove(i);
            }
        };
        if (presentFrom == null) {
            present.clear();
            ifaces.keySet().forEach(update);
            presentChanged = null;
        } else {
            java.util.List<String> changed = new java.util.ArrayList<>();
            PersistentMap.changedKeys(presentFrom, ifaces, changed::add);
            PersistentMap.changedKeys(presentLinks, links, changed::add);
            changed.forEach(update);
            presentChanged = changed;
        }
        presentFrom = ifaces;
        presentLinks = links;
        return present;
    }

    private EndpointState state(String iface, String routeError) {
        Link l = routes.links().get(iface);
        if (l == null) {
            return new EndpointState("down", "interface " + iface + " missing");
        }
        if (!l.isUp()) {
            return new EndpointState("down", "interface " + iface + " down");
        }
        String err = iptablesError != null
                ? iptablesError
                : routeError != null ? routeError : routes.errors().get(iface);
        return err == null ? EndpointState.UP : new EndpointState("error", err);
    }

    /** Whether the last apply left something to retry. */
    public boolean failed() {
        return needRefresh || iptablesError != null || routes.needsRetry();
    }

    /** Endpoint routes refused now because another protocol's route has their destination. */
    public int routeConflicts() {
        return routes.conflictCount();
    }

    public int ipsetCount() {
        return policy.setCount();
    }
}
