package org.calicojava.bgp.rib;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.codec.UpdatePacker;
import org.calicojava.bgp.session.Negotiated;

/**
 * Adj-RIB-Out of every peer (state in {@link PeerInfo}): what each peer has from us per destination index, the changes
 * queued since the last flush, and the flush into packed UPDATEs (prefixes grouped by interned {@link Advert}, straight
 * from the packed IPv4 keys). ADD-PATH send (RFC 7911): a peer that negotiated it gets every exportable path of a
 * destination, each with its own path id. Runs on the RIB's thread.
 */
final class AdjRibOut {
    static final int FLUSH_AT = 20_000;
    private final Rib rib;
    private final Table loc;
    private final Map<Advert, Integer> advertIds = new HashMap<>();
    private final List<Advert> adverts = new ArrayList<>();
    private int pending;

    AdjRibOut(Rib rib) {
        this.rib = rib;
        this.loc = rib.loc;
    }

    /** The attribute sets of every advert (they stay interned: peers' Adj-RIB-Out refers to adverts by id). */
    List<org.calicojava.bgp.codec.PathAttributes> advertAttributes() {
        List<org.calicojava.bgp.codec.PathAttributes> r = new ArrayList<>(adverts.size());
        for (Advert a : adverts) {
            r.add(a.attrs());
        }
        return r;
    }

    /** Changes queued since the last flush. */
    int pending() {
        return pending;
    }

    /** Whether {@code t} has (or is about to get) anything for {@code d}. */
    boolean has(PeerInfo t, int d) {
        return t.out(d) != 0 || t.sentPaths.containsKey(d);
    }

    /** Brings what {@code t} should have for {@code d} up to date (queued; sent at the next flush). */
    void export(PeerInfo t, int d) {
        if (!t.addPathSend.isEmpty() && t.addPathSend.contains(loc.family(d))) { // every path: worked out at the flush
            if (t.enqueue(d) && ++pending >= FLUSH_AT) {
                flush();
            }
            return;
        }
        Path b = loc.best[d];
        int a = b == null ? 0 : advertFor(t, b, d);
        int prev = t.out(d);
        if (prev == a) {
            return;
        }
        t.out(d, a);
        t.outCount += (a == 0 ? 0 : 1) - (prev == 0 ? 0 : 1);
        if (t.enqueue(d) && ++pending >= FLUSH_AT) {
            flush();
        }
    }

    /** The advert id + 1 of path {@code b} of {@code d} toward {@code t}, 0 when not exported (cached per shared path). */
    private int advertFor(PeerInfo t, Path b, int d) {
        Family f = loc.family(d); // one shared path may serve IPv4 and IPv6 prefixes: next hops differ per family
        if (!t.exportByPrefix && t.exportKeyPath == b && t.exportKeyFamily == f) {
            return t.exportResult;
        }
        Advert x = Exporter.export(b, loc.prefix(d), t, rib.sc, rib.rc);
        int a = x == null ? 0 : advertId(x) + 1;
        t.exportKeyPath = b;
        t.exportKeyFamily = f;
        t.exportResult = a;
        return a;
    }

    /** Received path ids above 16 bits, by (peer slot, id): our ids for them, allocated once from 0x80000000 up. */
    private static final java.util.concurrent.ConcurrentHashMap<Long, Integer> WIDE_IDS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static final java.util.concurrent.atomic.AtomicInteger NEXT_WIDE =
            new java.util.concurrent.atomic.AtomicInteger();

    /**
     * ADD-PATH send: our path id for {@code p}, unique within a destination: local routes by source, learned ones by
     * peer slot and received id (ids that do not fit 16 bits get an id of their own, so they never collide).
     */
    static int pathId(Path p) {
        if (p.from == null) {
            return 0x7fff0000 | p.source.ordinal();
        }
        if ((p.pathId & ~0xffff) == 0) {
            return (p.from.slot + 1) << 16 | p.pathId;
        }
        return WIDE_IDS.computeIfAbsent(
                (long) p.from.slot << 32 | (p.pathId & 0xffffffffL),
                k -> 0x80000000 | NEXT_WIDE.getAndIncrement() & 0x7fffffff);
    }

    /** ADD-PATH send: the paths {@code t} gets for {@code d} now, {@code pathId << 32 | advert + 1}, sorted. */
    private long[] currentPaths(PeerInfo t, int d) {
        Path[] ps = loc.paths(d);
        long[] r = new long[ps.length];
        int n = 0;
        for (Path p : ps) {
            if (p.attrs == null) {
                continue;
            }
            int a = advertFor(t, p, d);
            if (a != 0) {
                r[n++] = (long) pathId(p) << 32 | a;
            }
        }
        r = Arrays.copyOf(r, n);
        Arrays.sort(r);
        return r;
    }

