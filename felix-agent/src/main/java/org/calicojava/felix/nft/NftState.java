package org.calicojava.felix.nft;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.calc.PersistentMap;
import org.calicojava.felix.calc.PersistentSet;

/**
 * What our table holds as far as we know (read back, {@link NftReadback}, then updated by each successful
 * transaction): each chain's rule hashes in order, each set's members, each map's interface to goto target.
 * {@link #diff} computes the one transaction that turns it into a desired {@link NftRuleset}, containing only the
 * differences. Owned by the dataplane thread.
 */
public final class NftState {
    final Map<String, List<String>> chains = new HashMap<>();
    final Map<String, Set<String>> sets = new HashMap<>();
    final Map<String, Map<String, String>> maps = new HashMap<>();
    /**
     * Each chain's rule handles, in the order of its hashes in {@link #chains}, where we know them (read back, or
     * echoed by the kernel for the rules a netlink transaction added or replaced): a changed chain that keeps its first
     * rules is then edited by handle ({@link NftOp.EditChain}) instead of flushed and filled.
     */
    final Map<String, long[]> handles = new HashMap<>();
    /**
     * A ruleset this state holds exactly (set by {@link #commit} of the last {@link #diff}; null when unknown): the
     * next diff then looks only at the names whose objects changed since it. Any other change forgets it.
     */
    private NftRuleset baseline;

    private Diff lastDiff;
    private NftRuleset lastWant;
    private final Map<String, List<String>> chainsView = new Tracked<>(chains);
    private final Map<String, Set<String>> setsView = new Tracked<>(sets);
    private final Map<String, Map<String, String>> mapsView = new Tracked<>(maps);
    private final Map<String, long[]> handlesView = new Tracked<>(handles);

    /** Chain name to rule hashes (a change through this map makes the next diff compare everything). */
    public Map<String, List<String>> chains() {
        return chainsView;
    }

    public Map<String, Set<String>> sets() {
        return setsView;
    }

    public Map<String, Map<String, String>> maps() {
        return mapsView;
    }

    /** Chain name to the handles of its rules, where known (a change through this map forgets the baseline too). */
    Map<String, long[]> handles() {
        return handlesView;
    }

    /** The changes of one transaction; {@link #script} is empty when there are none. */
    public record Diff(
            int changes,
            List<NftChain> written,
            List<String> deletedChains,
            List<NftSet> changedSets,
            List<String> deletedSets,
            Map<String, Map<String, String>> changedMaps,
            List<String> deletedMaps,
            List<NftOp> ops) {
        public boolean isEmpty() {
            return changes == 0;
        }

        /** The transaction as nft text (rendered on each call; empty when there are no changes). */
        public String script() {
            return NftScript.of(ops);
        }
    }

    /**
     * The transaction from this state to {@code want}: see the order in the method body. Names and elements are
     * written in sorted order, so the script depends only on the two contents. After a committed diff only the
     * chains, sets and maps that are not the same objects as in the committed ruleset are compared.
     */
    public Diff diff(NftRuleset want) {
        return diff(want, true);
    }

