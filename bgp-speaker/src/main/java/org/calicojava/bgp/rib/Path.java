package org.calicojava.bgp.rib;

import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.policy.RouteSource;

/**
 * One path to a prefix: from a peer (Adj-RIB-In, pre-policy {@code raw} kept so a policy change re-evaluates without a
 * session reset) or local ({@code from == null}: {@code originate:} or a kernel route). {@code attrs} is the result of
 * the import policy, null when rejected.
 */
final class Path {
    final PeerInfo from;
    final RouteSource source;
    PathAttributes raw;
    PathAttributes attrs;
    byte[] nh6;
    boolean stale;

    Path(PeerInfo from, RouteSource source, PathAttributes raw, byte[] nh6) {
        this.from = from;
        this.source = source;
        this.raw = raw;
        this.nh6 = nh6;
    }

    boolean local() { return from == null; }

    long localPref() { return attrs.localPref() < 0 ? 100 : attrs.localPref(); }
}
