package org.calicojava.bgp.rib;

import org.calicojava.bgp.codec.Prefix;

import java.util.Arrays;

/** One prefix in the Loc-RIB: its candidate paths and the best one. */
final class Dest {
    private static final Path[] NONE = new Path[0];
    final Prefix prefix;
    Path[] paths = NONE;
    Path best;
    org.calicojava.bgp.codec.PathAttributes lastAttrs;
    byte[] lastNh6;
    /** Adj-RIB-Out, one entry per peer slot (null: not advertised); {@code dirty} bit per slot (< 64) while queued. */
    Advert[] out;
    long dirty;

    Advert out(int slot) { return out == null || slot >= out.length ? null : out[slot]; }

    void out(int slot, Advert a) {
        if (out == null || slot >= out.length) {
            if (a == null) return;
            out = out == null ? new Advert[slot + 1] : Arrays.copyOf(out, slot + 1);
        }
        out[slot] = a;
    }

    Dest(Prefix prefix) { this.prefix = prefix; }

    Path find(PeerInfo from, org.calicojava.bgp.policy.RouteSource src) {
        for (Path p : paths) if (p.from == from && (from != null || p.source == src)) return p;
        return null;
    }

    void add(Path p) {
        paths = Arrays.copyOf(paths, paths.length + 1);
        paths[paths.length - 1] = p;
    }

    void remove(Path p) {
        for (int i = 0; i < paths.length; i++) {
            if (paths[i] == p) {
                Path[] n = new Path[paths.length - 1];
                System.arraycopy(paths, 0, n, 0, i);
                System.arraycopy(paths, i + 1, n, i, paths.length - i - 1);
                paths = n;
                return;
            }
        }
    }
}