    /**
     * {@link #diff(NftRuleset)}; {@code edits} false: every changed chain flushed and filled, none edited by rule
     * handle (for {@code nft -f}, whose forms for that make it fetch the table, and for a transaction sent again).
     */
    public Diff diff(NftRuleset want, boolean edits) {
        NftRuleset base = baseline;
        List<String> setNames = candidates(base == null ? null : base.sets(), want.sets(), sets);
        List<String> mapNames = candidates(base == null ? null : base.maps(), want.maps(), maps);
        List<String> chainNames = candidates(base == null ? null : base.chains(), want.chains(), chains);
        int changes = 0;
        List<NftOp> ops = new ArrayList<>();
        List<NftSet> changedSets = new ArrayList<>();
        // 1. new sets and maps, then set element deletes and adds (before rules may reference them)
        for (String name : setNames) {
            NftSet set = want.sets().get(name);
            if (set == null) {
                continue;
            }
            Set<String> known = sets.get(set.name());
            if (known == null) {
                ops.add(new NftOp.AddSet(set.name(), set.version()));
                changes++;
            }
            Set<String> have = known == null ? Set.of() : known;
            List<String> del = new ArrayList<>();
            List<String> add = new ArrayList<>();
            PersistentSet.changes(have, set.members(), (m, added) -> (added ? add : del).add(NftText.address(m)));
            if (del.isEmpty() && add.isEmpty()) {
                continue;
            }
            Collections.sort(del);
            Collections.sort(add);
            ops.add(new NftOp.SetElements(
                    set.name(), set.version(), List.copyOf(del), List.copyOf(add), have.isEmpty()));
            changes += NftScript.commands(del.size()) + NftScript.commands(add.size());
            changedSets.add(set);
        }
        for (String m : mapNames) {
            if (want.maps().containsKey(m) && !maps.containsKey(m)) {
                ops.add(new NftOp.AddMap(m));
                changes++;
            }
        }
        // 2. chains that are new or differ: declared first (rules and maps may jump to each other), then rewritten
        List<NftChain> written = new ArrayList<>();
        for (String name : chainNames) {
            NftChain c = want.chains().get(name);
            if (c == null) {
                continue;
            }
            List<String> have = chains.get(c.name());
            if (have != c.hashes()) {
                if (c.hashes().equals(have)) {
                    chains.put(c.name(), c.hashes()); // same instance next time: no string comparisons
                } else {
                    written.add(c);
                }
            }
        }
        for (NftChain c : written) {
            ops.add(new NftOp.DeclareChain(c));
        }
        for (NftChain c : written) {
            // also for chains we believe new: a chain we did not know of must not keep rules we did not write
            ops.add(edits ? rewrite(c) : new NftOp.FillChain(c));
            changes++;
        }
        // 3. map elements: removed and changed keys deleted, then new and changed keys added
        Map<String, Map<String, String>> changedMaps = new HashMap<>();
        for (String m : mapNames) {
            Map<String, String> w = want.maps().get(m);
            if (w == null) {
                continue;
            }
            Map<String, String> have = maps.getOrDefault(m, Map.of());
            List<String> keys = candidates(base == null ? null : base.maps().get(m), w, have);
            List<String> delKeys = new ArrayList<>();
            Map<String, String> addKeys = new java.util.LinkedHashMap<>();
            for (String k : keys) {
                String h = have.get(k);
                String v = w.get(k);
                if (h != null && !h.equals(v)) {
                    delKeys.add(k);
                }
                if (v != null && !v.equals(h)) {
                    addKeys.put(k, v);
                }
            }
            if (delKeys.isEmpty() && addKeys.isEmpty()) {
                continue;
            }
            changes += NftScript.commands(delKeys.size()) + NftScript.commands(addKeys.size());
            ops.add(new NftOp.MapElements(m, delKeys, addKeys));
            changedMaps.put(m, w);
        }
        // 4. chains no longer wanted: all flushed (they may jump to each other), then deleted; then sets and maps
        List<String> deletedChains = new ArrayList<>();
        for (String c : chainNames) {
            if (!want.chains().containsKey(c) && chains.containsKey(c) && NftNames.isIdentifier(c)) {
                deletedChains.add(c);
            }
        }
        for (String c : deletedChains) {
            ops.add(new NftOp.FlushChain(c));
        }
        List<String> deletedMaps = new ArrayList<>();
        for (String m : mapNames) {
            if (!want.maps().containsKey(m) && maps.containsKey(m) && NftNames.isIdentifier(m)) {
                deletedMaps.add(m);
                ops.add(new NftOp.DeleteMap(m));
            }
        }
        for (String c : deletedChains) {
            ops.add(new NftOp.DeleteChain(c));
        }
        List<String> deletedSets = new ArrayList<>();
        for (String set : setNames) {
            if (!want.sets().containsKey(set) && sets.containsKey(set) && NftNames.isIdentifier(set)) {
                deletedSets.add(set);
                ops.add(new NftOp.DeleteSet(set));
            }
        }
        changes += deletedChains.size() + deletedMaps.size() + deletedSets.size();
        if (changes > 0) {
            ops.add(0, new NftOp.AddTable());
        }
        Diff d = new Diff(changes, written, deletedChains, changedSets, deletedSets, changedMaps, deletedMaps, ops);
        lastDiff = d;
        lastWant = want;
        changedSinceDiff = false;
        lastSetNames = setNames;
        lastMapNames = mapNames;
        return d;
    }

