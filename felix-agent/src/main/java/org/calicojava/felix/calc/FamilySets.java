package org.calicojava.felix.calc;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.model.Selector;

/**
 * The tag and selector ipsets of one IP version, kept incrementally by the {@link Calculator}: which tags and
 * selectors rendered rules reference (a set exists while referenced), and each set's members with a count of what
 * contributes them (so removing one endpoint removes its address only when nothing else gives it). Tag members are
 * kept for every tag any endpoint carries; selector members only while the selector is referenced.
 */
final class FamilySets {
    final int version;
    /** Tag to member (CIDR text) to the number of (endpoint, profile) pairs giving it. */
    private final Map<String, Members> tagMembers = new HashMap<>();

    private final Map<String, Integer> tagRefs = new HashMap<>();
    private final Map<String, String> tagOfSet = new HashMap<>();
    private final Map<String, Integer> selectorRefs = new HashMap<>();
    private final Map<String, SelectorSet> selectorSets = new HashMap<>();
    /** Set names whose existence or members changed since the last {@link #drainDirty}. */
    private Set<String> dirty = new HashSet<>();

    private static final class SelectorSet {
        final Selector selector;
        int refs;
        final Members members = new Members();

        SelectorSet(Selector selector) {
            this.selector = selector;
        }
    }

    /** Members counted by what gives them, and the set of those counted (a persistent set: cheap versions). */
    private static final class Members {
        final Map<String, Integer> counts = new HashMap<>();
        final PersistentSet.Builder<String> set = PersistentSet.<String>empty().toBuilder();

        void count(Collection<String> nets, int delta) {
            for (String n : nets) {
                Integer c = counts.merge(n, delta, (a, b) -> a + b == 0 ? null : a + b);
                if (c == null) {
                    set.remove(n);
                } else if (c == 1 && delta > 0) {
                    set.add(n);
                }
            }
        }

        boolean isEmpty() {
            return counts.isEmpty();
        }
    }

    FamilySets(int version) {
        this.version = version;
    }

    /** Adds ({@code delta} 1) or removes (-1) an endpoint's contribution: its tags and the selectors it matches. */
    void endpoint(EndpointIndex.Ep e, int delta) {
        Collection<String> nets = e.nets(version);
        if (nets.isEmpty()) {
            return;
        }
        for (String t : e.tags) {
            Members m = delta > 0 ? tagMembers.computeIfAbsent(t, x -> new Members()) : tagMembers.get(t);
            m.count(nets, delta);
            if (delta < 0 && m.isEmpty()) {
                tagMembers.remove(t);
            }
            if (tagRefs.containsKey(t)) {
                dirty.add(ChainNames.tagSet(version, t));
            }
        }
        if (delta > 0) {
            selectorSets.forEach((name, s) -> {
                if (s.selector.matches(e.labels)) {
                    s.members.count(nets, 1);
                    e.selectorSets.add(name);
                    dirty.add(name);
                } else {
                    e.selectorSets.remove(name);
                }
            });
        } else {
            for (String name : e.selectorSets) {
                SelectorSet s = selectorSets.get(name);
                if (s != null) { // else: not referenced any more (the flag is refreshed if it comes back)
                    s.members.count(nets, -1);
                    dirty.add(name);
                }
            }
        }
    }

    /** A rendered rule references the tag ({@code delta} 1) or no longer does (-1). */
    void tagRef(String tag, int delta) {
        Integer n = tagRefs.merge(tag, delta, (a, b) -> a + b == 0 ? null : a + b);
        String set = ChainNames.tagSet(version, tag);
        if (n == null) {
            tagOfSet.remove(set);
            dirty.add(set);
        } else if (n == 1 && delta > 0) {
            tagOfSet.put(set, tag);
            dirty.add(set);
        }
    }

    /** A rendered rule references the selector (text, parsed) or no longer does; a new one scans all endpoints. */
    void selectorRef(String text, Selector sel, int delta, Collection<EndpointIndex.Ep> all) {
        Integer n = selectorRefs.merge(text, delta, (a, b) -> a + b == 0 ? null : a + b);
        if (n != null && !(n == 1 && delta > 0)) {
            return;
        }
        String name = ChainNames.selectorSet(version, sel.canonical());
        SelectorSet s = selectorSets.get(name);
        if (delta > 0) {
            if (s == null) {
                s = new SelectorSet(sel);
                selectorSets.put(name, s);
                for (EndpointIndex.Ep e : all) {
                    Collection<String> nets = e.nets(version);
                    if (!nets.isEmpty() && sel.matches(e.labels)) {
                        s.members.count(nets, 1);
                        e.selectorSets.add(name);
                    } else {
                        e.selectorSets.remove(name);
                    }
                }
                dirty.add(name);
            }
            s.refs++;
        } else if (--s.refs == 0) {
            selectorSets.remove(name);
            dirty.add(name);
        }
    }

    /** The current members of a set of this family, or null when it should not exist. */
    Set<String> members(String set) {
        String tag = tagOfSet.get(set);
        if (tag != null) {
            Members m = tagMembers.get(tag);
            return m == null ? PersistentSet.empty() : m.set.build();
        }
        SelectorSet s = selectorSets.get(set);
        return s == null ? null : s.members.set.build();
    }

    Set<String> drainDirty() {
        Set<String> d = dirty;
        dirty = new HashSet<>();
        return d;
    }
}
