package org.calicojava.bgp.kernel;

import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.rib.KernelConfig;
import org.calicojava.bgp.rib.Rib;
import org.calicojava.bgp.session.LogLimiter;
import org.calicojava.netlink.AlreadyExistsException;
import org.calicojava.netlink.Batch;
import org.calicojava.netlink.BatchException;
import org.calicojava.netlink.EventGroup;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.NetlinkEvent;
import org.calicojava.netlink.NetlinkEvents;
import org.calicojava.netlink.NetlinkException;
import org.calicojava.netlink.NetlinkListener;
import org.calicojava.netlink.NextHop;
import org.calicojava.netlink.NotFoundException;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.RouteFilter;
import org.calicojava.netlink.RouteType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * The speaker's kernel routes through netlink, on one thread ("kernel") that owns all the state below.
 * <ul>
 * <li>Best routes from the RIB ({@link #set}) are queued per prefix (the latest wins) and applied in netlink batches
 * (one datagram per up to 1,024 requests): added when new (NLM_F_EXCL), replaced only when the route there is ours,
 * deleted on withdraw (deletes match our protocol, so they never remove another owner's route).</li>
 * <li>Next hops are resolved from a {@link RouteView} of the table's routes that are not ours, built by one dump at
 * start and kept current by netlink route events, re-dumped after an event overrun or a link going down (IPv4 flushes
 * routes of a downed link without events). Each distinct next hop's resolution is cached; when a route event changes
 * it, every route using that next hop is replaced with the new resolution (so an installed route follows its
 * connected or static route).</li>
 * <li>Never replace or delete a route we do not own: a prefix for which another protocol has a route in the table is
 * not installed (nor replaced: NLM_F_REPLACE matches destination and metric, not protocol), with a rate-limited log
 * line; if such a route appears where ours is, ours is deleted; when it goes away, ours is installed again.</li>
 * <li>Blackhole routes for the originated blocks, under the same rule.</li>
 * <li>Routes of the learned protocols (felix's workload routes) are reported to the RIB, event-driven.</li>
 * </ul>
 * Leftover routes of our protocol from a previous run stay until {@link #sweepLeftovers()} (no flush at start).
 */
public final class KernelSync implements Rib.KernelPort, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KernelSync.class);
    /** Requests per batch: failures of a batch are all mapped back to their prefix (netlink keeps the first 1,000). */
    private static final int BATCH = 1000;
    /** How long a table read after an overrun may wait for queued changes of ours to be applied first. */
    private static final long MAX_RESYNC_DELAY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final KernelConfig cfg;
    private final Metrics metrics;
    private final LogLimiter logLimiter;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kernel");
        t.setDaemon(true);
        return t;
    });
    /** Written by the RIB's thread, drained by the kernel thread; an empty list = withdraw. */
    private final ConcurrentHashMap<Prefix, List<InetAddress>> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean resyncScheduled = new AtomicBoolean();
    /** Interfaces that are up (ifindex), kept by the event reader thread. */
    private final Map<Integer, Boolean> linksUp = new ConcurrentHashMap<>();
    private Netlink nl;
    private NetlinkEvents events;
    // ---- kernel thread only
    private final RouteView view = new RouteView();
    private final Map<Prefix, Entry> entries = new HashMap<>();
    private final Map<InetAddress, Resolved> resolutions = new HashMap<>();
    private final Map<Prefix, Route> leftovers = new HashMap<>();
    private final Set<Prefix> learned = new HashSet<>();
    private final Map<Prefix, Route> blackholes = new HashMap<>();
    private Set<Prefix> wantedBlackholes = Set.of();
    private BiConsumer<Prefix, Boolean> learner;
    private long resyncs;
    /** Route requests the kernel has answered so far (add, replace, delete; for progress and metrics). */
    private final java.util.concurrent.atomic.AtomicLong requestsDone = new java.util.concurrent.atomic.AtomicLong();
    /** When a wanted table read was first put off for queued changes (System.nanoTime), 0 when none is. */
    private long resyncDeferredSince;

    /** What the RIB wants for a prefix, and what of it is in the kernel (null: nothing of ours). */
    private static final class Entry {
        List<InetAddress> hops;
        List<NextHop> installed;
    }

    /** One next hop's current resolution and how many entries use it. */
    private static final class Resolved {
        NextHop via;
        int refs;
    }

    public KernelSync(KernelConfig cfg, Metrics metrics) {
        this(cfg, metrics, new LogLimiter());
    }

    public KernelSync(KernelConfig cfg, Metrics metrics, LogLimiter logLimiter) {
        this.cfg = cfg;
        this.metrics = metrics;
        this.logLimiter = logLimiter;
    }

    /** Opens netlink in the calling thread's namespace, records leftovers, subscribes to events, dumps the table once. */
    public void start(BiConsumer<Prefix, Boolean> learner) {
        this.learner = learner;
        nl = Netlink.open();
        for (Route r : nl.routes(RouteFilter.all().withTable(cfg.table()).withProtocol(cfg.protocol()))) {
            leftovers.put(prefix(r.dst()), r);
        }
        log.info("kernel: table {} protocol {}: {} routes from a previous run kept until reconciled", cfg.table(),
                cfg.protocol(), leftovers.size());
        for (var l : nl.links()) {
            if (l.isUp()) {
                linksUp.put(l.index(), Boolean.TRUE);
            }
        }
        events = NetlinkEvents.subscribe(EnumSet.of(EventGroup.IPV4_ROUTE, EventGroup.IPV6_ROUTE, EventGroup.LINK),
                new NetlinkListener() {
                    @Override public void onEvent(NetlinkEvent e) {
                        if (e instanceof NetlinkEvent.RouteEvent re) {
                            Route r = re.route();
                            if (r.table() != cfg.table() || r.protocol() == cfg.protocol()) {
                                return;  // our own changes (a million during a full table load) are not queued
                            }
                            boolean present = re.change() == NetlinkEvent.Change.ADDED;
                            thread.execute(() -> onOtherRoute(r, present));
                        } else if (e instanceof NetlinkEvent.LinkEvent le) {
                            // IPv4 drops the routes of a downed link without telling: read the table again when a
                            // link that was up goes down or away (not for links created down, e.g. felix's veths)
                            boolean up = le.change() == NetlinkEvent.Change.ADDED && le.link().isUp();
                            Boolean was = up ? linksUp.put(le.link().index(), Boolean.TRUE)
                                    : linksUp.remove(le.link().index());
                            if (!up && was != null) {
                                scheduleResync();
                            }
                        }
                    }

                    @Override public void onOverrun() { scheduleResync(); }
                });
        thread.execute(this::resync);
    }

    // ---- the RIB's side

    @Override public void set(Prefix p, List<InetAddress> hops) {
        pending.put(p, List.copyOf(hops));
        if (drainScheduled.compareAndSet(false, true)) {
            thread.execute(this::drain);
        }
    }

    /** Applies everything queued so far (kernel thread). */
    private void drain() {
        drainScheduled.set(false);
        Applier a = new Applier();
        try {
            for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                Prefix p = e.getKey();
                List<InetAddress> hops = e.getValue();
                if (!pending.remove(p, hops)) {
                    continue;  // replaced meanwhile: the newer value is applied in this or the next drain
                }
                want(p, hops, a);
            }
        } finally {
            a.finish();
        }
        if (resyncDeferredSince != 0 && (pending.isEmpty()
                || System.nanoTime() - resyncDeferredSince >= MAX_RESYNC_DELAY_NANOS)) {
            resync();
        }
    }

    private void want(Prefix p, List<InetAddress> hops, Applier a) {
        Entry e = entries.get(p);
        if (hops.isEmpty()) {
            if (e == null) {
                Route left = leftovers.remove(p);
                if (left != null) {
                    a.delete(p, left);
                }
                return;
            }
            entries.remove(p);
            release(e.hops);
            if (e.installed != null) {
                a.delete(p, route(p, e.installed));
            }
            return;
        }
        if (e == null) {
            e = new Entry();
            entries.put(p, e);
        } else if (e.hops.equals(hops)) {
            return;
        } else {
            release(e.hops);
        }
        e.hops = hops;
        for (InetAddress h : hops) {
            Resolved r = resolutions.get(h);
            if (r == null) {
                r = new Resolved();
                r.via = view.resolve(h);
                resolutions.put(h, r);
            }
            r.refs++;
        }
        reconcile(p, e, a);
    }

    private void release(List<InetAddress> hops) {
        for (InetAddress h : hops) {
            Resolved r = resolutions.get(h);
            if (r != null && --r.refs <= 0) {
                resolutions.remove(h);
            }
        }
    }

    /** Brings the kernel's route for {@code p} to what {@code e} and the view say. */
    private void reconcile(Prefix p, Entry e, Applier a) {
        IpPrefix dst = ipPrefix(p);
        int owner = view.owner(dst);
        if (owner >= 0) {
            // a leftover of ours stays listed: sweepLeftovers deletes it (by our protocol, never theirs) if still there
            if (e.installed != null) {
                a.delete(p, route(p, e.installed));
                e.installed = null;
            }
            refused(p, owner);
            return;
        }
        List<NextHop> target = new ArrayList<>(e.hops.size());
        for (InetAddress h : e.hops) {
            target.add(resolutions.get(h).via);
        }
        if (target.equals(e.installed)) {
            return;
        }
        boolean ours = e.installed != null || leftovers.remove(p) != null;
        e.installed = List.copyOf(target);
        a.put(p, route(p, e.installed), ours);
    }

    private void refused(Prefix p, int owner) {
        long suppressed = logLimiter.admit("kernel", "another owner");
        if (suppressed >= 0) {
            log.warn("kernel: route {}: a route of another owner{} is there: ours not installed, theirs not replaced{}",
                    p, owner >= 0 ? " (protocol " + owner + ")" : "", logLimiter.suffix(suppressed));
        }
    }

    private Route route(Prefix p, List<NextHop> hops) {
        Route.Builder b = Route.builder(ipPrefix(p)).table(cfg.table()).protocol(cfg.protocol());
        hops.forEach(b::nextHop);
        return b.build();
    }

    // ---- the kernel's side

    /** A route of another owner appeared, changed or went (kernel thread). */
    private void onOtherRoute(Route r, boolean present) {
        if (r.type() == RouteType.UNICAST && cfg.learnProtocols().contains(r.protocol())) {
            learn(prefix(r.dst()), present);
        }
        if (!view.apply(r, present)) {
            return;
        }
        Applier a = new Applier();
        try {
            Prefix p = prefix(r.dst());
            Entry e = entries.get(p);
            if (e != null) {
                reconcile(p, e, a);
            }
            Route bh = blackholes.get(p);
            if (bh != null || wantedBlackholes.contains(p)) {
                syncBlackhole(p);
            }
            reresolve(a, r.dst());
        } finally {
            a.finish();
        }
    }

    /** Recomputes the cached resolutions (those inside {@code within}, or all for null) and re-installs their users. */
    private void reresolve(Applier a, IpPrefix within) {
        Set<InetAddress> changed = new HashSet<>();
        for (var e : resolutions.entrySet()) {
            if (within != null && !contains(within, e.getKey())) {
                continue;
            }
            NextHop now = view.resolve(e.getKey());
            if (!now.equals(e.getValue().via)) {
                e.getValue().via = now;
                changed.add(e.getKey());
            }
        }
        if (changed.isEmpty()) {
            return;
        }
        int n = 0;
        for (var e : entries.entrySet()) {
            for (InetAddress h : e.getValue().hops) {
                if (changed.contains(h)) {
                    reconcile(e.getKey(), e.getValue(), a);
                    n++;
                    break;
                }
            }
        }
        log.info("kernel: {} next hops resolve differently now: {} routes re-installed", changed.size(), n);
    }

    private void scheduleResync() {
        if (resyncScheduled.compareAndSet(false, true)) {
            thread.execute(this::resync);
        }
    }

    /**
     * One dump: the view again, the learned routes, and ours checked against what we think is installed. While changes
     * of ours are queued (a full table load, whose own events are what overruns the event socket) the dump waits until
     * they are applied, at most {@link #MAX_RESYNC_DELAY_NANOS}: one dump after the load instead of one per overrun.
     */
    private void resync() {
        resyncScheduled.set(false);
        if (!pending.isEmpty()) {
            if (resyncDeferredSince == 0) {
                resyncDeferredSince = System.nanoTime();
            }
            if (System.nanoTime() - resyncDeferredSince < MAX_RESYNC_DELAY_NANOS) {
                return;  // drain() calls again once the queue is empty (a drain is queued: pending is not empty)
            }
        }
        resyncDeferredSince = 0;
        List<Route> table = nl.routes(RouteFilter.all().withTable(cfg.table()));
        view.clear();
        Set<Prefix> now = new HashSet<>();
        Set<IpPrefix> oursThere = new HashSet<>();
        for (Route r : table) {
            if (r.protocol() == cfg.protocol()) {
                oursThere.add(r.dst());
                continue;
            }
            view.apply(r, true);
            if (r.type() == RouteType.UNICAST && cfg.learnProtocols().contains(r.protocol())) {
                now.add(prefix(r.dst()));
            }
        }
        for (Prefix p : List.copyOf(learned)) {
            if (!now.contains(p)) {
                learn(p, false);
            }
        }
        for (Prefix p : now) {
            learn(p, true);
        }
        Applier a = new Applier();
        try {
            int lost = 0;
            for (var e : entries.entrySet()) {
                Entry en = e.getValue();
                if (en.installed != null && !oursThere.contains(ipPrefix(e.getKey()))) {
                    en.installed = null;  // gone behind our back (a link went down, someone deleted it)
                    lost++;
                }
            }
            reresolve(a, null);  // first, so what is installed below uses the new view
            for (var e : entries.entrySet()) {
                Entry en = e.getValue();
                if (en.installed == null || view.owner(ipPrefix(e.getKey())) >= 0) {
                    reconcile(e.getKey(), en, a);
                }
            }
            for (Prefix p : Set.copyOf(blackholes.keySet())) {
                if (!oursThere.contains(ipPrefix(p))) {
                    blackholes.remove(p);
                }
            }
            for (Prefix p : wantedBlackholes) {
                syncBlackhole(p);
            }
            resyncs++;
            log.info("kernel: table {} read: {} routes of other owners, {} of ours; {} of ours were missing and are"
                    + " installed again", cfg.table(), view.size(), oursThere.size(), lost);
        } finally {
            a.finish();
        }
    }

    private void learn(Prefix p, boolean present) {
        if (present ? learned.add(p) : learned.remove(p)) {
            learner.accept(p, present);
        }
    }

    // ---- blackholes

    /** Installs blackhole routes for {@code blocks} and removes ours for blocks no longer listed. */
    public void blackholes(Set<Prefix> blocks) {
        Set<Prefix> wanted = Set.copyOf(blocks);
        thread.execute(() -> {
            wantedBlackholes = wanted;
            for (Prefix p : Set.copyOf(blackholes.keySet())) {
                if (!wanted.contains(p)) {
                    deleteNow(blackholes.remove(p));
                }
            }
            for (Prefix p : wanted) {
                syncBlackhole(p);
            }
        });
    }

    private void syncBlackhole(Prefix p) {
        Route ours = blackholes.get(p);
        int owner = view.owner(ipPrefix(p));
        if (!wantedBlackholes.contains(p) || owner >= 0) {
            if (ours != null) {
                deleteNow(blackholes.remove(p));
            }
            if (owner >= 0 && wantedBlackholes.contains(p)) {
                refused(p, owner);
            }
            return;
        }
        if (ours != null) {
            return;
        }
        Route r = Route.builder(ipPrefix(p)).type(RouteType.BLACKHOLE).table(cfg.table()).protocol(cfg.protocol()).build();
        try {
            if (leftovers.remove(p) != null) {
                nl.replaceRoute(r);
            } else {
                nl.addRoute(r);
            }
            blackholes.put(p, r);
        } catch (AlreadyExistsException e) {
            refused(p, -1);
        } catch (NetlinkException e) {
            log.warn("kernel: blackhole {}: {}", p, e.getMessage());
        }
    }

    private void deleteNow(Route r) {
        try {
            nl.deleteRoute(r);
        } catch (NotFoundException e) {
            // already gone
        } catch (NetlinkException e) {
            log.warn("kernel: delete {}: {}", r.dst(), e.getMessage());
        }
    }

    /** Deletes routes of our protocol left from a previous run that the RIB did not install again. */
    public void sweepLeftovers() {
        thread.execute(() -> {
            int n = leftovers.size();
            for (Route r : leftovers.values()) {
                try {
                    nl.deleteRoute(r);
                } catch (NetlinkException e) {
                    log.debug("kernel: leftover {}: {}", r.dst(), e.getMessage());
                }
            }
            leftovers.clear();
            if (n > 0) {
                log.info("kernel: removed {} routes of a previous run that are no longer wanted", n);
            }
        });
    }

    // ---- reading the state (for status, tests and the bench)

    /** Our routes now (blackholes included), read on the kernel thread (changes still queued are not applied: {@link #sync}). */
    public Map<Prefix, Route> installed() {
        try {
            return thread.submit(() -> {
                Map<Prefix, Route> m = new HashMap<>(blackholes);
                entries.forEach((p, e) -> {
                    if (e.installed != null) {
                        m.put(p, route(p, e.installed));
                    }
                });
                return Map.copyOf(m);
            }).get();
        } catch (Exception e) {
            return Map.of();
        }
    }

    /** Waits until everything queued before this call is applied; returns how many routes of ours are installed. */
    public int sync() throws InterruptedException {
        try {
            return thread.submit(() -> {
                if (!pending.isEmpty()) {
                    drain();
                }
                int n = blackholes.size();
                for (Entry e : entries.values()) {
                    if (e.installed != null) {
                        n++;
                    }
                }
                return n;
            }).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Route requests the kernel has answered so far; readable from any thread without waiting. */
    public long requestsDone() { return requestsDone.get(); }

    /** How many times the table was read whole (at start, after overruns and links going down). */
    public long resyncs() {
        try {
            return thread.submit(() -> resyncs).get();
        } catch (Exception e) {
            return -1;
        }
    }

    // ---- batching

    /** Collects changes into netlink batches of {@link #BATCH}; a failed request un-marks its prefix. */
    private final class Applier {
        private Batch batch;
        private final Prefix[] prefixes = new Prefix[BATCH];
        private final String[] ops = new String[BATCH];
        private int n;
        private long t0;

        void put(Prefix p, Route r, boolean ours) {
            open();
            if (ours) {
                batch.replaceRoute(r);
            } else {
                batch.addRoute(r);
            }
            record(p, ours ? "replace" : "add");
        }

        void delete(Prefix p, Route r) {
            open();
            batch.deleteRoute(r);
            record(p, "delete");
        }

        private void open() {
            if (batch == null) {
                batch = nl.batch();
                t0 = System.nanoTime();
            }
        }

        private void record(Prefix p, String op) {
            prefixes[n] = p;
            ops[n] = op;
            if (++n == BATCH) {
                finish();
            }
        }

        void finish() {
            if (batch == null) {
                return;
            }
            Batch b = batch;
            batch = null;
            try {
                b.finish();
            } catch (BatchException e) {
                for (BatchException.Failure f : e.failures()) {
                    failed(prefixes[(int) f.index()], ops[(int) f.index()], f.error());
                }
            } catch (NetlinkException e) {
                log.warn("kernel: batch of {} route changes: {}", n, e.getMessage());
                scheduleResync();  // outcome unknown: read the table again
            } finally {
                requestsDone.addAndGet(n);
                long each = (System.nanoTime() - t0) / Math.max(1, n);
                for (int i = 0; i < n; i++) {
                    metrics.kernelOp(ops[i], each);
                    prefixes[i] = null;
                }
                n = 0;
            }
        }

        private void failed(Prefix p, String op, NetlinkException error) {
            if (op.equals("delete")) {
                return;  // already gone
            }
            Entry e = entries.get(p);
            if (e != null) {
                e.installed = null;
            }
            if (error instanceof AlreadyExistsException) {
                refused(p, -1);
                return;
            }
            if (op.equals("replace")) {
                // our old route would keep a next hop that no longer resolves: withdraw it (the delete names our
                // protocol and no next hop, so it matches only ours); installed again when the next hop resolves
                deleteNow(Route.builder(ipPrefix(p)).table(cfg.table()).protocol(cfg.protocol()).build());
            }
            long suppressed = logLimiter.admit("kernel", "install failed");
            if (suppressed >= 0) {
                log.warn("kernel: route {}: {}{}", p, error.getMessage(), logLimiter.suffix(suppressed));
            }
        }
    }

    // ---- helpers

    static Prefix prefix(IpPrefix p) { return Prefix.parse(p.toString()); }

    static IpPrefix ipPrefix(Prefix p) {
        try {
            return new IpPrefix(InetAddress.getByAddress(p.addressBytes()), p.length());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static boolean contains(IpPrefix net, InetAddress a) {
        byte[] n = net.address().getAddress();
        byte[] b = a.getAddress();
        if (n.length != b.length) {
            return false;
        }
        int bits = net.length();
        for (int i = 0; i < n.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((n[i] & mask) != (b[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** Stops listening; our routes stay in the kernel (graceful restart: forwarding continues while we restart). */
    @Override public void close() {
        if (events != null) {
            events.close();
        }
        thread.shutdown();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (nl != null) {
            nl.close();
        }
    }
}
