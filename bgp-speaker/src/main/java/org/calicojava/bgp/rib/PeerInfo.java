package org.calicojava.bgp.rib;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.policy.Policy;
import org.calicojava.bgp.session.Peer;

/** The RIB's view of one neighbour: its session, settings, Adj-RIB-Out and counters. Owned by the RIB thread. */
final class PeerInfo {
    final InetAddress address;
    volatile Peer peer;
    NeighborRouting routing;
    List<Policy> importChain, exportChain;
    boolean importByPrefix, exportByPrefix;
    boolean ibgp, established, gracefulRestart;
    /** The session the RIB holds routes of ({@code Peer.sessionId()}), 0 when none; what was negotiated in it. */
    long session;

    org.calicojava.bgp.session.Negotiated negotiated;
    /** UPDATEs dropped because their session went down while they waited for the RIB thread. */
    long droppedInFlight;
    /** The neighbour's prefix limit (null: none), prefixes kept from it per family (by ordinal), and what the limit did. */
    org.calicojava.bgp.config.MaxPrefixes maxPrefixes;

    final long[] receivedByFamily = new long[Family.values().length];
    boolean limitStopped, limitWarned;
    long limitDropped;
    /** Prefixes treated as withdrawn for a martian or own NEXT_HOP (RFC 4271 5.1.3). */
    long badNextHops;
    /** UPDATEs with routes of a family the session did not negotiate (ignored, RFC 4760 6). */
    long notNegotiated;

    int routerId, restartTime;
    /** Index of this peer in the RIB's peer list. */
    final int slot;
    /**
     * Adj-RIB-Out by destination index: the id + 1 of the {@link Advert} the peer has (or will get at the next flush) for
     * each destination, 0 for none; {@code queue} lists ({@code pending} of) the destinations changed since the last flush, each once
     * ({@code dirty} bit set while queued).
     */
    int[] out = new int[0];

    long[] dirty = new long[0];
    int[] queue = new int[256];
    int pending;
    /**
     * ADD-PATH send (RFC 7911): the families in which this peer gets every exportable path, not only the best, and what
     * it has per destination index: {@code pathId << 32 | advert + 1}, sorted (an array per destination: such peers
     * are few, the compact {@link #out} serves the others).
     */
    Set<Family> addPathSend = EnumSet.noneOf(Family.class);

    final Map<Integer, long[]> sentPaths = new HashMap<>();
    /** How many prefixes the peer has from us. */
    int outCount;

    /** Graceful restart: the families with stale routes now, and those the peer's capability listed (RFC 4724 4.2). */
    final Set<Family> staleFamilies = EnumSet.noneOf(Family.class);

    Set<Family> grFamilies = EnumSet.noneOf(Family.class);
    java.util.concurrent.ScheduledFuture<?> staleSweep;
    long received, accepted;
    /** One-entry import cache (routes of one UPDATE share their attributes): the last raw attributes and their result. */
    PathAttributes importKey, importResult;

    Path exportKeyPath;
    Family exportKeyFamily;
    int exportResult;
    final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    volatile boolean paused;

    PeerInfo(InetAddress address) {
        this(address, 0);
    }

    PeerInfo(InetAddress address, int slot) {
        this.address = address;
        this.slot = slot;
    }

    void configure(NeighborRouting r, RoutingConfig cfg) {
        routing = r;
        importChain = cfg.chain(r.importPolicies());
        exportChain = cfg.chain(r.exportPolicies());
        importByPrefix = Policy.dependsOnPrefix(importChain);
        exportByPrefix = Policy.dependsOnPrefix(exportChain);
        importKey = null;
        importResult = null;
        exportKeyPath = null;
    }

    int out(int d) {
        return d < out.length ? out[d] : 0;
    }

    void out(int d, int advert) {
        if (d >= out.length) {
            if (advert == 0) {
                return;
            }
            out = Arrays.copyOf(out, Math.max(d + 1, out.length * 2));
        }
        out[d] = advert;
    }

    /** Queues destination {@code d} for the next flush; false when it was already pending. */
    boolean enqueue(int d) {
        int w = d >>> 6;
        if (w >= dirty.length) {
            dirty = Arrays.copyOf(dirty, Math.max(w + 1, dirty.length * 2));
        }
        if ((dirty[w] & 1L << d) != 0) {
            return false;
        }
        dirty[w] |= 1L << d;
        if (pending == queue.length) {
            queue = Arrays.copyOf(queue, pending * 2);
        }
        queue[pending++] = d;
        return true;
    }

    /** Forgets the queue (after a flush, or when the session starts over). */
    void clearQueue() {
        for (int i = 0; i < pending; i++) {
            dirty[queue[i] >>> 6] &= ~(1L << queue[i]);
        }
        pending = 0;
        if (queue.length > 4096) {
            queue = new int[256];
        }
    }

    /** Forgets everything the peer has from us. */
    void clearOut() {
        clearQueue();
        out = new int[0];
        sentPaths.clear();
        outCount = 0;
    }

    String type() {
        return ibgp ? "ibgp" : "ebgp";
    }
}
