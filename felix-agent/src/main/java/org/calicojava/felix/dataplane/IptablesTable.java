package org.calicojava.felix.dataplane;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.PersistentMap;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.Hashes;
import org.calicojava.felix.rules.RestoreScript;
import org.calicojava.felix.rules.SavedTable;
import org.calicojava.felix.rules.StaticChains;
import org.calicojava.process.CommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles our chains in one iptables table. Keeps what it believes the kernel has (each chain's rule hashes,
 * the hook hashes in built-in chains); {@link #apply} writes only the chains whose hashes differ from the desired
 * ones, deletes chains we no longer want and inserts missing hooks (or removes them when nothing of ours is wanted
 * in the table any more), in one {@code iptables-restore --noflush -w}.
 * {@link #refresh} reads the truth back with {@code iptables-save}, so the next apply repairs any drift. Nothing is
 * flushed on start: the first refresh takes over what a previous run left. O(changed): an apply after an apply looks
 * only at the chains whose objects differ between the two desired maps ({@link PersistentMap#changedKeys}, which
 * skips the buckets the two share); the first apply, and the first after a refresh or a failed restore, compares every
 * desired and every known chain. Owned by the dataplane thread.
 */
public final class IptablesTable {
    private static final Logger LOG = LoggerFactory.getLogger(IptablesTable.class);
    static final int CHAINS_PER_RESTORE = 1000;
    private final String table;
    private final CommandRunner runner;
    private final IptablesCommands commands;
    private final Metrics metrics;
    private final List<StaticChains.Hook> hooks;
    /** Why iptables-save could not show this table at the last read-back; null when it could. */
    private String unreadable;

    private Map<String, List<String>> actual = new HashMap<>();
    /** Our rules in the built-in chains, by chain, as last read or written. */
    private Map<String, List<SavedTable.Hooked>> builtin = new HashMap<>();

    private final LeftAloneRules leftAlone;

    private Map<String, Chain> desired = Map.of();
    /** The desired chains of the last apply that left the table as they want it; null: compare everything next. */
    private Map<String, Chain> applied;
    /** Rule hashes of desired chains by name, with the chain object they were computed from. */
    private final Map<String, Hashed> hashes = new HashMap<>();

    private record Hashed(Chain chain, List<String> hashes) {}

    public IptablesTable(String table, CommandRunner runner, IptablesCommands commands, Metrics metrics) {
        this.table = table;
        this.runner = runner;
        this.commands = commands;
        this.metrics = metrics;
        this.leftAlone = new LeftAloneRules((commands.version() == 6 ? "ip6tables " : "iptables ") + table);
        this.hooks = StaticChains.hooks().stream()
                .filter(h -> h.table().equals(table))
                .toList();
    }

    /** A table iptables-save could not show at the last read-back: nothing was written to it. */
    static final class Unreadable extends DataplaneException {
        Unreadable(String message) {
            super(message);
        }
    }

    public void setDesired(Map<String, Chain> chains) {
        this.desired = chains;
    }

    /** Reads the table back; returns how many of our chains differ from what we last wrote or want. */
    public int refresh() {
        CommandRunner.Result r = runner.run(commands.save(table), null);
        if (!r.ok()) {
            throw new DataplaneException(commands.saveBinary() + " -t " + table + ": " + r.firstError());
        }
        if (SavedTable.incompatible(r.out(), table)) { // read as empty, our hooks would go in again on every apply
            if (unreadable == null) {
                unreadable = commands.saveBinary() + " -t " + table + ": the table holds rules written with nft that"
                        + " iptables cannot show, so felix cannot see its own and leaves the table alone: remove them,"
                        + " or use DataplaneBackend=nftables";
                LOG.warn(unreadable);
            }
            applied = null;
            return 0;
        }
        if (unreadable != null) {
            LOG.info("{} -t {}: iptables can show the table again", commands.saveBinary(), table);
            unreadable = null;
        }
        SavedTable saved = SavedTable.parse(r.out(), table);
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : saved.chains().entrySet()) {
            List<String> mine = actual.get(e.getKey());
            if (mine != null && !mine.equals(e.getValue())) {
                changed.add(e.getKey());
            }
        }
        for (String c : actual.keySet()) {
            if (!saved.chains().containsKey(c)) {
                changed.add(c + " (deleted)");
            }
        }
        for (StaticChains.Hook h : hooks) { // another program inserted above our hook: it goes back to the top
            saved.builtin().getOrDefault(h.builtin(), List.of()).stream()
                    .filter(k -> k.othersAbove() > 0 && k.hash().equals(HookPlan.hash(h)))
                    .forEach(k -> changed.add(h.builtin() + " (our hook below " + k.othersAbove() + " other rules)"));
        }
        int drift = changed.size();
        if (drift > 0) {
            LOG.warn(
                    "{} {}: {} chain(s) changed outside felix, rewriting: {}{}",
                    family(),
                    table,
                    drift,
                    String.join(", ", changed.subList(0, Math.min(5, drift))),
                    drift > 5 ? ", ..." : "");
        }
        actual = new HashMap<>(saved.chains());
        builtin = new HashMap<>();
        saved.builtin().forEach((chain, rules) -> builtin.put(chain, new ArrayList<>(rules)));
        leftAlone.keepOnly(builtin);
        applied = null; // the table as read: compare everything on the next apply
        return drift;
    }

    /**
     * Writes what differs; returns the number of chains written or deleted plus hooks inserted (0 = no call). More
     * than {@value #CHAINS_PER_RESTORE} changed chains go in several restore calls, referenced chains first
     * (iptables-nft's {@code --noflush} cost grows faster than linearly with the chains in one transaction;
     * not for iptables-legacy, which rewrites the whole table on every call).
     */
    public int apply() {
        if (unreadable != null) {
            throw new Unreadable(unreadable);
        }
        List<Chain> changed = new ArrayList<>();
        List<String> delete = new ArrayList<>();
        Collection<String> names;
        if (applied != null) {
            List<String> n = new ArrayList<>();
            PersistentMap.changedKeys(applied, desired, n::add);
            names = n;
        } else {
            Set<String> n = new HashSet<>(desired.keySet());
            n.addAll(actual.keySet());
            hashes.keySet().retainAll(desired.keySet());
            names = n;
        }
        for (String name : names) {
            Chain c = desired.get(name);
            if (c != null) {
                if (!hashesOf(c).equals(actual.get(name))) {
                    changed.add(c);
                }
            } else {
                hashes.remove(name);
                if (actual.containsKey(name) && org.calicojava.felix.rules.RestoreText.isChain(name)) { // else not ours
                    delete.add(name);
                }
            }
        }
        HookPlan hooksPlan = leftAlone.deletable(HookPlan.of(hooks, !desired.isEmpty(), builtin));
        delete.removeAll(LeftAloneRules.stillJumpedTo(builtin, hooksPlan)); // in use: deleting them would fail
        if (changed.isEmpty() && delete.isEmpty() && hooksPlan.isEmpty()) {
            applied = desired;
            return 0;
        }
        if (changed.size() > CHAINS_PER_RESTORE) {
            changed = ChainOrder.referencedFirst(changed);
        }
        int total = 0;
        // legacy rewrites the whole table on every call: batching would only multiply that cost
        int perCall = commands.restoreBinary().contains("legacy") ? Integer.MAX_VALUE : CHAINS_PER_RESTORE;
        for (int from = 0; from < changed.size() || from == 0; from += perCall) {
            boolean last = changed.size() - from <= perCall;
            RestoreScript script = new RestoreScript(table);
            Map<String, List<String>> written = new HashMap<>();
            for (Chain c : changed.subList(from, (int) Math.min(changed.size(), (long) from + perCall))) {
                written.put(c.name(), script.write(c));
            }
            if (last) {
                for (HookPlan.Removal r : hooksPlan.remove()) { // before the chains they may jump to are deleted
                    if (r.known() != null) {
                        script.deleteHook(r.builtin(), r.known().rule());
                    } else {
                        script.deleteSaved(r.builtin(), r.rule().spec());
                    }
                }
                script.delete(delete);
                hooksPlan.insert().forEach(h -> script.insertHook(h.builtin(), h.rule()));
            }
            try {
                restore(script);
            } catch (DataplaneException e) {
                if (last) {
                    leftAlone.refused(script, e.getMessage(), hooksPlan);
                }
                throw e;
            }
            actual.putAll(written);
            total += script.changes();
            if (last) {
                delete.forEach(actual::remove);
                hooksPlan.remove().forEach(r -> builtin.get(r.builtin()).remove(r.rule()));
                hooksPlan
                        .insert()
                        .forEach(h -> builtin.computeIfAbsent(h.builtin(), k -> new ArrayList<>())
                                .add(0, new SavedTable.Hooked(HookPlan.hash(h), null, 0)));
                applied = desired;
                break;
            }
        }
        LOG.debug(
                "{} {}: wrote {} chains, deleted {}, hooks {}",
                family(),
                table,
                changed.size(),
                delete.size(),
                hooksPlan.insert().size() + hooksPlan.remove().size());
        return total;
    }

    /** Successful restore runs so far: each is one transaction (with iptables-nft, one nftables commit). */
    private int restores;

    public int restores() {
        return restores;
    }

    private void restore(RestoreScript script) {
        long t0 = System.nanoTime();
        CommandRunner.Result r = runner.run(commands.restore(), script.text());
        metrics.inc("felix_iptables_restore_calls");
        metrics.addSeconds("felix_iptables_restore_seconds", (System.nanoTime() - t0) / 1e9);
        if (!r.ok()) {
            metrics.inc("felix_iptables_restore_errors");
            actual.clear(); // unknown now: the next refresh reads it back
            builtin = new HashMap<>();
            applied = null;
            throw new DataplaneException(commands.restoreBinary() + " (" + table + "): " + r.firstError());
        }
        restores++;
    }

    private String family() {
        return commands.version() == 6 ? "ip6tables" : "iptables";
    }

    /** Whether the chain is programmed as desired (as far as we know). */
    public boolean programmed(String chain) {
        Chain c = desired.get(chain);
        Hashed h = hashes.get(chain);
        return c != null && h != null && h.chain() == c && h.hashes().equals(actual.get(chain));
    }

    /** The rule hashes of a desired chain, computed once per chain object. */
    private List<String> hashesOf(Chain c) {
        Hashed h = hashes.get(c.name());
        if (h == null || h.chain() != c) {
            h = new Hashed(c, Hashes.ruleHashes(c));
            hashes.put(c.name(), h);
        }
        return h.hashes();
    }
}
