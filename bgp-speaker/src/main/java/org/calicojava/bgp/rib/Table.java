package org.calicojava.bgp.rib;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.policy.RouteSource;

/**
 * The Loc-RIB's destinations without an object per prefix. Each destination is a stable int index into parallel arrays:
 * its key (an IPv4 prefix packed into a long, {@code length << 32 | address}), its candidate paths (null, one shared
 * {@link Path}, or a {@code Path[]}) and its best path. IPv4 keys are found through a primitive open-addressing table
 * (linear probing, backward-shift deletion) straight from packed {@link Nlri} words; other families (rare) through a map.
 * Freed indices are reused; per-peer Adj-RIB-Out state ({@link PeerInfo}) is indexed the same way.
 */
final class Table {
    static final long FREE = -2, OTHER = -1;
    private int[] slots = new int[2048]; // destination index + 1, 0 = empty
    long[] keys = new long[1024];
    Object[] paths = new Object[1024];
    Path[] best = new Path[1024];
    private final Map<Prefix, Integer> otherIndex = new HashMap<>();
    private final Map<Integer, Prefix> otherPrefix = new HashMap<>();
    private int[] free = new int[64];
    private int freeCount, high, size, v4size;

    Table() {
        Arrays.fill(keys, FREE);
    }

    int size() {
        return size;
    }

    /** Indices below this may be live ({@link #live}). */
    int high() {
        return high;
    }

    boolean live(int d) {
        return keys[d] != FREE;
    }

    static long v4Key(int address, int length) {
        return (long) length << 32 | (address & 0xffffffffL);
    }

    /**
     * Neighbouring prefixes of one length (network numbers differing in the low 4 bits) get neighbouring slots, groups of
     * 16 are scattered: a sorted feed touches the table sequentially (few cache misses), any other order still spreads.
     */
    private static int hash(long k) {
        int len = (int) (k >>> 32), net = len == 0 ? 0 : (int) k >>> (32 - len);
        long h = ((net >>> 4) * 0x9E3779B97F4A7C15L) ^ (len * 0xC2B2AE3D27D4EB4FL);
        return (int) (h ^ h >>> 29) << 4 | (net & 15);
    }

    private int findV4(long key) {
        int mask = slots.length - 1;
        for (int i = hash(key) & mask, s; (s = slots[i]) != 0; i = (i + 1) & mask) {
            if (keys[s - 1] == key) {
                return s - 1;
            }
        }
        return -1;
    }

    private int addV4(long key) {
        int mask = slots.length - 1, i = hash(key) & mask;
        for (int s; (s = slots[i]) != 0; i = (i + 1) & mask) {
            if (keys[s - 1] == key) {
                return s - 1;
            }
        }
        int d = allocate(key);
        slots[i] = d + 1;
        if (++v4size * 4 > slots.length * 3) {
            rehash();
        }
        return d;
    }

    /** The index of prefix {@code i} of {@code n}, created when {@code create}, else -1 when absent. */
    int find(Nlri n, int i, boolean create) {
        if (n.family() == Family.IPV4_UNICAST) {
            long k = n.v4Key(i);
            return create ? addV4(k) : findV4(k);
        }
        return create ? add(Rib.prefix(n, i)) : find(Rib.prefix(n, i));
    }

    int find(Prefix p) {
        if (p.family() == Family.IPV4_UNICAST) {
            return findV4(v4Key(p.w0(), p.length()));
        }
        Integer d = otherIndex.get(p);
        return d == null ? -1 : d;
    }

    int add(Prefix p) {
        if (p.family() == Family.IPV4_UNICAST) {
            return addV4(v4Key(p.w0(), p.length()));
        }
        Integer d = otherIndex.get(p);
        if (d != null) {
            return d;
        }
        int n = allocate(OTHER);
        otherIndex.put(p, n);
        otherPrefix.put(n, p);
        return n;
    }

    Prefix prefix(int d) {
        long k = keys[d];
        return k >= 0 ? new Prefix(Family.IPV4_UNICAST, (int) (k >>> 32), (int) k, 0, 0, 0) : otherPrefix.get(d);
    }

