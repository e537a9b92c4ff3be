package org.calicojava.felix.calc;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An immutable set made cheaply from the previous version ({@link #toBuilder}), backed by a {@link PersistentMap}:
 * ipset members that change one address at a time, whose readers find the changed elements with {@link #changes}
 * at the cost of the changes. Null elements are refused.
 */
public final class PersistentSet<E> extends AbstractSet<E> {
    private static final PersistentSet<?> EMPTY = new PersistentSet<>(PersistentMap.empty());
    private final PersistentMap<E, Boolean> map;

    private PersistentSet(PersistentMap<E, Boolean> map) {
        this.map = map;
    }

    @SuppressWarnings("unchecked")
    public static <E> PersistentSet<E> empty() {
        return (PersistentSet<E>) EMPTY;
    }

    @Override
    public boolean contains(Object o) {
        return map.containsKey(o);
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public Iterator<E> iterator() {
        Iterator<java.util.Map.Entry<E, Boolean>> it = map.entrySet().iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public E next() {
                return it.next().getKey();
            }
        };
    }

    public Builder<E> toBuilder() {
        return new Builder<>(map.toBuilder());
    }

    /**
     * Elements added ({@code true}) or removed ({@code false}) from {@code before} to {@code after}: for two
     * persistent sets only their unshared buckets are looked at, otherwise every element of both.
     */
    public static <E> void changes(Set<E> before, Set<E> after, BiConsumer<E, Boolean> out) {
        if (before == after) {
            return;
        }
        if (before instanceof PersistentSet<E> a && after instanceof PersistentSet<E> b) {
            PersistentMap.changedKeys(a.map, b.map, k -> out.accept(k, b.map.containsKey(k)));
            return;
        }
        after.forEach(e -> {
            if (!before.contains(e)) {
                out.accept(e, true);
            }
        });
        before.forEach(e -> {
            if (!after.contains(e)) {
                out.accept(e, false);
            }
        });
    }

    /** A mutable next version; {@link #build} returns the same set while nothing changed. */
    public static final class Builder<E> {
        private final PersistentMap.Builder<E, Boolean> map;
        private PersistentSet<E> built;

        private Builder(PersistentMap.Builder<E, Boolean> map) {
            this.map = map;
        }

        public void add(E e) {
            if (map.get(e) == null) {
                map.put(e, Boolean.TRUE);
                built = null;
            }
        }

        public void remove(E e) {
            if (map.get(e) != null) {
                map.remove(e);
                built = null;
            }
        }

        public PersistentSet<E> build() {
            if (built == null) {
                built = new PersistentSet<>(map.build());
            }
            return built;
        }
    }
}