    /** ADD-PATH send: the difference between what {@code t} has for {@code d} and what it should have, into the builders. */
    private void flushPaths(PeerInfo t, int d, Map<Integer, Nlri.Builder> ann, Map<Family, Nlri.Builder> wd) {
        long[] now = currentPaths(t, d), had = t.sentPaths.getOrDefault(d, new long[0]);
        Prefix p = loc.prefix(d);
        Family f = p.family();
        for (long e : had) {
            int id = (int) (e >>> 32);
            boolean kept = false;
            for (long x : now) {
                kept |= (int) (x >>> 32) == id;
            }
            if (!kept) {
                wd.computeIfAbsent(f, x -> Nlri.builder(x, true)).add(p, id);
            }
        }
        for (long e : now) {
            if (Arrays.binarySearch(had, e) >= 0) {
                continue; // the same path id with the same advert: nothing to send
            }
            int a = (int) e;
            ann.computeIfAbsent(-(a * 8 + f.ordinal()) - 1, x -> Nlri.builder(f, true))
                    .add(p, (int) (e >>> 32));
        }
        if (now.length == 0) {
            t.sentPaths.remove(d);
        } else {
            t.sentPaths.put(d, now);
        }
        t.outCount += (now.length > 0 ? 1 : 0) - (had.length > 0 ? 1 : 0);
    }

    private int advertId(Advert x) {
        x = new Advert(rib.intern(x.attrs()), x.nh6());
        Integer id = advertIds.get(x);
        if (id == null) {
            id = adverts.size();
            adverts.add(x);
            advertIds.put(x, id);
        }
        return id;
    }

    /** Sends every peer its queued changes as packed UPDATEs. */
    void flush() {
        pending = 0;
        for (PeerInfo t : rib.peerList) {
            if (t.pending == 0) {
                continue;
            }
            Negotiated n = t.negotiated;
            if (!t.established || t.peer == null || n == null) {
                t.clearOut();
                continue;
            }
            Map<Integer, Nlri.Builder> ann = new LinkedHashMap<>();
            Map<Family, Nlri.Builder> wd = new EnumMap<>(Family.class);
            int lastAdvert = -1;
            Nlri.Builder last = null; // runs of one advert skip the map
            boolean v4 = n.families().contains(Family.IPV4_UNICAST),
                    ids4 = n.codec().sendsPathIds(Family.IPV4_UNICAST);
            for (int q = 0; q < t.pending; q++) {
                int d = t.queue[q], a = t.out(d);
                long k = loc.keys[d];
                if (k != Table.FREE && !t.addPathSend.isEmpty() && t.addPathSend.contains(loc.family(d))) {
                    flushPaths(t, d, ann, wd);
                    continue;
                }
                if (k >= 0) { // IPv4 straight from the packed key
                    if (!v4) {
                        continue;
                    }
                    Nlri.Builder b;
                    if (a == 0) {
                        b = wd.computeIfAbsent(Family.IPV4_UNICAST, x -> Nlri.builder(x, ids4));
                    } else if (a == lastAdvert) {
                        b = last;
                    } else {
                        b = last = ann.computeIfAbsent(lastAdvert = a, x -> Nlri.builder(Family.IPV4_UNICAST, ids4));
                    }
                    if (ids4) {
                        b.add(loc.prefix(d), 1);
                    } else {
                        b.addV4((int) k, (int) (k >>> 32));
                    }
                    continue;
                }
                if (k == Table.FREE) {
                    continue;
                }
                Prefix p = loc.prefix(d);
                Family f = p.family();
                if (!n.families().contains(f)) {
                    continue;
                }
                boolean ids = n.codec().sendsPathIds(f);
                if (a == 0) {
                    wd.computeIfAbsent(f, x -> Nlri.builder(x, ids)).add(p, 1);
                } else {
                    // other families get their own builder per advert: key by advert and family
                    ann.computeIfAbsent(-(a * 8 + f.ordinal()) - 1, x -> Nlri.builder(f, ids))
                            .add(p, 1);
                }
            }
            t.clearQueue();
            List<Update> out = new ArrayList<>();
            for (Nlri.Builder b : wd.values()) {
                out.addAll(UpdatePacker.withdraw(b.build(), n.codec()));
            }
            for (Map.Entry<Integer, Nlri.Builder> e : ann.entrySet()) {
                int key = e.getKey();
                Advert a = adverts.get((key > 0 ? key : (-key - 1) / 8) - 1);
                out.addAll(UpdatePacker.announce(a.attrs(), e.getValue().build(), a.nh6(), n.codec()));
            }
            if (!out.isEmpty()) {
                rib.metrics.updatesOut(t.address, out.size());
                t.peer.send(out);
            }
        }
    }
}
