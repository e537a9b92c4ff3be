package org.calicojava.bgp.rib;

import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.policy.Policy;
import org.calicojava.bgp.session.Peer;

import java.net.InetAddress;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The RIB's view of one neighbour: its session, settings, Adj-RIB-Out and counters. Owned by the RIB thread. */
final class PeerInfo {
    final InetAddress address;
    volatile Peer peer;
    NeighborRouting routing;
    List<Policy> importChain, exportChain;
    boolean importByPrefix, exportByPrefix;
    boolean ibgp, established, gracefulRestart;
    int routerId, restartTime;
    long asNumber;
    /** Index of this peer's Adj-RIB-Out entry in every {@link Dest#out}. */
    final int slot;
    /** Destinations whose Adj-RIB-Out entry changed since the last flush (each once, see {@link Dest#dirty}). */
    final java.util.ArrayList<Dest> dirty = new java.util.ArrayList<>();
    /** How many prefixes the peer has from us. */
    int outCount;
    final Set<Family> staleFamilies = EnumSet.noneOf(Family.class);
    io.netty.util.concurrent.Future<?> staleTimer;
    java.util.concurrent.ScheduledFuture<?> staleSweep;
    long received, accepted;
    // one-entry caches: routes of one UPDATE share their attributes
    Object importKey, importResult;
    Path exportKeyPath;
    org.calicojava.bgp.codec.PathAttributes exportKeyAttrs;
    Advert exportResult;
    /** The family the cached export result was computed for (IPv4 and IPv6 local routes share one attribute set). */
    Family exportKeyFamily;
    final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    volatile boolean paused;

    PeerInfo(InetAddress address) { this(address, 0); }

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
        exportKeyAttrs = null;
        exportResult = null;
    }

    String type() { return ibgp ? "ibgp" : "ebgp"; }
}
