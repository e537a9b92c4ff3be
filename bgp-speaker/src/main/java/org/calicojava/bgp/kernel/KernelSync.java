package org.calicojava.bgp.kernel;

import java.net.InetAddress;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.rib.KernelConfig;
import org.calicojava.bgp.rib.Rib;
import org.calicojava.bgp.session.LogLimiter;
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
    private static final Logger LOG = LoggerFactory.getLogger(KernelSync.class);
    /** Requests per batch: failures of a batch are all mapped back to their prefix (netlink keeps the first 1,000). */
    static final int BATCH = 1000;

    final KernelConfig cfg;
    final Metrics metrics;
    final LogLimiter logLimiter;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kernel");
        t.setDaemon(true);
        return t;
    });
    /** Written by the RIB's thread, drained by the kernel thread; an empty list = withdraw. */
    final ConcurrentHashMap<Prefix, List<InetAddress>> pending = new ConcurrentHashMap<>();

    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    final AtomicBoolean resyncScheduled = new AtomicBoolean();
    /** Interfaces that are up (ifindex), kept by the event reader thread. */
    private final Map<Integer, Boolean> linksUp = new ConcurrentHashMap<>();

    Netlink nl;
    private NetlinkEvents events;
    // ---- kernel thread only
    final RouteView view = new RouteView();
    final Map<Prefix, Entry> entries = new HashMap<>();
    private final Map<InetAddress, Resolved> resolutions = new HashMap<>();
    final Map<Prefix, Route> leftovers = new HashMap<>();
    final Set<Prefix> learned = new HashSet<>();
    final Blackholes blackholes = new Blackholes(this);
    private final Resync resync = new Resync(this);
    private BiConsumer<Prefix, Boolean> learner;
    /** IP-in-IP pools (set from the config; read by the kernel thread). */
    private volatile IpipRoutes ipip = IpipRoutes.NONE;

    private final TunnelHops tunnelHops = new TunnelHops();
    /** Route requests the kernel has answered so far (add, replace, delete; for progress and metrics). */
    final AtomicLong requestsDone = new AtomicLong();

    /** What the RIB wants for a prefix, and what of it is in the kernel (null: nothing of ours). */
    static final class Entry {
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
        this.ipip = cfg.ipip();
    }

    /** Opens netlink in the calling thread's namespace, records leftovers, subscribes to events, dumps the table once. */
    public void start(BiConsumer<Prefix, Boolean> learner) {
        this.learner = learner;
        nl = Netlink.open();
        for (Route r : nl.routes(RouteFilter.all().withTable(cfg.table()).withProtocol(cfg.protocol()))) {
            leftovers.put(KernelPrefixes.prefix(r.dst()), r);
        }
        LOG.info(
                "kernel: table {} protocol {}: {} routes from a previous run kept until reconciled",
                cfg.table(),
                cfg.protocol(),
                leftovers.size());
        for (var l : nl.links()) {
            if (l.isUp()) {
                linksUp.put(l.index(), Boolean.TRUE);
            }
        }
        events = NetlinkEvents.subscribe(
                EnumSet.of(EventGroup.IPV4_ROUTE, EventGroup.IPV6_ROUTE, EventGroup.LINK), new NetlinkListener() {
                    @Override
                    public void onEvent(NetlinkEvent e) {
                        if (e instanceof NetlinkEvent.RouteEvent re) {
                            Route r = re.route();
                            if (r.table() != cfg.table() || r.protocol() == cfg.protocol()) {
                                return; // our own changes (a million during a full table load) are not queued
                            }
                            boolean present = re.change() == NetlinkEvent.Change.ADDED;
                            thread.execute(() -> onOtherRoute(r, present));
                        } else if (e instanceof NetlinkEvent.LinkEvent le) {
                            // IPv4 drops the routes of a downed link without telling: read the table again when a
                            // link that was up goes down or away (not for links created down, e.g. felix's veths)
                            boolean up = le.change() == NetlinkEvent.Change.ADDED
                                    && le.link().isUp();
                            if (IpipRoutes.DEVICE.equals(le.link().name())
                                    && ipip.any()
                                    && (up != linksUp.containsKey(le.link().index()))) {
                                thread.execute(KernelSync.this::reencap); // tunl0 came or went: our routes through it
                            }
                            tunnelHops.stale();
                            Boolean was = up
                                    ? linksUp.put(le.link().index(), Boolean.TRUE)
                                    : linksUp.remove(le.link().index());
                            if (!up && was != null) {
                                scheduleResync();
                            }
                        }
                    }

                    @Override
                    public void onOverrun() {
                        scheduleResync();
                    }
                });
        thread.execute(resync::run);
    }

    // ---- IP-in-IP (the pools in use; new ones: every route is checked again, on the kernel thread)

    public IpipRoutes ipip() {
        return ipip;
    }

    public void ipip(IpipRoutes routes) {
        if (!routes.equals(ipip)) {
            ipip = routes;
            thread.execute(this::reencap);
        }
    }

    /** Re-reads tunl0 and this host's subnet, and reconciles every route (kernel thread). */
    private void reencap() {
        if (nl == null) {
            return;
        }
        tunnelHops.stale();
        KernelBatch a = new KernelBatch(this);
        try {
            entries.forEach((p, e) -> reconcile(p, e, a));
        } finally {
            a.finish();
        }
    }

    // ---- the RIB's side

    @Override
    public void set(Prefix p, List<InetAddress> hops) {
        pending.put(p, List.copyOf(hops));
        if (drainScheduled.compareAndSet(false, true)) {
            thread.execute(this::drain);
        }
    }

    /** Applies everything queued so far (kernel thread). */
    private void drain() {
        drainScheduled.set(false);
        KernelBatch a = new KernelBatch(this);
        try {
            for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                Prefix p = e.getKey();
                List<InetAddress> hops = e.getValue();
                if (!pending.remove(p, hops)) {
                    continue; // replaced meanwhile: the newer value is applied in this or the next drain
                }
                want(p, hops, a);
            }
        } finally {
            a.finish();
        }
        if (resync.due()) {
            resync.run();
        }
    }

    private void want(Prefix p, List<InetAddress> hops, KernelBatch a) {
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
    void reconcile(Prefix p, Entry e, KernelBatch a) {
        IpPrefix dst = KernelPrefixes.ipPrefix(p);
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
        IpipRoutes enc = ipip;
        for (InetAddress h : e.hops) {
            NextHop t = enc.any() ? tunnelHops.hop(nl, enc, p, h, logLimiter) : null;
            target.add(t != null ? t : resolutions.get(h).via);
        }
        if (target.equals(e.installed)) {
            return;
        }
        boolean ours = e.installed != null || leftovers.remove(p) != null;
        e.installed = List.copyOf(target);
        a.put(p, route(p, e.installed), ours);
    }

    void refused(Prefix p, int owner) {
        long suppressed = logLimiter.admit("kernel", "another owner");
        if (suppressed >= 0) {
            LOG.warn(
                    "kernel: route {}: a route of another owner{} is there: ours not installed, theirs not replaced{}",
                    p,
                    owner >= 0 ? " (protocol " + owner + ")" : "",
                    logLimiter.suffix(suppressed));
        }
    }

    private Route route(Prefix p, List<NextHop> hops) {
        Route.Builder b =
                Route.builder(KernelPrefixes.ipPrefix(p)).table(cfg.table()).protocol(cfg.protocol());
        hops.forEach(b::nextHop);
        return b.build();
    }

    // ---- the kernel's side

    /** A route of another owner appeared, changed or went (kernel thread). */
    private void onOtherRoute(Route r, boolean present) {
        if (r.type() == RouteType.UNICAST && cfg.learnProtocols().contains(r.protocol())) {
            learn(KernelPrefixes.prefix(r.dst()), present);
        }
        if (!view.apply(r, present)) {
            return;
        }
        KernelBatch a = new KernelBatch(this);
        try {
            Prefix p = KernelPrefixes.prefix(r.dst());
            Entry e = entries.get(p);
            if (e != null) {
                reconcile(p, e, a);
            }
            if (blackholes.concerns(p)) {
                blackholes.sync(p);
            }
            reresolve(a, r.dst());
        } finally {
            a.finish();
        }
    }

    /** Recomputes the cached resolutions (those inside {@code within}, or all for null) and re-installs their users. */
    void reresolve(KernelBatch a, IpPrefix within) {
        Set<InetAddress> changed = new HashSet<>();
        for (var e : resolutions.entrySet()) {
            if (within != null && !KernelPrefixes.contains(within, e.getKey())) {
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
        LOG.info("kernel: {} next hops resolve differently now: {} routes re-installed", changed.size(), n);
    }

    /** Reads the table again soon (an overrun, a link down, a batch with an unknown outcome). */
    void scheduleResync() {
        if (resyncScheduled.compareAndSet(false, true)) {
            thread.execute(resync::run);
        }
    }

    void learn(Prefix p, boolean present) {
        if (present ? learned.add(p) : learned.remove(p)) {
            learner.accept(p, present);
        }
    }

    /** Installs blackhole routes for {@code blocks} and removes ours for blocks no longer listed. */
    public void blackholes(Set<Prefix> blocks) {
        Set<Prefix> wanted = Set.copyOf(blocks);
        thread.execute(() -> blackholes.want(wanted));
    }

    /** Deletes {@code r} at once (a route already gone is fine). */
    void deleteNow(Route r) {
        try {
            nl.deleteRoute(r);
        } catch (NotFoundException e) {
            // already gone
        } catch (NetlinkException e) {
            LOG.warn("kernel: delete {}: {}", r.dst(), e.getMessage());
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
                    LOG.debug("kernel: leftover {}: {}", r.dst(), e.getMessage());
                }
            }
            leftovers.clear();
            if (n > 0) {
                LOG.info("kernel: removed {} routes of a previous run that are no longer wanted", n);
            }
        });
    }

    // ---- reading the state (for status, tests and the bench)

    /** Our routes now (blackholes included), read on the kernel thread (changes still queued are not applied: {@link #sync}). */
    public Map<Prefix, Route> installed() {
        try {
            return thread.submit(() -> {
                        Map<Prefix, Route> m = new HashMap<>(blackholes.installed());
                        entries.forEach((p, e) -> {
                            if (e.installed != null) {
                                m.put(p, route(p, e.installed));
                            }
                        });
                        return Map.copyOf(m);
                    })
                    .get();
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
                        int n = blackholes.installed().size();
                        for (Entry e : entries.values()) {
                            if (e.installed != null) {
                                n++;
                            }
                        }
                        return n;
                    })
                    .get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Route requests the kernel has answered so far; readable from any thread without waiting. */
    public long requestsDone() {
        return requestsDone.get();
    }

    /** How many times the table was read whole (at start, after overruns and links going down). */
    public long resyncs() {
        try {
            return thread.submit(resync::count).get();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Stops listening; our routes stay in the kernel (graceful restart: forwarding continues while we restart). */
    @Override
    public void close() {
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