    Family family(int d) {
        return keys[d] >= 0 ? Family.IPV4_UNICAST : otherPrefix.get(d).family();
    }

    private int allocate(long key) {
        int d;
        if (freeCount > 0) {
            d = free[--freeCount];
        } else {
            if (high == keys.length) {
                int n = keys.length * 2;
                keys = Arrays.copyOf(keys, n);
                Arrays.fill(keys, high, n, FREE);
                paths = Arrays.copyOf(paths, n);
                best = Arrays.copyOf(best, n);
            }
            d = high++;
        }
        keys[d] = key;
        size++;
        return d;
    }

    private void rehash() {
        int[] n = new int[slots.length * 2];
        int mask = n.length - 1;
        for (int s : slots) {
            if (s == 0) {
                continue;
            }
            int i = hash(keys[s - 1]) & mask;
            while (n[i] != 0) {
                i = (i + 1) & mask;
            }
            n[i] = s;
        }
        slots = n;
    }

    /** Frees {@code d} (no paths, no best, nothing queued toward any peer); its index may be reused. */
    void remove(int d) {
        long k = keys[d];
        if (k == FREE) {
            return;
        }
        if (k >= 0) {
            int mask = slots.length - 1, i = hash(k) & mask;
            while (slots[i] != d + 1) {
                i = (i + 1) & mask;
            }
            slots[i] = 0;
            v4size--;
            for (int j = (i + 1) & mask; slots[j] != 0; j = (j + 1) & mask) { // backward shift
                int home = hash(keys[slots[j] - 1]) & mask;
                if (((j - home) & mask) >= ((j - i) & mask)) {
                    slots[i] = slots[j];
                    slots[j] = 0;
                    i = j;
                }
            }
        } else {
            otherIndex.remove(otherPrefix.remove(d));
        }
        keys[d] = FREE;
        paths[d] = null;
        best[d] = null;
        size--;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = d;
    }

    // ---- candidate paths of one destination ----

    private static final Path[] NONE = new Path[0];

    int pathCount(int d) {
        Object o = paths[d];
        return o == null ? 0 : o instanceof Path ? 1 : ((Path[]) o).length;
    }

    /** The paths of {@code d} as a fresh array (status, rare paths). */
    Path[] paths(int d) {
        Object o = paths[d];
        return o == null ? NONE : o instanceof Path p ? new Path[] {p} : ((Path[]) o).clone();
    }

    Path find(int d, PeerInfo from, RouteSource src, int pathId) {
        Object o = paths[d];
        if (o instanceof Path p) {
            return matches(p, from, src, pathId) ? p : null;
        }
        if (o != null) {
            for (Path p : (Path[]) o) {
                if (matches(p, from, src, pathId)) {
                    return p;
                }
            }
        }
        return null;
    }

    private static boolean matches(Path p, PeerInfo from, RouteSource src, int pathId) {
        return p.from == from && (from != null ? p.pathId == pathId : p.source == src);
    }

    /** Replaces {@code old} (null: adds) by {@code now} (null: removes) among the paths of {@code d}. */
    void replace(int d, Path old, Path now) {
        Object o = paths[d];
        if (old == null) {
            if (o == null) {
                paths[d] = now;
            } else if (o instanceof Path p) {
                paths[d] = new Path[] {p, now};
            } else {
                Path[] a = Arrays.copyOf((Path[]) o, ((Path[]) o).length + 1);
                a[a.length - 1] = now;
                paths[d] = a;
            }
        } else if (o == old) {
            paths[d] = now;
        } else if (o instanceof Path[] a) {
            int i = 0;
            while (i < a.length && a[i] != old) {
                i++;
            }
            if (i == a.length) {
                throw new IllegalStateException("path not found");
            }
            if (now != null) {
                Path[] c = a.clone();
                c[i] = now;
                paths[d] = c;
            } else if (a.length == 2) {
                paths[d] = a[1 - i];
            } else {
                Path[] c = new Path[a.length - 1];
                System.arraycopy(a, 0, c, 0, i);
                System.arraycopy(a, i + 1, c, i, a.length - i - 1);
                paths[d] = c;
            }
        } else {
            throw new IllegalStateException("path not found");
        }
    }
}