    /**
     * How chain {@code c} is rewritten: edited when we know the handles of the rules it has and it keeps its first
     * ones (their hashes are chained, so a chain that differs at rule i differs from there on, and only the first
     * rules can stay as they are: a rule added to the end of a long chain is one message); otherwise flushed and
     * filled.
     */
    private NftOp rewrite(NftChain c) {
        List<String> have = chains.get(c.name());
        long[] h = handles.get(c.name());
        if (have == null || h == null || h.length != have.size()) {
            return new NftOp.FillChain(c);
        }
        int keep = 0;
        List<String> want = c.hashes();
        while (keep < have.size() && keep < want.size() && have.get(keep).equals(want.get(keep))) {
            keep++;
        }
        return keep == 0 ? new NftOp.FillChain(c) : new NftOp.EditChain(c, h, keep);
    }

    private boolean changedSinceDiff;
    private List<String> lastSetNames;
    private List<String> lastMapNames;

    /**
     * The names to compare, sorted: with a baseline, those whose value is not the same object in {@code want};
     * else every name of {@code want} and of what we have.
     */
    private static List<String> candidates(Map<String, ?> base, Map<String, ?> want, Map<String, ?> have) {
        Set<String> names = new HashSet<>();
        if (base != null) {
            PersistentMap.changedKeys(base, want, names::add);
        } else {
            names.addAll(want.keySet());
            names.addAll(have.keySet());
        }
        List<String> out = new ArrayList<>(names);
        Collections.sort(out);
        return out;
    }

    /** {@link #commit(Diff, NftRuleset, Map)} without handles: the written chains' handles are then unknown. */
    public void commit(Diff d, NftRuleset want) {
        commit(d, want, Map.of());
    }

    /**
     * Records a diff as done (after its transaction succeeded), with new sets and maps that needed no elements;
     * {@code learned}: the handles of written chains' rules, as the transaction reported them.
     */
    public void commit(Diff d, NftRuleset want, Map<String, long[]> learned) {
        boolean exact = d == lastDiff && want == lastWant && !changedSinceDiff;
        d.written().forEach(c -> {
            chains.put(c.name(), c.hashes());
            long[] h = learned.get(c.name());
            if (h != null && h.length == c.hashes().size()) {
                handles.put(c.name(), h);
            } else {
                handles.remove(c.name());
            }
        });
        d.deletedChains().forEach(chains::remove);
        d.deletedChains().forEach(handles::remove);
        d.changedSets().forEach(s -> sets.put(s.name(), s.members()));
        d.deletedSets().forEach(sets::remove);
        d.changedMaps().forEach((k, v) -> maps.put(k, immutable(v)));
        d.deletedMaps().forEach(maps::remove);
        (exact
                        ? lastSetNames.stream()
                                .map(want.sets()::get)
                                .filter(java.util.Objects::nonNull)
                                .toList()
                        : want.sets().values())
                .forEach(s -> sets.putIfAbsent(s.name(), s.members()));
        (exact ? lastMapNames : want.maps().keySet()).forEach(k -> {
            Map<String, String> v = want.maps().get(k);
            if (v != null) {
                maps.putIfAbsent(k, immutable(v));
            }
        });
        baseline = exact ? want : null; // it holds exactly what the diff was computed to reach
        lastDiff = null;
        lastWant = null;
    }

    private static Map<String, String> immutable(Map<String, String> m) {
        return m instanceof PersistentMap<String, String> ? m : Map.copyOf(m);
    }

    private void forget() {
        baseline = null;
        changedSinceDiff = true;
    }

    /** Forget everything (after a failed transaction: the next refresh reads the truth back). */
    public void clear() {
        chains.clear();
        handles.clear();
        sets.clear();
        maps.clear();
        forget();
    }

    /** A view of one of our maps: reads through; a change through it forgets the baseline. */
    private final class Tracked<V> extends AbstractMap<String, V> {
        private final Map<String, V> m;

        Tracked(Map<String, V> m) {
            this.m = m;
        }

        @Override
        public V get(Object key) {
            return m.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return m.containsKey(key);
        }

        @Override
        public int size() {
            return m.size();
        }

        @Override
        public V put(String key, V value) {
            forget();
            return m.put(key, value);
        }

        @Override
        public V remove(Object key) {
            forget();
            return m.remove(key);
        }

        @Override
        public void clear() {
            forget();
            m.clear();
        }

        @Override
        public Set<Entry<String, V>> entrySet() {
            return Collections.unmodifiableMap(m).entrySet();
        }

        @Override
        public Set<String> keySet() {
            return Collections.unmodifiableSet(m.keySet());
        }
    }
}
