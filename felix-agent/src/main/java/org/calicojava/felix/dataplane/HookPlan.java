package org.calicojava.felix.dataplane;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.calicojava.felix.rules.RestoreScript;
import org.calicojava.felix.rules.RestoreText;
import org.calicojava.felix.rules.SavedTable;
import org.calicojava.felix.rules.StaticChains;

/**
 * Our rules in the built-in chains of one table: which go and which come, as Calico's felix keeps the chains it
 * inserts into. A wanted hook that is there once, above every other program's rule in its chain, stays. One that
 * another program has since inserted rules above goes and comes again at the top, so our verdicts come first again.
 * A wanted hook that is there more than once (a second agent started by mistake) goes in every copy and comes again
 * at the top: {@code -D} deletes the first copy that matches, which would leave the lower one below other programs'
 * rules. Any other rule with a {@code cali:} hash in a built-in
 * chain goes: our hooks when nothing of ours is wanted in the table any more, or an earlier version's hooks. Wanted
 * hooks that are not there come.
 */
record HookPlan(List<StaticChains.Hook> insert, List<Removal> remove) {
    /**
     * A rule to delete from {@code builtin}: by our own rendering when it is one of our hooks ({@code known}), else by
     * the spec iptables-save showed.
     */
    record Removal(String builtin, SavedTable.Hooked rule, StaticChains.Hook known) {}

    boolean isEmpty() {
        return insert.isEmpty() && remove.isEmpty();
    }

    /**
     * The plan for {@code hooks} (this table's) given what the built-in chains hold ({@code saved}); {@code wanted}
     * false: nothing of ours is wanted in this table, so every rule of ours there goes.
     */
    static HookPlan of(List<StaticChains.Hook> hooks, boolean wanted, Map<String, List<SavedTable.Hooked>> saved) {
        Map<String, StaticChains.Hook> byHash = new HashMap<>();
        Set<String> chains = new LinkedHashSet<>(); // the hooks' chains first, then the others by name: one order
        for (StaticChains.Hook h : hooks) {
            byHash.put(hash(h), h);
            chains.add(h.builtin());
        }
        new TreeSet<>(saved.keySet()).stream().filter(RestoreText::isBuiltin).forEach(chains::add);
        Map<String, Integer> copies = new HashMap<>();
        saved.values().forEach(rules -> rules.forEach(r -> copies.merge(r.hash(), 1, Integer::sum)));
        List<Removal> remove = new ArrayList<>();
        Set<String> kept = new HashSet<>();
        for (String chain : chains) {
            for (SavedTable.Hooked r : saved.getOrDefault(chain, List.of())) {
                StaticChains.Hook known = byHash.get(r.hash());
                boolean ours = known != null && known.builtin().equals(chain);
                if (wanted && ours && copies.get(r.hash()) == 1 && r.othersAbove() == 0) {
                    kept.add(r.hash());
                } else {
                    remove.add(new Removal(chain, r, ours ? known : null));
                }
            }
        }
        List<StaticChains.Hook> insert = new ArrayList<>();
        if (wanted) {
            hooks.forEach(h -> {
                if (!kept.contains(hash(h))) {
                    insert.add(h);
                }
            });
        }
        return new HookPlan(insert, remove);
    }

    static String hash(StaticChains.Hook h) {
        return RestoreScript.hookHash(h.builtin(), h.rule());
    }
}
