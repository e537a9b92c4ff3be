package org.calicojava.felix.nft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What our table holds as far as we know (read back with {@code nft -j list table}, then updated by each successful
 * transaction): each chain's rule hashes in order, each set's members, each map's interface to goto target.
 * {@link #diff} computes the one transaction that turns it into a desired {@link NftRuleset}, containing only the
 * differences. Owned by the dataplane thread.
 */
public final class NftState {
    final Map<String, List<String>> chains = new HashMap<>();
    final Map<String, Set<String>> sets = new HashMap<>();
    final Map<String, Map<String, String>> maps = new HashMap<>();
    /** Elements per "add element" / "delete element" command. */
    static final int ELEMENTS_PER_COMMAND = 2000;

    public Map<String, List<String>> chains() {
        return chains;
    }

    public Map<String, Set<String>> sets() {
        return sets;
    }

    public Map<String, Map<String, String>> maps() {
        return maps;
    }

    /** The changes of one transaction; {@link #script} is empty when there are none. */
    public record Diff(String script, int changes, List<NftChain> written, List<String> deletedChains,
                       List<NftSet> changedSets, List<String> deletedSets, Map<String, Map<String, String>> changedMaps,
                       List<String> deletedMaps) {
        public boolean isEmpty() {
            return changes == 0;
        }
    }

    /** The transaction from this state to {@code want}: see the order in the method body. */
    public Diff diff(NftRuleset want) {
        String t = NftNames.QUALIFIED;
        StringBuilder s = new StringBuilder();
        int changes = 0;
        List<NftSet> changedSets = new ArrayList<>();
        // 1. new sets and maps, then set element deletes and adds (before rules may reference them)
        for (NftSet set : want.sets().values()) {
            Set<String> known = sets.get(set.name());
            if (known == null) {
                s.append("add set ").append(t).append(' ').append(set.name()).append(" { type ").append(set.type())
                        .append("; flags interval; }\n");
                changes++;
            }
            Set<String> have = known == null ? Set.of() : known;
            if (have.equals(set.members())) {
                continue;
            }
            List<String> del = new ArrayList<>();
            have.forEach(m -> {
                if (!set.members().contains(m)) {
                    del.add(m);
                }
            });
            List<String> add = new ArrayList<>();
            set.members().forEach(m -> {
                if (!have.contains(m)) {
                    add.add(m);
                }
            });
            changes += elements(s, "delete element " + t + " " + set.name(), del)
                    + elements(s, "add set " + t + " " + set.name() + " { type " + set.type() + "; flags interval; elements =", add);
            changedSets.add(set);
        }
        for (String m : want.maps().keySet()) {
            if (!maps.containsKey(m)) {
                s.append("add map ").append(t).append(' ').append(m).append(" { type ifname : verdict; }\n");
                changes++;
            }
        }
        // 2. chains that are new or differ: declared first (rules and maps may jump to each other), then rewritten
        List<NftChain> written = new ArrayList<>();
        for (NftChain c : want.chains().values()) {
            List<String> have = chains.get(c.name());
            if (have != c.hashes()) {
                if (c.hashes().equals(have)) {
                    chains.put(c.name(), c.hashes()); // same instance next time: no string comparisons
                } else {
                    written.add(c);
                }
            }
        }
        written.sort((a, b) -> a.name().compareTo(b.name()));
        for (NftChain c : written) {
            s.append("add chain ").append(t).append(' ').append(c.name());
            if (c.hook() != null) {
                s.append(" { ").append(c.hook()).append(" }");
            }
            s.append('\n');
        }
        for (NftChain c : written) {
            // also for chains we believe new: a chain we did not know of must not keep rules we did not write
            s.append("flush chain ").append(t).append(' ').append(c.name()).append('\n');
            rules(s, c);
            changes++;
        }
        // 3. map elements: removed and changed keys deleted, then new and changed keys added
        Map<String, Map<String, String>> changedMaps = new HashMap<>();
        for (Map.Entry<String, Map<String, String>> e : want.maps().entrySet()) {
            Map<String, String> have = maps.getOrDefault(e.getKey(), Map.of());
            if (have.equals(e.getValue())) {
                continue;
            }
            List<String> del = new ArrayList<>();
            have.forEach((k, v) -> {
                if (!v.equals(e.getValue().get(k))) {
                    del.add(quote(k));
                }
            });
            List<String> add = new ArrayList<>();
            e.getValue().forEach((k, v) -> {
                if (!v.equals(have.get(k))) {
                    add.add(quote(k) + " : goto " + v);
                }
            });
            changes += elements(s, "delete element " + t + " " + e.getKey(), del)
                    + elements(s, "add map " + t + " " + e.getKey() + " { type ifname : verdict; elements =", add);
            changedMaps.put(e.getKey(), e.getValue());
        }
        // 4. chains no longer wanted: all flushed (they may jump to each other), then deleted; then sets and maps
        List<String> deletedChains = new ArrayList<>();
        for (String c : chains.keySet()) {
            if (!want.chains().containsKey(c)) {
                deletedChains.add(c);
            }
        }
        for (String c : deletedChains) {
            s.append("flush chain ").append(t).append(' ').append(c).append('\n');
        }
        List<String> deletedMaps = new ArrayList<>();
        for (String m : maps.keySet()) {
            if (!want.maps().containsKey(m)) {
                deletedMaps.add(m);
                s.append("delete map ").append(t).append(' ').append(m).append('\n');
            }
        }
        for (String c : deletedChains) {
            s.append("delete chain ").append(t).append(' ').append(c).append('\n');
        }
        List<String> deletedSets = new ArrayList<>();
        for (String set : sets.keySet()) {
            if (!want.sets().containsKey(set)) {
                deletedSets.add(set);
                s.append("delete set ").append(t).append(' ').append(set).append('\n');
            }
        }
        changes += deletedChains.size() + deletedMaps.size() + deletedSets.size();
        if (changes > 0) {
            s.insert(0, "add table " + t + "\n");
        }
        return new Diff(changes == 0 ? "" : s.toString(), changes, written, deletedChains, changedSets, deletedSets,
                changedMaps, deletedMaps);
    }

    /** Records a diff as done (after its transaction succeeded), with new sets and maps that needed no elements. */
    public void commit(Diff d, NftRuleset want) {
        d.written().forEach(c -> chains.put(c.name(), c.hashes()));
        d.deletedChains().forEach(chains::remove);
        d.changedSets().forEach(s -> sets.put(s.name(), s.members()));
        d.deletedSets().forEach(sets::remove);
        d.changedMaps().forEach((k, v) -> maps.put(k, Map.copyOf(v)));
        d.deletedMaps().forEach(maps::remove);
        want.sets().values().forEach(s -> sets.putIfAbsent(s.name(), s.members()));
        want.maps().forEach((k, v) -> maps.putIfAbsent(k, Map.copyOf(v)));
    }

    /** Forget everything (after a failed transaction: the next refresh reads the truth back). */
    public void clear() {
        chains.clear();
        sets.clear();
        maps.clear();
    }

    /**
     * A chain's rules. Written as {@code add chain X { rule; ... }} (which nft runs without fetching the table's
     * chains, sets and elements first: about half the time of an endpoint's add at 10,000 endpoints), except for a
     * base chain and for rules that name a set or map ({@code @name}: nft needs the table's sets to evaluate them),
     * which get one {@code add rule} each.
     */
    private static void rules(StringBuilder s, NftChain c) {
        String t = NftNames.QUALIFIED;
        boolean block = c.hook() == null && c.rules().stream().noneMatch(r -> r.contains("@"));
        if (block && !c.rules().isEmpty()) {
            s.append("add chain ").append(t).append(' ').append(c.name()).append(" {");
            for (int i = 0; i < c.rules().size(); i++) {
                s.append(' ').append(c.rules().get(i)).append(" comment \"cali:").append(c.hashes().get(i)).append("\";");
            }
            s.append(" }\n");
            return;
        }
        for (int i = 0; i < c.rules().size() && !block; i++) {
            s.append("add rule ").append(t).append(' ').append(c.name()).append(' ').append(c.rules().get(i))
                    .append(" comment \"cali:").append(c.hashes().get(i)).append("\"\n");
        }
    }

    /**
     * Element commands of at most {@link #ELEMENTS_PER_COMMAND}: {@code delete element T NAME { ... }}, or for adds the
     * set's or map's declaration with {@code elements = { ... }} (which, unlike {@code add element}, nft runs without
     * first fetching every element of every set in the table). {@code head} ends before the braces of the elements.
     */
    private static int elements(StringBuilder s, String head, List<String> elems) {
        int commands = 0;
        boolean declaration = head.endsWith("=");
        for (int from = 0; from < elems.size(); from += ELEMENTS_PER_COMMAND) {
            s.append(head).append(" { ")
                    .append(String.join(", ", elems.subList(from, Math.min(elems.size(), from + ELEMENTS_PER_COMMAND))))
                    .append(declaration ? " }; }\n" : " }\n");
            commands++;
        }
        return commands;
    }

    private static String quote(String iface) {
        return "\"" + iface + "\"";
    }
}
