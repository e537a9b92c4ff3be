package org.calicojava.bgp.rib;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.GracefulRestart;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.codec.RouteRefresh;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.policy.RouteSource;
import org.calicojava.bgp.session.LogLimiter;
import org.calicojava.bgp.session.Negotiated;
import org.calicojava.bgp.session.Peer;
import org.calicojava.bgp.session.RouteSink;
import org.calicojava.bgp.session.Speaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adj-RIB-In (pre-policy), Loc-RIB with best path ({@link Table}: no object per prefix), Adj-RIB-Out per peer
 * ({@link AdjRibOut}). Everything runs on one event loop ("rib") that the speaker's sessions share: an UPDATE is
 * decoded, decided and its changes queued on the same thread (reading pauses while too many wait), changes go out as
 * packed UPDATEs when no task waits (or every 20,000), and best routes go to the kernel through {@link KernelPort}.
 */
public final class Rib implements RouteSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Rib.class);
    private static final int PAUSE_AT = 64;

    /** Where best routes go (the kernel sync, or nothing). */
    public interface KernelPort {
        /** {@code nextHops} empty = remove our route for {@code p}. */
        void set(Prefix p, List<InetAddress> nextHops);
    }

    /** The RIB's one thread, an event loop that the speaker's sessions share (no hand-offs on the hot path). */
    final io.netty.channel.EventLoopGroup thread = org.calicojava.bgp.session.Transport.newGroup(1, "rib");

    final Table loc = new Table();
    final Map<InetAddress, PeerInfo> peers = new ConcurrentHashMap<>();
    /** The same peers in slot order, for the per-destination loops (RIB thread). */
    PeerInfo[] peerList = new PeerInfo[0];

    private final Interner interner = new Interner();
    final AdjRibOut out = new AdjRibOut(this);
    private final Receiver receiver = new Receiver(this);
    final ImportFilter filter = new ImportFilter(this);
    final StaleRoutes stale = new StaleRoutes(this);
    final KernelExport kernelOut = new KernelExport(this);
    private final Decision decision = new Decision(this);
    final LocalRoutes local = new LocalRoutes(this);
    private final Reload reload = new Reload(this);
    final Convergence convergence = new Convergence(this);
    private final RibStatus status = new RibStatus(this);
    final List<Consumer<String>> watchers = new CopyOnWriteArrayList<>();
    final Metrics metrics;
    private Speaker speaker;
    SpeakerConfig sc;
    RoutingConfig rc;
    BestPath best;
    private int nextSlot;
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    final LogLimiter errors = new org.calicojava.bgp.session.LogLimiter();

    public Rib(SpeakerConfig sc, RoutingConfig rc, Metrics metrics) {
        this.sc = sc;
        this.rc = rc;
        this.metrics = metrics;
        this.best = new BestPath(rc.alwaysCompareMed());
        for (Prefix p : sc.originate()) {
            local.add(p, RouteSource.STATIC, localAttrs(PathAttributes.ORIGIN_IGP));
        }
    }

    /** {@code r} runs once every configured neighbour has sent End-of-RIB (then leftover kernel routes can go). */
    public void onConverged(Runnable r) {
        submit(() -> convergence.onConverged(r));
    }

    /** Runs the converged action now (e.g. after a startup timeout), if it has not run yet. */
    public void converge() {
        submit(convergence::converge);
    }

    public void attach(Speaker speaker, KernelPort kernel) {
        this.speaker = speaker;
        kernelOut.attach(kernel);
    }

    // ---- RouteSink (called on peers' event loops) ----

    @Override
    public io.netty.channel.EventLoopGroup eventLoop() {
        return thread;
    }

    /*
     * Session-down race: these three run on the peer's loop, and their work runs later on the RIB thread. By then the
     * session may be gone (a malformed message read in the same batch as the OPEN and the UPDATEs before it): each
     * captures the session id (and what was negotiated) at the call, and the queued work of a session that is no longer
     * the current one is dropped without a trace instead of reading the peer's state of now (null once it is down).
     */

    @Override
    public void established(Peer peer) {
        long id = peer.sessionId();
        Negotiated n = peer.negotiated();
        if (id == 0 || n == null) {
            return;
        }
        submit(() -> {
            if (peer.sessionId() != id) {
                return; // down already: its down() finds nothing to undo
            }
            PeerInfo pi = info(peer);
            pi.peer = peer;
            pi.established = true;
            pi.session = id;
            pi.negotiated = n;
            pi.maxPrefixes = peer.config().maxPrefixes();
            pi.limitStopped = false;
            pi.limitWarned = false;
            Open o = n.peerOpen();
            pi.routerId = o.bgpId();
            pi.ibgp = n.codec().ibgp();
            GracefulRestart gr = o.capabilities().gracefulRestart();
            pi.gracefulRestart = gr != null && peer.config().restartTime() >= 0;
            pi.restartTime = gr == null ? 0 : gr.restartTime();
            stale.reestablished(pi, pi.gracefulRestart ? gr : null, n.families()); // RFC 4724 4.2
            pi.configure(rc.neighbor(peer.address()), rc);
            pi.addPathSend = EnumSet.noneOf(Family.class);
            for (Family f : n.families()) {
                if (n.codec().sendsPathIds(f)) {
                    pi.addPathSend.add(f);
                }
            }
            pi.clearOut();
            sendTable(pi, false);
            metrics.sessionChange();
        });
    }

    @Override
    public void update(Peer peer, Update u) {
        long id = peer.sessionId();
        PeerInfo pi0 = peers.get(peer.address());
        boolean counted =
                pi0 != null; // the first UPDATEs may come before the RIB made its PeerInfo: not counted either way
        if (counted && pi0.queued.incrementAndGet() > PAUSE_AT && !pi0.paused) {
            pi0.paused = true;
            peer.pauseReading(true);
        }
        submit(() -> {
            PeerInfo pi = info(peer);
            if (counted && pi.queued.decrementAndGet() < PAUSE_AT / 4 && pi.paused) {
                pi.paused = false;
                peer.pauseReading(false);
            }
            if (id == 0 || pi.session != id || peer.sessionId() != id) {
                pi.droppedInFlight++; // its session went down while it waited: its routes went (or go) with it
                return;
            }
            receiver.receive(pi, u);
        });
    }

    @Override
    public void down(Peer peer, String reason) {
        long id = peer.lastSessionId();
        boolean flush = peer.flushOnDown(); // a NOTIFICATION (with RFC 8538 a Hard Reset), BFD Down: no stale routes
        submit(() -> {
            PeerInfo pi = info(peer);
            if (pi.session != id) {
                return; // its established() was dropped: nothing of this session is here
            }
            pi.session = 0;
            pi.negotiated = null;
            pi.established = false;
            pi.clearOut();
            if (pi.gracefulRestart
                    && pi.restartTime > 0
                    && !pi.limitStopped
                    && !flush) { // flushed: a NOTIFICATION either way without RFC 8538's N bit, a Hard Reset with it
                stale.keep(pi);
            } else {
                removeAll(pi);
                stale.forget(pi);
            }
            metrics.sessionChange();
        });
    }

    @Override
    public void hardReset(Peer peer) {
        submit(() -> {
            PeerInfo pi = info(peer);
            if (pi.session == 0 && !pi.staleFamilies.isEmpty()) {
                stale.sweep(pi, null, "Cease / Hard Reset (RFC 8538)");
            }
        });
    }

    @Override
    public void refresh(Peer peer, Family f) {
        long id = peer.sessionId();
        submit(() -> {
            PeerInfo pi = info(peer);
            if (id == 0 || pi.session != id || peer.sessionId() != id) {
                return;
            }
            pi.clearOut();
            sendTable(pi, true);
        });
    }

    // ---- receiving ----

    /** Removes {@code path} from destination {@code d} and decides again. */
    void drop(int d, Path path) {
        loc.replace(d, path, null);
        if (path.from != null) {
            path.from.received--;
            path.from.receivedByFamily[loc.family(d).ordinal()]--;
            if (path.attrs != null) {
                path.from.accepted--;
            }
        }
        decide(d);
    }

    /** The shared instance of {@code p}. */
    Path path(Path p) {
        return interner.path(p);
    }

    static Prefix prefix(Nlri n, int i) {
        return n.family() == Family.IPV4_UNICAST
                ? new Prefix(Family.IPV4_UNICAST, n.prefixLength(i), n.word(i, 0), 0, 0, 0)
                : new Prefix(n.family(), n.prefixLength(i), n.word(i, 0), n.word(i, 1), n.word(i, 2), n.word(i, 3));
    }

    /** The shared instance of {@code a}. */
    PathAttributes intern(PathAttributes a) {
        return interner.attributes(a);
    }

    /** Forgets interned paths and attributes no longer used (tests; otherwise after a batch, when due). */
    int compactInterned() {
        return interner.compact(loc, out);
    }

    /** Interned paths now (tests). */
    int internedPaths() {
        return interner.paths();
    }

    void decide(int d) {
        decision.decide(d);
    }

    // ---- deciding and exporting ----

    /**
     * Sends the whole table to {@code pi}, then End-of-RIB per family (RFC 4724); on a route refresh with enhanced route
     * refresh negotiated, framed by Begin- and End-of-Route-Refresh instead (RFC 7313).
     */
    private void sendTable(PeerInfo pi, boolean refresh) {
        Peer peer = pi.peer;
        boolean enhanced = refresh && pi.negotiated.enhancedRouteRefresh();
        if (enhanced) {
            for (Family f : pi.negotiated.families()) {
                peer.sendRouteRefresh(new RouteRefresh(f, RouteRefresh.BORR));
            }
        }
        for (int d = 0; d < loc.high(); d++) {
            if (loc.live(d) && loc.best[d] != null) {
                out.export(pi, d);
            }
        }
        out.flush();
        if (enhanced) {
            for (Family f : pi.negotiated.families()) {
                peer.sendRouteRefresh(new RouteRefresh(f, RouteRefresh.EORR));
            }
        } else {
            List<Update> eor = new ArrayList<>();
            for (Family f : pi.negotiated.families()) {
                eor.add(Update.endOfRib(f));
            }
            peer.send(eor);
        }
        LOG.info(
                "peer {}: sent {} routes and {}",
                Ip.string(pi.address),
                pi.outCount,
                enhanced ? "End-of-Route-Refresh" : "End-of-RIB");
    }

    /** After each batch of work: flush UPDATEs when nothing else waits, push kernel changes, free emptied destinations. */
    void afterBatch() {
        if (out.pending() > 0 && (waiting.get() == 0 || out.pending() >= AdjRibOut.FLUSH_AT)) {
            out.flush();
        }
        if (kernelOut.pending() && waiting.get() == 0) {
            kernelOut.sync();
        }
        if (out.pending() == 0 && !kernelOut.pending()) {
            decision.freeEmptied();
            if (interner.due()) {
                compactInterned();
            }
        }
        long runs = decision.takeRuns();
        if (runs > 0) {
            metrics.bestPathRuns(runs);
        }
    }

    private void removeAll(PeerInfo pi) {
        for (int d = 0; d < loc.high(); d++) {
            if (!loc.live(d)) {
                continue;
            }
            for (Path p : loc.paths(d)) {
                if (p.from == pi) {
                    drop(d, p);
                }
            }
        }
    }

    /** The attributes of a local route (originated or learned from the kernel). */
    static PathAttributes localAttrs(int origin) {
        return LocalRoutes.attrs(origin);
    }

    /** A kernel route of a learned protocol appeared or disappeared (felix's workload routes). Any thread. */
    public void kernelRoute(Prefix p, boolean present) {
        submit(() -> {
            local.kernelRoute(p, present);
        });
    }

    // ---- reload ----

    /** Applies new routing settings: re-evaluates Adj-RIB-In and exports against the new policies, sends the difference. */
    public void reconfigure(SpeakerConfig nsc, RoutingConfig nrc) {
        call(() -> {
            reload.apply(nsc, nrc);
            return null;
        });
    }

    // ---- status (through the control socket, any thread) ----

    public <T> T call(Callable<T> c) {
        try {
            if (thread.next().inEventLoop()) {
                return c.call();
            }
            return thread.submit(c).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("rib: no answer within 30 s");
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public void watch(Consumer<String> w) {
        watchers.add(w);
    }

    public void unwatch(Consumer<String> w) {
        watchers.remove(w);
    }

    /** Watchers now (tests). */
    int watcherCount() {
        return watchers.size();
    }

    PeerInfo info(Peer peer) {
        PeerInfo pi = peers.get(peer.address());
        if (pi == null) {
            pi = new PeerInfo(peer.address(), nextSlot++);
            peers.put(peer.address(), pi);
            peerList = Arrays.copyOf(peerList, peerList.length + 1);
            peerList[peerList.length - 1] = pi;
        }
        if (pi.routing == null) {
            pi.configure(rc.neighbor(peer.address()), rc);
        }
        pi.peer = peer;
        return pi;
    }

    private void submit(Runnable r) {
        try {
            waiting.incrementAndGet();
            thread.execute(() -> {
                waiting.decrementAndGet();
                try {
                    r.run();
                    afterBatch();
                } catch (RuntimeException e) {
                    long suppressed =
                            errors.admit(null, e.getClass().getName()); // a bug, but one a peer may trigger at will
                    if (suppressed == 0) {
                        LOG.error("rib: {}", e.toString(), e);
                    } else if (suppressed > 0) {
                        LOG.error("rib: {}{}", e, errors.suffix(suppressed));
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    public int size() {
        return call(loc::size);
    }

    public ScheduledExecutorService thread() {
        return thread;
    }

    /** The best path of {@code p} now, or null (tests, status). */
    Path best(Prefix p) {
        return call(() -> {
            int d = loc.find(p);
            return d < 0 ? null : loc.best[d];
        });
    }

    /** Every path of {@code p}, rejected ones included (tests, status). */
    List<Path> paths(Prefix p) {
        return call(() -> {
            int d = loc.find(p);
            return d < 0 ? List.<Path>of() : List.of(loc.paths(d));
        });
    }

    /** Best routes learned from peers (what belongs in the kernel): prefix -> next hop. */
    public Map<Prefix, InetAddress> bgpBest() {
        return call(status::bgpBest);
    }

    @Override
    public void close() {
        thread.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** One row per configured neighbour for {@code show protocols}: session state from the speaker, counters from here. */
    public List<Map<String, Object>> protocols() {
        return call(() -> status.protocols(speaker.peers()));
    }

    /** {@code show route [PREFIX] [all]}: best (and with {@code all} every path, with the reason the best won). */
    public String showRoute(Prefix only, boolean all) {
        return call(() -> status.showRoute(only, all));
    }

    /** Loc-RIB, Adj-RIB-In and Adj-RIB-Out sizes. */
    public Map<String, Long> sizes() {
        return call(status::sizes);
    }
}
