package org.calicojava.bgp.rib;

import java.util.Arrays;
import java.util.Objects;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.policy.RouteSource;

/**
 * One path to a prefix: from a peer (Adj-RIB-In, pre-policy {@code raw} kept so a policy change re-evaluates without a
 * session reset; {@code pathId} distinguishes ADD-PATH paths, 0 without) or local ({@code from == null}: {@code originate:}
 * or a kernel route). {@code attrs} is the result of the import policy, null when rejected.
 *
 * <p>Immutable and interned by the RIB ({@link Rib#path}): a million prefixes learned from one peer with one attribute
 * set share one {@code Path}; a change replaces the reference. So identity says "same path, same attributes".
 */
final class Path {
    final PeerInfo from;
    final RouteSource source;
    final int pathId;
    final PathAttributes raw, attrs;
    final byte[] nh6;
    final boolean stale;
    private final int hash;

    Path(
            PeerInfo from,
            RouteSource source,
            int pathId,
            PathAttributes raw,
            PathAttributes attrs,
            byte[] nh6,
            boolean stale) {
        this.from = from;
        this.source = source;
        this.pathId = pathId;
        this.raw = raw;
        this.attrs = attrs;
        this.nh6 = nh6;
        this.stale = stale;
        this.hash = Objects.hash(
                System.identityHashCode(from),
                source,
                pathId,
                System.identityHashCode(raw),
                System.identityHashCode(attrs),
                Arrays.hashCode(nh6),
                stale);
    }

    /** Interning equality: same peer, source and path id, the same (interned) attribute sets, equal next hop. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Path p
                && p.hash == hash
                && p.from == from
                && p.source == source
                && p.pathId == pathId
                && p.raw == raw
                && p.attrs == attrs
                && p.stale == stale
                && Arrays.equals(p.nh6, nh6);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    Path withAttrs(PathAttributes a) {
        return new Path(from, source, pathId, raw, a, nh6, stale);
    }

    Path withStale(boolean s) {
        return new Path(from, source, pathId, raw, attrs, nh6, s);
    }

    boolean local() {
        return from == null;
    }

    long localPref() {
        return attrs.localPref() < 0 ? 100 : attrs.localPref();
    }
}
