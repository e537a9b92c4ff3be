package org.calicojava.bgp.rib;

import org.calicojava.bgp.codec.*;
import org.calicojava.bgp.config.NeighborConfig;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.policy.Policy;
import org.calicojava.bgp.policy.RouteSource;
import org.calicojava.bgp.session.Negotiated;
import org.calicojava.bgp.session.Peer;
import org.calicojava.bgp.session.RouteSink;
import org.calicojava.bgp.session.Speaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.*;
import java.util.concurrent.*;
import java.util.function.Consumer;

/**
 * Adj-RIB-In (pre-policy), Loc-RIB with best path ({@link Table}: no object per prefix), Adj-RIB-Out per peer
 * ({@link AdjRibOut}). Everything runs on one event loop ("rib") that the speaker's sessions share: an UPDATE is
 * decoded, decided and its changes queued on the same thread (reading pauses while too many wait), changes go out as
 * packed UPDATEs when no task waits (or every 20,000), and best routes go to the kernel through {@link KernelPort}.
 */
public final class Rib implements RouteSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Rib.class);
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
    private final Map<PathAttributes, PathAttributes> interned = new HashMap<>();
    private final Map<Path, Path> paths = new HashMap<>();
    private int pathsAtCompaction = 1024;
    private final AdjRibOut out = new AdjRibOut(this);
    /** Destinations left without paths: freed after the next flush (when no peer's queue holds them any more). */
    private int[] emptied = new int[64];
    private int emptiedCount;
    private long bestRuns;
    private final List<Consumer<String>> watchers = new CopyOnWriteArrayList<>();
    private final Set<Prefix> kernelDirty = new LinkedHashSet<>();
    final Metrics metrics;
    private Speaker speaker;
    SpeakerConfig sc;
    RoutingConfig rc;
    BestPath best;
    private KernelPort kernel;
    private int nextSlot;
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    private final Set<Prefix> kernelRoutes = new HashSet<>();
    private final org.calicojava.bgp.session.LogLimiter errors = new org.calicojava.bgp.session.LogLimiter();

    public Rib(SpeakerConfig sc, RoutingConfig rc, Metrics metrics) {
        this.sc = sc;
        this.rc = rc;
        this.metrics = metrics;
        this.best = new BestPath(rc.alwaysCompareMed());
        for (Prefix p : sc.originate()) addLocal(p, RouteSource.STATIC, localAttrs(PathAttributes.ORIGIN_IGP));
    }

    private final Set<InetAddress> eorFrom = new HashSet<>();
    private Runnable onConverged;

    /** {@code r} runs once every configured neighbour has sent End-of-RIB (then leftover kernel routes can go). */
    public void onConverged(Runnable r) { submit(() -> { onConverged = r; checkConverged(); }); }

    /** Runs the converged action now (e.g. after a startup timeout), if it has not run yet. */
    public void converge() { submit(() -> { Runnable r = onConverged; onConverged = null; if (r != null) { syncKernel(); r.run(); } }); }

    private void checkConverged() {
        if (onConverged == null) return;
        for (NeighborConfig n : sc.neighbors()) if (!eorFrom.contains(n.address())) return;
        Runnable r = onConverged;
        onConverged = null;
        syncKernel();
        log.info("rib: End-of-RIB from every neighbour, {} prefixes", loc.size());
        r.run();
    }

    public void attach(Speaker speaker, KernelPort kernel) {
        this.speaker = speaker;
        this.kernel = kernel;
    }

    // ---- RouteSink (called on peers' event loops) ----

    @Override public boolean advertises() { return true; }

    @Override public io.netty.channel.EventLoopGroup eventLoop() { return thread; }

    /*
     * Session-down race: these three run on the peer's loop, and their work runs later on the RIB thread. By then the
     * session may be gone (a malformed message read in the same batch as the OPEN and the UPDATEs before it): each
     * captures the session id (and what was negotiated) at the call, and the queued work of a session that is no longer
     * the current one is dropped without a trace instead of reading the peer's state of now (null once it is down).
     */

    @Override public void established(Peer peer) {
        long id = peer.sessionId();
        Negotiated n = peer.negotiated();
        if (id == 0 || n == null) return;
        submit(() -> {
            if (peer.sessionId() != id) return;  // down already: its down() finds nothing to undo
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
            pi.configure(rc.neighbor(peer.address()), rc);
            pi.addPathSend = EnumSet.noneOf(Family.class);
            for (Family f : n.families()) if (n.codec().sendsPathIds(f)) pi.addPathSend.add(f);
            pi.clearOut();
            sendTable(pi);
            metrics.sessionChange();
        });
    }

    @Override public void update(Peer peer, Update u) {
        long id = peer.sessionId();
        PeerInfo pi0 = peers.get(peer.address());
        boolean counted = pi0 != null;  // the first UPDATEs may come before the RIB made its PeerInfo: not counted either way
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
                pi.droppedInFlight++;  // its session went down while it waited: its routes went (or go) with it
                return;
            }
            receive(pi, u);
        });
    }

    @Override public void down(Peer peer, String reason) {
        long id = peer.lastSessionId();
        boolean flush = peer.flushOnDown();  // BFD Down (RFC 5882): no stale routes, whatever graceful restart says
        submit(() -> {
            PeerInfo pi = info(peer);
            if (pi.session != id) return;  // its established() was dropped: nothing of this session is here
            pi.session = 0;
            pi.negotiated = null;
            pi.established = false;
            pi.clearOut();
            if (pi.gracefulRestart && pi.restartTime > 0 && !pi.limitStopped && !flush) {  // a NOTIFICATION of ours ends GR (RFC 4724)
                int n = 0;
                for (int d = 0; d < loc.high(); d++) {
                    if (!loc.live(d)) continue;
                    for (Path p : loc.paths(d)) {
                        if (p.from != pi || p.stale) continue;
                        Path s = path(p.withStale(true));
                        loc.replace(d, p, s);
                        if (loc.best[d] == p) loc.best[d] = s;  // the same route, now marked: nothing to send
                        n++;
                    }
                }
                pi.staleFamilies.addAll(Set.of(Family.values()));
                // the peer's restart time, capped by ours; a pending sweep keeps its deadline (flapping cannot extend it)
                int keep = Math.min(pi.restartTime, rc.maxStaleRoutesTime());
                if (pi.staleSweep == null || pi.staleSweep.isDone()) {
                    pi.staleSweep = thread.schedule(() -> sweep(pi, null, "stale time expired"), keep, TimeUnit.SECONDS);
                }
                long suppressed = errors.admit(pi.address, "graceful restart");
                if (suppressed >= 0) {
                    log.info("peer {}: down, graceful restart: keeping {} routes as stale for up to {}s (restart time {}s, our maximum {}s){}",
                            Ip.string(pi.address), n, (pi.staleSweep.getDelay(TimeUnit.MILLISECONDS) + 999) / 1000, pi.restartTime, rc.maxStaleRoutesTime(),
                            errors.suffix(suppressed));
                }
            } else {
                removeAll(pi);
            }
            metrics.sessionChange();
        });
    }

    @Override public void refresh(Peer peer, Family f) {
        long id = peer.sessionId();
        submit(() -> {
            PeerInfo pi = info(peer);
            if (id == 0 || pi.session != id || peer.sessionId() != id) return;
            pi.clearOut();
            sendTable(pi);
        });
    }

    // ---- receiving ----

    private void receive(PeerInfo pi, Update u) {
        metrics.updateIn(pi.address);
        if (pi.limitStopped) {
            pi.droppedInFlight++;  // the session is being stopped for its prefix limit
            return;
        }
        Family eor = u.endOfRibFamily();
        if (eor != null) {
            log.info("peer {}: End-of-RIB {}", Ip.string(pi.address), eor);
            if (pi.staleFamilies.contains(eor)) sweep(pi, eor, "End-of-RIB");
            eorFrom.add(pi.address);
            checkConverged();
            return;
        }
        withdraw(pi, u.withdrawn());
        if (u.mpUnreach() != null) withdraw(pi, u.mpUnreach().nlri());
        if (u.treatAsWithdraw()) {
            withdraw(pi, u.nlri());
            if (u.mpReach() != null) withdraw(pi, u.mpReach().nlri());
        } else {
            if (!u.nlri().isEmpty()) {
                if (u.attributes().hasNextHop() && badNextHop(pi, Ip.v4Address(u.attributes().nextHop()).getAddress(), u.nlri().size())) {
                    withdraw(pi, u.nlri());
                } else {
                    announce(pi, u.attributes(), null, u.nlri());
                }
            }
            if (u.mpReach() != null && badNextHop(pi, u.mpReach().nextHop(), u.mpReach().nlri().size())) {
                withdraw(pi, u.mpReach().nlri());
            } else if (u.mpReach() != null) {
                byte[] nh = u.mpReach().nextHop();
                PathAttributes a = u.attributes();
                if (u.mpReach().family() == Family.IPV4_UNICAST && nh.length == 4) {
                    a = a.toBuilder().nextHop(Ip.v4Int(Ip.of(nh))).build();
                    nh = null;
                }
                announce(pi, a, nh, u.mpReach().nlri());
            }
        }
    }

    private void announce(PeerInfo pi, PathAttributes raw, byte[] nh6, Nlri nlri) {
        if (pi.limitStopped) return;
        raw = intern(raw);
        if (nh6 != null) nh6 = nh6.clone();
        metrics.prefixesIn(pi.address, nlri.size());
        Path last = null;  // the routes of one UPDATE share one path (unless the import policy looks at the prefix)
        int fam = nlri.family().ordinal();
        for (int i = 0; i < nlri.size(); i++) {
            int d, id = nlri.pathId(i);
            if (pi.maxPrefixes != null && pi.receivedByFamily[fam] >= pi.maxPrefixes.limit()) {
                d = loc.find(nlri, i, false);  // a new prefix beyond the limit must not even create its destination
                if ((d < 0 || loc.find(d, pi, RouteSource.BGP, id) == null) && !beyondLimit(pi, nlri.family())) {
                    if (pi.limitStopped) return;
                    continue;
                }
                if (d < 0) d = loc.find(nlri, i, true);
            } else {
                d = loc.find(nlri, i, true);
            }
            Path old = loc.find(d, pi, RouteSource.BGP, id), now;
            if (last != null && last.pathId == id && !pi.importByPrefix) {
                now = last;
            } else {
                PathAttributes a = importAttrs(pi, d, raw);
                now = last = path(new Path(pi, RouteSource.BGP, id, raw, a, nh6, false));
            }
            if (old == now) continue;
            if (old == null) {
                pi.received++;
                pi.receivedByFamily[fam]++;
            }
            else if (old.attrs != null) pi.accepted--;
            if (now.attrs != null) pi.accepted++;
            loc.replace(d, old, now);
            decide(d);
        }
    }

    /**
     * A new prefix of family {@code f} from {@code pi} would exceed its limit: true to keep it anyway ({@code warn}),
     * false to ignore it ({@code drop}) or to stop the session ({@code stop}: NOTIFICATION Cease / maximum number of
     * prefixes reached with AFI, SAFI and the limit as data, RFC 4486; every route of the session goes).
     */
    private boolean beyondLimit(PeerInfo pi, Family f) {
        org.calicojava.bgp.config.MaxPrefixes max = pi.maxPrefixes;
        switch (max.action()) {
            case WARN -> {
                if (!pi.limitWarned) {
                    pi.limitWarned = true;
                    log.warn("peer {}: more than {} {} prefixes (maxPrefixes, action warn: accepted)", Ip.string(pi.address), max.limit(), f);
                }
                return true;
            }
            case DROP -> {
                pi.limitDropped++;
                long suppressed = errors.admit(pi.address, "max-prefixes drop");
                if (suppressed >= 0) {
                    log.warn("peer {}: {} {} prefixes reached (maxPrefixes, action drop): new ones ignored, {} so far{}", Ip.string(pi.address),
                            max.limit(), f, pi.limitDropped, errors.suffix(suppressed));
                }
                return false;
            }
            default -> {
                pi.limitStopped = true;
                long limit = max.limit();
                byte[] data = {(byte) (f.afi >> 8), (byte) f.afi, (byte) f.safi, (byte) (limit >> 24), (byte) (limit >> 16), (byte) (limit >> 8), (byte) limit};
                log.warn("peer {}: more than {} {} prefixes (maxPrefixes, action stop): session stopped, restart in {}", Ip.string(pi.address), limit, f,
                        max.restartAfter() > 0 ? max.restartAfter() + " s" : "never");
                pi.peer.prefixLimit(pi.session, BgpError.of(BgpError.CEASE, BgpError.MAX_PREFIXES, data), max.restartAfter());
                return false;
            }
        }
    }

    /**
     * RFC 4271 5.1.3 / RFC 7606 7.3: a martian next hop or one of ours makes the routes treat-as-withdraw (logged at
     * most once per peer per interval, with a count).
     */
    private boolean badNextHop(PeerInfo pi, byte[] nextHop, int prefixes) {
        List<InetAddress> own = new ArrayList<>(3);
        if (pi.negotiated != null) own.add(pi.negotiated.localAddress());
        own.add(sc.nextHop4());
        own.add(sc.nextHop6());
        String why = NextHopCheck.refusal(nextHop, pi.address, own);
        if (why == null) return false;
        pi.badNextHops += prefixes;
        long suppressed = errors.admit(pi.address, "next hop");
        if (suppressed >= 0) {
            log.warn("peer {}: NEXT_HOP {} is {}: {} prefixes treated as withdrawn ({} so far){}", Ip.string(pi.address),
                    nextHop.length == 4 || nextHop.length >= 16 ? Prefix.formatAddress(Arrays.copyOf(nextHop, nextHop.length == 4 ? 4 : 16)) : "?",
                    why, prefixes, pi.badNextHops, errors.suffix(suppressed));
        }
        return true;
    }

    private void withdraw(PeerInfo pi, Nlri nlri) {
        for (int i = 0; i < nlri.size(); i++) {
            int d = loc.find(nlri, i, false);
            Path path = d < 0 ? null : loc.find(d, pi, RouteSource.BGP, nlri.pathId(i));
            if (path == null) continue;
            drop(d, path);
        }
    }

    private void drop(int d, Path path) {
        loc.replace(d, path, null);
        if (path.from != null) {
            path.from.received--;
            path.from.receivedByFamily[loc.family(d).ordinal()]--;
            if (path.attrs != null) path.from.accepted--;
        }
        decide(d);
    }

    /** The shared instance of {@code p}. */
    Path path(Path p) {
        Path x = paths.putIfAbsent(p, p);
        return x == null ? p : x;
    }

    static Prefix prefix(Nlri n, int i) {
        return n.family() == Family.IPV4_UNICAST ? new Prefix(Family.IPV4_UNICAST, n.prefixLength(i), n.word(i, 0), 0, 0, 0)
                : new Prefix(n.family(), n.prefixLength(i), n.word(i, 0), n.word(i, 1), n.word(i, 2), n.word(i, 3));
    }

    /** Loop checks, then the import policy (RFC 8212: eBGP without one accepts nothing). */
    private PathAttributes importAttrs(PeerInfo pi, int d, PathAttributes raw) {
        if (!pi.importByPrefix && pi.importKey == raw) return (PathAttributes) pi.importResult;
        PathAttributes r = importCheck(pi, loc.prefix(d), raw);
        if (!pi.importByPrefix) {
            pi.importKey = raw;
            pi.importResult = r;
        }
        return r;
    }

    private PathAttributes importCheck(PeerInfo pi, Prefix p, PathAttributes raw) {
        if (raw.asPath() != null && !pi.ibgp && raw.asPath().contains(sc.asNumber()) && pi.routing.allowOwnAs() == 0) return null;
        if (raw.originatorId() >= 0 && raw.originatorId() == (sc.routerId() & 0xffffffffL)) return null;
        if (rc.routeReflector() && raw.clusterList() != null) for (int c : raw.clusterList()) if (c == rc.clusterId()) return null;
        PathAttributes a = raw;
        if (!pi.ibgp && a.localPref() >= 0) a = a.toBuilder().localPref(-1).build();  // LOCAL_PREF is not taken from eBGP
        if (pi.importChain.isEmpty()) return pi.ibgp ? a : null;
        a = Policy.evaluate(pi.importChain, p, a, RouteSource.BGP, sc.asNumber());
        return a == null ? null : intern(a);
    }

    PathAttributes intern(PathAttributes a) {
        PathAttributes x = interned.putIfAbsent(a, a);
        return x == null ? a : x;
    }

    // ---- deciding and exporting ----

    private Path select(int d) {
        Object o = loc.paths[d];
        if (o instanceof Path p) return p.attrs != null ? p : null;
        return o == null ? null : best.select((Path[]) o);
    }

    private void decide(int d) {
        for (PeerInfo t : peerList) if (t.established && !t.addPathSend.isEmpty()) out.export(t, d);  // any path may matter
        Path was = loc.best[d];
        Path now = select(d);
        bestRuns++;
        if (now == was) {  // paths are immutable and shared: the same object is the same route
            if (rc.multipath() && kernel != null) kernelDirty.add(loc.prefix(d));
            return;
        }
        loc.best[d] = now;
        for (PeerInfo t : peerList) if (t.established) out.export(t, d);
        if (kernel != null) kernelDirty.add(loc.prefix(d));
        if (now == null && loc.paths[d] == null) {
            if (emptiedCount == emptied.length) emptied = Arrays.copyOf(emptied, emptiedCount * 2);
            emptied[emptiedCount++] = d;
        }
        if (!watchers.isEmpty()) {
            String line = (now == null ? "withdraw " : "best ") + loc.prefix(d) + (now == null ? "" : " " + describe(now));
            for (Consumer<String> w : watchers) w.accept(line);
        }
    }

    private void sendTable(PeerInfo pi) {
        for (int d = 0; d < loc.high(); d++) if (loc.live(d) && loc.best[d] != null) out.export(pi, d);
        out.flush();
        Peer peer = pi.peer;
        List<Update> eor = new ArrayList<>();
        for (Family f : pi.negotiated.families()) eor.add(Update.endOfRib(f));
        peer.send(eor);
        log.info("peer {}: sent {} routes and End-of-RIB", Ip.string(pi.address), pi.outCount);
    }

    /** After each batch of work: flush UPDATEs when nothing else waits, push kernel changes, free emptied destinations. */
    private void afterBatch() {
        if (out.pending() > 0 && (waiting.get() == 0 || out.pending() >= AdjRibOut.FLUSH_AT)) out.flush();
        if (!kernelDirty.isEmpty() && waiting.get() == 0) syncKernel();
        if (out.pending() == 0 && kernelDirty.isEmpty()) {
            freeEmptied();
            if (paths.size() >= 2 * pathsAtCompaction) compactInterned();
        }
        if (bestRuns > 0) {
            metrics.bestPathRuns(bestRuns);
            bestRuns = 0;
        }
    }

    /**
     * Forgets interned paths and attribute sets that no destination refers to any more (replaced, withdrawn, stale
     * variants, old ADD-PATH ids): the intern maps would otherwise only grow. Runs when the path map has doubled since
     * the last time, so its table scan is amortised. Caches that still hold a dropped object only miss.
     */
    int compactInterned() {
        Map<Path, Path> live = new HashMap<>();
        for (int d = 0; d < loc.high(); d++) {
            Object o = loc.live(d) ? loc.paths[d] : null;
            if (o instanceof Path p) live.put(p, p);
            else if (o != null) for (Path p : (Path[]) o) live.put(p, p);
        }
        Map<PathAttributes, PathAttributes> attrs = new HashMap<>();
        for (Path p : live.keySet()) {
            if (p.raw != null) attrs.put(p.raw, p.raw);
            if (p.attrs != null) attrs.put(p.attrs, p.attrs);
        }
        for (PathAttributes a : out.advertAttributes()) attrs.put(a, a);
        int dropped = paths.size() - live.size();
        paths.clear();
        paths.putAll(live);
        interned.clear();
        interned.putAll(attrs);
        pathsAtCompaction = Math.max(1024, live.size());
        return dropped;
    }

    /** Interned paths now (tests). */
    int internedPaths() { return paths.size(); }

    private void freeEmptied() {
        for (int i = 0; i < emptiedCount; i++) {
            int d = emptied[i];
            if (!loc.live(d) || loc.paths[d] != null || loc.best[d] != null) continue;
            boolean sent = false;  // every peer has had the withdrawal (out 0) before the index can serve another prefix
            for (PeerInfo t : peerList) sent |= out.has(t, d);
            if (!sent) loc.remove(d);
        }
        emptiedCount = 0;
        if (emptied.length > 4096) emptied = new int[64];
    }

    private void syncKernel() {
        for (Prefix p : kernelDirty) {
            int d = loc.find(p);
            Path b = d < 0 ? null : loc.best[d];
            List<InetAddress> hops = List.of();
            boolean localKernel = d >= 0 && loc.find(d, null, RouteSource.KERNEL, 0) != null;
            if (b != null && b.from != null && !localKernel && kernelAccepts(p, b)) {
                List<InetAddress> h = new ArrayList<>();
                for (Path x : loc.paths(d)) {
                    if (x.attrs == null || x.from == null) continue;
                    if (x != b && !(rc.multipath() && best.equalForMultipath(x, b))) continue;
                    InetAddress nh = nextHop(p, x);
                    if (nh != null && !h.contains(nh)) h.add(nh);
                }
                hops = h;
            }
            if (hops.isEmpty() && !kernelRoutes.remove(p)) continue;
            if (!hops.isEmpty()) kernelRoutes.add(p);
            kernel.set(p, hops);
        }
        kernelDirty.clear();
    }

    private boolean kernelAccepts(Prefix p, Path b) {
        List<String> exp = rc.kernel().exportPolicies();
        return exp.isEmpty() || Policy.evaluate(rc.chain(exp), p, b.attrs, b.source, sc.asNumber()) != null;
    }

    private static InetAddress nextHop(Prefix p, Path path) {
        if (p.family() == Family.IPV4_UNICAST) return path.attrs.hasNextHop() ? Ip.v4Address(path.attrs.nextHop()) : null;
        if (path.nh6 == null) return null;
        return Ip.of(Arrays.copyOf(path.nh6, 16));
    }

    // ---- graceful restart ----

    private void sweep(PeerInfo pi, Family f, String why) {
        int n = 0;
        for (int d = 0; d < loc.high(); d++) {
            if (!loc.live(d) || f != null && loc.family(d) != f) continue;
            for (Path p : loc.paths(d)) if (p.from == pi && p.stale) { drop(d, p); n++; }
        }
        if (f == null) pi.staleFamilies.clear();
        else pi.staleFamilies.remove(f);
        if (pi.staleFamilies.isEmpty() && pi.staleSweep != null) {
            pi.staleSweep.cancel(false);
            pi.staleSweep = null;
        }
        if (n > 0 || f == null) log.info("peer {}: {}: removed {} stale routes", Ip.string(pi.address), why, n);
        afterBatch();
    }

    private void removeAll(PeerInfo pi) {
        for (int d = 0; d < loc.high(); d++) {
            if (!loc.live(d)) continue;
            for (Path p : loc.paths(d)) if (p.from == pi) drop(d, p);
        }
    }

    // ---- local routes ----

    static PathAttributes localAttrs(int origin) {
        return PathAttributes.builder().origin(origin).asPath(AsPath.EMPTY).build();
    }

    private void addLocal(Prefix p, RouteSource src, PathAttributes a) {
        int d = loc.add(p);
        Path old = loc.find(d, null, src, 0);
        PathAttributes raw = intern(a);
        Path now = path(new Path(null, src, 0, raw, localImport(p, src, raw), null, false));
        if (old != now) loc.replace(d, old, now);
        decide(d);
    }

    private PathAttributes localImport(Prefix p, RouteSource src, PathAttributes a) {
        if (src != RouteSource.KERNEL || rc.kernel().importPolicies().isEmpty()) return a;
        return Policy.evaluate(rc.chain(rc.kernel().importPolicies()), p, a, src, sc.asNumber());
    }

    private void removeLocal(Prefix p, RouteSource src) {
        int d = loc.find(p);
        Path path = d < 0 ? null : loc.find(d, null, src, 0);
        if (path != null) drop(d, path);
    }

    /** A kernel route of a learned protocol appeared or disappeared (felix's workload routes). Any thread. */
    public void kernelRoute(Prefix p, boolean present) {
        submit(() -> {
            if (present && !insideOriginated(p)) addLocal(p, RouteSource.KERNEL, localAttrs(PathAttributes.ORIGIN_INCOMPLETE));
            else removeLocal(p, RouteSource.KERNEL);
        });
    }

    private boolean insideOriginated(Prefix p) {
        for (Prefix o : sc.originate()) {
            if (o.family() != p.family() || o.length() > p.length() || o.equals(p)) continue;
            if (new org.calicojava.bgp.policy.PrefixRange(o, o.length(), o.family().maxPrefixLength()).matches(p)) return true;
        }
        return false;
    }

    // ---- reload ----

    /** Applies new routing settings: re-evaluates Adj-RIB-In and exports against the new policies, sends the difference. */
    public void reconfigure(SpeakerConfig nsc, RoutingConfig nrc) {
        call(() -> {
            SpeakerConfig before = sc;
            sc = nsc;
            rc = nrc;
            best = new BestPath(nrc.alwaysCompareMed());
            for (PeerInfo pi : peers.values()) if (pi.routing != null) pi.configure(nrc.neighbor(pi.address), nrc);
            for (Prefix p : before.originate()) if (!nsc.originate().contains(p)) removeLocal(p, RouteSource.STATIC);
            for (Prefix p : nsc.originate()) if (!before.originate().contains(p)) addLocal(p, RouteSource.STATIC, localAttrs(PathAttributes.ORIGIN_IGP));
            for (int d = 0; d < loc.high(); d++) {
                if (!loc.live(d)) continue;
                for (Path p : loc.paths(d)) {
                    PathAttributes a;
                    if (p.from != null && p.from.routing != null) {
                        a = importAttrs(p.from, d, p.raw);
                        if (p.attrs != null) p.from.accepted--;
                        if (a != null) p.from.accepted++;
                    } else if (p.from == null) {
                        a = localImport(loc.prefix(d), p.source, p.raw);
                    } else {
                        continue;
                    }
                    if (a != p.attrs) loc.replace(d, p, path(p.withAttrs(a)));
                }
                decide(d);
                if (!loc.live(d) || loc.best[d] == null && loc.paths[d] == null) continue;
                for (PeerInfo t : peerList) if (t.established) out.export(t, d);
                if (kernel != null) kernelDirty.add(loc.prefix(d));
            }
            afterBatch();
            out.flush();
            return null;
        });
    }

    // ---- status (through the control socket, any thread) ----

    public <T> T call(Callable<T> c) {
        try {
            if (thread.next().inEventLoop()) return c.call();
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

    public void watch(Consumer<String> w) { watchers.add(w); }

    public void unwatch(Consumer<String> w) { watchers.remove(w); }

    /** Watchers now (tests). */
    int watcherCount() { return watchers.size(); }

    String describe(Path p) {
        String from = p.from == null ? p.source.name().toLowerCase(Locale.ROOT) : "from " + Ip.string(p.from.address) + " (" + p.from.type() + ")";
        String nh = p.nh6 != null ? " via " + Prefix.formatAddress(Arrays.copyOf(p.nh6, 16)) : "";
        return from + nh + (p.stale ? " stale" : "") + " {" + p.attrs + "}";
    }

    PeerInfo info(Peer peer) {
        PeerInfo pi = peers.get(peer.address());
        if (pi == null) {
            pi = new PeerInfo(peer.address(), nextSlot++);
            peers.put(peer.address(), pi);
            peerList = Arrays.copyOf(peerList, peerList.length + 1);
            peerList[peerList.length - 1] = pi;
        }
        if (pi.routing == null) pi.configure(rc.neighbor(peer.address()), rc);
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
                    long suppressed = errors.admit(null, e.getClass().getName());  // a bug, but one a peer may trigger at will
                    if (suppressed == 0) log.error("rib: {}", e.toString(), e);
                    else if (suppressed > 0) log.error("rib: {}{}", e, errors.suffix(suppressed));
                }
            });
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    public int size() { return call(loc::size); }

    public ScheduledExecutorService thread() { return thread; }

    /** The best path of {@code p} now, or null (tests, status). */
    Path best(Prefix p) { return call(() -> { int d = loc.find(p); return d < 0 ? null : loc.best[d]; }); }

    /** Every path of {@code p}, rejected ones included (tests, status). */
    List<Path> paths(Prefix p) { return call(() -> { int d = loc.find(p); return d < 0 ? List.<Path>of() : List.of(loc.paths(d)); }); }

    /** Best routes learned from peers (what belongs in the kernel): prefix -> next hop. */
    public Map<Prefix, InetAddress> bgpBest() {
        return call(() -> {
            Map<Prefix, InetAddress> m = new HashMap<>();
            for (int d = 0; d < loc.high(); d++) {
                Path b = loc.live(d) ? loc.best[d] : null;
                if (b != null && b.from != null) m.put(loc.prefix(d), nextHop(loc.prefix(d), b));
            }
            return m;
        });
    }

    @Override public void close() { thread.shutdownGracefully(0, 1, TimeUnit.SECONDS); }

    /** One row per configured neighbour for {@code show protocols}: session state from the speaker, counters from here. */
    public List<Map<String, Object>> protocols() {
        return call(() -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Peer p : speaker.peers()) {
                PeerInfo pi = peers.get(p.address());
                Map<String, Object> m = new LinkedHashMap<>();
                boolean up = p.state() == org.calicojava.bgp.session.SessionState.ESTABLISHED;
                m.put("name", "peer_" + Ip.string(p.address()).replace('.', '_').replace(':', '_'));
                m.put("address", Ip.string(p.address()));
                m.put("asNumber", p.config().asNumber());
                m.put("type", p.config().asNumber() == sc.asNumber() ? "ibgp" : "ebgp");
                m.put("state", up ? "Established" : name(p.state()));
                m.put("since", java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").withZone(java.time.ZoneOffset.UTC).format(p.since()));
                m.put("lastError", p.lastError() == null ? "" : p.lastError());
                m.put("info", up ? "Established" : p.lastError() == null ? name(p.state()) : p.lastError());
                m.put("received", pi == null ? 0 : pi.received);
                m.put("accepted", pi == null ? 0 : pi.accepted);
                m.put("advertised", pi == null || !up ? 0 : pi.outCount);
                m.put("rrClient", rc.neighbor(p.address()).rrClient());
                out.add(m);
            }
            return out;
        });
    }

    private static String name(org.calicojava.bgp.session.SessionState s) {
        String n = s.name().toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder();
        boolean up = true;
        for (char c : n.toCharArray()) {
            if (c == '_') { up = true; continue; }
            sb.append(up ? Character.toUpperCase(c) : c);
            up = false;
        }
        return sb.toString();
    }

    /** {@code show route [PREFIX] [all]}: best (and with {@code all} every path, with the reason the best won). */
    public String showRoute(Prefix only, boolean all) {
        return call(() -> {
            StringBuilder sb = new StringBuilder();
            List<Integer> ds = new ArrayList<>();
            if (only != null) {
                if (loc.find(only) >= 0) ds.add(loc.find(only));
            } else {
                for (int d = 0; d < loc.high(); d++) if (loc.live(d)) ds.add(d);
            }
            ds.sort(Comparator.comparing((Integer d) -> loc.family(d)).thenComparing(d -> loc.prefix(d).toString()));
            for (int d : ds) {
                Path b = loc.best[d];
                if (b == null && !all) continue;
                sb.append(loc.prefix(d)).append('\n');
                if (b != null) sb.append("  * ").append(describe(b)).append('\n');
                if (!all) continue;
                for (Path p : loc.paths(d)) {
                    if (p == b) continue;
                    sb.append("    ").append(p.attrs == null ? "filtered " + (p.from == null ? "" : "from " + Ip.string(p.from.address)) + " {" + p.raw + "}"
                            : describe(p) + " (lost: " + (b == null ? "no best" : best.reason(b, p)) + ")").append('\n');
                }
            }
            if (sb.length() == 0) sb.append(only == null ? "no routes\n" : "network not in table: " + only + "\n");
            return sb.toString();
        });
    }

    public Map<String, Long> sizes() {
        return call(() -> {
            long adjIn = 0, adjOut = 0;
            for (PeerInfo pi : peers.values()) { adjIn += pi.received; adjOut += pi.outCount; }
            return Map.of("loc", (long) loc.size(), "adj_in", adjIn, "adj_out", adjOut);
        });
    }
}
