package org.calicojava.bgp.rib;

import java.util.HashMap;
import java.util.Map;
import org.calicojava.bgp.codec.PathAttributes;

/** The shared instances of paths and attribute sets (routes of one UPDATE share one), forgotten when no longer used. */
final class Interner {
    private final Map<PathAttributes, PathAttributes> attrs = new HashMap<>();
    private final Map<Path, Path> paths = new HashMap<>();
    private int pathsAtCompaction = 1024;

    /** The shared instance of {@code p}. */
    Path path(Path p) {
        Path x = paths.putIfAbsent(p, p);
        return x == null ? p : x;
    }

    /** The shared instance of {@code a}. */
    PathAttributes attributes(PathAttributes a) {
        PathAttributes x = attrs.putIfAbsent(a, a);
        return x == null ? a : x;
    }

    /** Interned paths now. */
    int paths() {
        return paths.size();
    }

    /** True when the path map has doubled since the last compaction. */
    boolean due() {
        return paths.size() >= 2 * pathsAtCompaction;
    }

    /**
     * Forgets interned paths and attribute sets that no destination of {@code loc} (nor an advert of {@code out})
     * refers to any more (replaced, withdrawn, stale variants, old ADD-PATH ids): the maps would otherwise only grow.
     * Runs when the path map has doubled since the last time, so its table scan is amortised. Caches that still hold a
     * dropped object only miss. Returns how many paths were dropped.
     */
    int compact(Table loc, AdjRibOut out) {
        Map<Path, Path> live = new HashMap<>();
        for (int d = 0; d < loc.high(); d++) {
            Object o = loc.live(d) ? loc.paths[d] : null;
            if (o instanceof Path p) {
                live.put(p, p);
            } else if (o != null) {
                for (Path p : (Path[]) o) {
                    live.put(p, p);
                }
            }
        }
        Map<PathAttributes, PathAttributes> used = new HashMap<>();
        for (Path p : live.keySet()) {
            if (p.raw != null) {
                used.put(p.raw, p.raw);
            }
            if (p.attrs != null) {
                used.put(p.attrs, p.attrs);
            }
        }
        for (PathAttributes a : out.advertAttributes()) {
            used.put(a, a);
        }
        int dropped = paths.size() - live.size();
        paths.clear();
        paths.putAll(live);
        attrs.clear();
        attrs.putAll(used);
        pathsAtCompaction = Math.max(1024, live.size());
        return dropped;
    }
}
