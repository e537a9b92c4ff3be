package org.calicojava.felix.calc;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An immutable map whose next version is made cheaply from the previous one ({@link #toBuilder}): the entries are
 * spread over {@value #BUCKETS} buckets by hash and a new version shares every bucket it did not change. So a calculation
 * can hand out a fresh immutable map per run at the cost of its changes, and a reader holding the previous version
 * finds the keys that changed without walking the whole map ({@link #changedKeys}). Null keys and values are refused.
 */
public final class PersistentMap<K, V> extends AbstractMap<K, V> {
    static final int BITS = 9;
    static final int BUCKETS = 1 << BITS;

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final PersistentMap<?, ?> EMPTY = new PersistentMap(new HashMap[BUCKETS], 0);

    private final HashMap<K, V>[] buckets; // never mutated once this map exists; null = empty bucket
    private final int size;
    private Set<Entry<K, V>> entries;

    private PersistentMap(HashMap<K, V>[] buckets, int size) {
        this.buckets = buckets;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    public static <K, V> PersistentMap<K, V> empty() {
        return (PersistentMap<K, V>) EMPTY;
    }

    public static <K, V> PersistentMap<K, V> copyOf(Map<K, V> m) {
        if (m instanceof PersistentMap<K, V> p) {
            return p;
        }
        Builder<K, V> b = PersistentMap.<K, V>empty().toBuilder();
        m.forEach(b::put);
        return b.build();
    }

    static int index(Object key) {
        int h = key.hashCode() * 0x9E3779B9;
        return h >>> (32 - BITS);
    }

    @Override
    public V get(Object key) {
        HashMap<K, V> b = buckets[index(key)];
        return b == null ? null : b.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        if (entries == null) {
            entries = new AbstractSet<>() {
                @Override
                public Iterator<Entry<K, V>> iterator() {
                    return new Iterator<>() {
                        private int next = 0;
                        private Iterator<Entry<K, V>> in = null;

                        @Override
                        public boolean hasNext() {
                            while ((in == null || !in.hasNext()) && next < BUCKETS) {
                                HashMap<K, V> b = buckets[next++];
                                in = b == null ? null : b.entrySet().iterator();
                            }
                            return in != null && in.hasNext();
                        }

                        @Override
                        public Entry<K, V> next() {
                            if (!hasNext()) {
                                throw new NoSuchElementException();
                            }
                            Entry<K, V> e = in.next();
                            return new SimpleImmutableEntry<>(e.getKey(), e.getValue());
                        }
                    };
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }
        return entries;
    }

    public Builder<K, V> toBuilder() {
        return new Builder<>(buckets.clone(), size);
    }

    /**
     * Keys whose value differs by identity between {@code before} and {@code after} (added, removed or replaced):
     * with two persistent maps, only the buckets that are not shared are looked at; otherwise every key of both.
     */
    @SuppressWarnings("unchecked")
    public static <K> void changedKeys(Map<K, ?> before, Map<K, ?> after, Consumer<K> out) {
        if (before == after) {
            return;
        }
        if (before instanceof PersistentMap<?, ?> pa && after instanceof PersistentMap<?, ?> pb) {
            PersistentMap<K, Object> a = (PersistentMap<K, Object>) pa;
            PersistentMap<K, Object> b = (PersistentMap<K, Object>) pb;
            for (int i = 0; i < BUCKETS; i++) {
                if (a.buckets[i] != b.buckets[i]) {
                    bucketChanges(
                            a.buckets[i] == null ? Map.of() : a.buckets[i],
                            b.buckets[i] == null ? Map.of() : b.buckets[i],
                            out);
                }
            }
            return;
        }
        bucketChanges(before, after, out);
    }

    private static <K> void bucketChanges(Map<K, ?> a, Map<K, ?> b, Consumer<K> out) {
        b.forEach((k, v) -> {
            if (a.get(k) != v) {
                out.accept(k);
            }
        });
        a.keySet().forEach(k -> {
            if (!b.containsKey(k)) {
                out.accept(k);
            }
        });
    }

    /** A mutable next version: copies a bucket the first time it changes it. Not thread-safe. */
    public static final class Builder<K, V> {
        private HashMap<K, V>[] buckets;
        private boolean[] owned = new boolean[BUCKETS];
        private int size;
        private PersistentMap<K, V> built;

        private Builder(HashMap<K, V>[] buckets, int size) {
            this.buckets = buckets;
            this.size = size;
        }

        public V get(Object key) {
            HashMap<K, V> b = buckets[index(key)];
            return b == null ? null : b.get(key);
        }

        public void put(K key, V value) {
            Objects.requireNonNull(value, "value");
            int i = index(key);
            HashMap<K, V> b = buckets[i];
            if (b != null && b.get(key) == value) {
                return;
            }
            V old = writable(i).put(key, value);
            if (old == null) {
                size++;
            }
        }

        public void remove(Object key) {
            int i = index(key);
            HashMap<K, V> b = buckets[i];
            if (b == null || !b.containsKey(key)) {
                return;
            }
            b = writable(i);
            b.remove(key);
            size--;
            if (b.isEmpty()) {
                buckets[i] = null;
                owned[i] = false;
            }
        }

        private HashMap<K, V> writable(int i) {
            if (!owned[i]) {
                buckets[i] = buckets[i] == null ? new HashMap<>(4) : new HashMap<>(buckets[i]);
                owned[i] = true;
                built = null;
            }
            return buckets[i];
        }

        /** The current version (the builder stays usable: its next change copies what it touches again). */
        public PersistentMap<K, V> build() {
            if (built == null) {
                built = new PersistentMap<>(buckets.clone(), size);
                owned = new boolean[BUCKETS];
            }
            return built;
        }
    }
}
