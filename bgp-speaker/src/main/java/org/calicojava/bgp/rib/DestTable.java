package org.calicojava.bgp.rib;

import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.Prefix;

import java.util.AbstractCollection;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The Loc-RIB's destinations in one open-addressing table (linear probing, backward-shift deletion): no map entry
 * object per prefix, and lookups straight from packed {@link Nlri} words without allocating a {@link Prefix}.
 */
final class DestTable extends AbstractCollection<Dest> {
    private Dest[] table = new Dest[1024];
    private int size;

    private static int hash(Family f, int len, int w0, int w1, int w2, int w3) {
        int h = w0 * 0x9E3779B1 ^ w1 * 0x85EBCA77 ^ w2 * 0xC2B2AE3D ^ w3 * 0x27D4EB2F ^ (len + f.ordinal() * 131) * 0x165667B1;
        return h ^ h >>> 15;
    }

    private static boolean is(Dest d, Family f, int len, int w0, int w1, int w2, int w3) {
        Prefix p = d.prefix;
        return p.length() == len && p.w0() == w0 && p.w1() == w1 && p.w2() == w2 && p.w3() == w3 && p.family() == f;
    }

    private int slot(Family f, int len, int w0, int w1, int w2, int w3) {
        int mask = table.length - 1;
        int i = hash(f, len, w0, w1, w2, w3) & mask;
        while (table[i] != null && !is(table[i], f, len, w0, w1, w2, w3)) i = (i + 1) & mask;
        return i;
    }

    Dest get(Prefix p) { return table[slot(p.family(), p.length(), p.w0(), p.w1(), p.w2(), p.w3())]; }

    /** The destination of prefix {@code i} of {@code n}; created when {@code create}, else null when absent. */
    Dest get(Nlri n, int i, boolean create) {
        Family f = n.family();
        int len = n.prefixLength(i);
        boolean v4 = f == Family.IPV4_UNICAST;
        int w0 = mask(n.word(i, 0), len), w1 = v4 ? 0 : mask(n.word(i, 1), len - 32), w2 = v4 ? 0 : mask(n.word(i, 2), len - 64),
                w3 = v4 ? 0 : mask(n.word(i, 3), len - 96);
        int s = slot(f, len, w0, w1, w2, w3);
        Dest d = table[s];
        if (d != null || !create) return d;
        d = new Dest(new Prefix(f, len, w0, w1, w2, w3));
        insert(s, d);
        return d;
    }

    Dest computeIfAbsent(Prefix p) {
        int s = slot(p.family(), p.length(), p.w0(), p.w1(), p.w2(), p.w3());
        if (table[s] != null) return table[s];
        Dest d = new Dest(p);
        insert(s, d);
        return d;
    }

    private void insert(int s, Dest d) {
        table[s] = d;
        if (++size * 4 > table.length * 3) grow();
    }

    private static int mask(int w, int bits) { return bits >= 32 ? w : bits <= 0 ? 0 : w & (-1 << (32 - bits)); }

    private void grow() {
        Dest[] old = table;
        table = new Dest[old.length * 2];
        for (Dest d : old) {
            if (d == null) continue;
            Prefix p = d.prefix;
            table[slot(p.family(), p.length(), p.w0(), p.w1(), p.w2(), p.w3())] = d;
        }
    }

    void remove(Dest d) {
        Prefix p = d.prefix;
        int mask = table.length - 1;
        int i = slot(p.family(), p.length(), p.w0(), p.w1(), p.w2(), p.w3());
        if (table[i] != d) return;
        table[i] = null;
        size--;
        for (int j = (i + 1) & mask; table[j] != null; j = (j + 1) & mask) {  // backward shift
            Dest e = table[j];
            Prefix q = e.prefix;
            int home = hash(q.family(), q.length(), q.w0(), q.w1(), q.w2(), q.w3()) & mask;
            if (((j - home) & mask) >= ((j - i) & mask)) {
                table[i] = e;
                table[j] = null;
                i = j;
            }
        }
    }

    @Override public int size() { return size; }

    @Override public Iterator<Dest> iterator() { return new It(); }

    private final class It implements Iterator<Dest> {
        private int i = advance(0);

        private int advance(int from) {
            while (from < table.length && table[from] == null) from++;
            return from;
        }

        @Override public boolean hasNext() { return i < table.length; }

        @Override public Dest next() {
            if (i >= table.length) throw new NoSuchElementException();
            Dest d = table[i];
            i = advance(i + 1);
            return d;
        }
    }
}
