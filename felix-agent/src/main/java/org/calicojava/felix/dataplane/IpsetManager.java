package org.calicojava.felix.dataplane;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.calc.IpSetSpec;
import org.calicojava.felix.calc.PersistentMap;
import org.calicojava.process.CommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles our ipsets (names starting "cali4-"/"cali6-") with {@code ipset restore}: {@link #applyUpdates} creates
 * missing sets and adds/deletes members (before iptables may reference them); {@link #applyDeletes} destroys sets no
 * longer wanted (after iptables stopped referencing them). {@link #refresh} reads {@code ipset save} back.
 * Owned by the dataplane thread.
 */
public final class IpsetManager {
    private static final Logger LOG = LoggerFactory.getLogger(IpsetManager.class);
    private final CommandRunner runner;
    private Map<String, Set<String>> actual = new HashMap<>();
    private Map<String, IpSetSpec> desired = Map.of();
    /** The desired map the kernel was last brought to; null: compare every set (at start, after a read-back). */
    private Map<String, IpSetSpec> applied;
    /** The sets the last {@link #applyUpdates} compared (for tests). */
    private int examined;

    public IpsetManager(CommandRunner runner) {
        this.runner = runner;
    }

    public void setDesired(Map<String, IpSetSpec> sets) {
        this.desired = sets;
    }

    /** Host entries are shown without /32 (/128) by ipset; compare in that form. */
    static String norm(String member) {
        if (member.endsWith("/32") && !member.contains(":")) {
            return member.substring(0, member.length() - 3);
        }
        if (member.endsWith("/128")) {
            return member.substring(0, member.length() - 4);
        }
        return member;
    }

    public int refresh() {
        CommandRunner.Result r = runner.run(List.of("ipset", "save"), null);
        if (!r.ok()) {
            throw new DataplaneException("ipset save: " + r.firstError());
        }
        Map<String, Set<String>> read = new HashMap<>();
        for (String line : r.out().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 2 && isOurs(f[1])) {
                if (f[0].equals("create")) {
                    read.putIfAbsent(f[1], new HashSet<>());
                } else if (f[0].equals("add") && f.length >= 3) {
                    read.computeIfAbsent(f[1], k -> new HashSet<>()).add(norm(f[2]));
                }
            }
        }
        int drift = 0;
        for (Map.Entry<String, Set<String>> e : actual.entrySet()) {
            if (!e.getValue().equals(read.get(e.getKey()))) {
                drift++;
                LOG.warn("ipset {} changed outside felix; repairing it", e.getKey());
            }
        }
        actual = read;
        applied = null;
        return drift;
    }

    private static boolean isOurs(String name) {
        return name.startsWith("cali4-") || name.startsWith("cali6-");
    }

    /**
     * Creates and updates sets; returns the number of lines sent (0 = no call). Compares only the sets whose spec
     * changed since the last apply ({@link PersistentMap#changedKeys}), or all of them after a read-back.
     */
    public int applyUpdates() {
        StringBuilder s = new StringBuilder();
        Map<String, Set<String>> after = new HashMap<>();
        int lines = 0;
        Collection<IpSetSpec> specs = desired.values();
        if (applied != null) {
            List<IpSetSpec> changed = new ArrayList<>();
            PersistentMap.changedKeys(applied, desired, k -> {
                IpSetSpec spec = desired.get(k);
                if (spec != null) { // a set no longer wanted goes in applyDeletes
                    changed.add(spec);
                }
            });
            specs = changed;
        }
        examined = specs.size();
        for (IpSetSpec spec : specs) {
            Set<String> want = new HashSet<>();
            spec.members().forEach(m -> want.add(norm(m)));
            Set<String> have = actual.get(spec.name());
            IpsetText.name(spec.name());
            if (have == null) {
                s.append("create ")
                        .append(spec.name())
                        .append(" hash:net family ")
                        .append(spec.family())
                        .append(" maxelem 1048576\n");
                lines++;
                have = Set.of();
            }
            after.put(spec.name(), want); // also a set just created empty: it exists now
            if (have.equals(want)) {
                continue;
            }
            for (String m : want) {
                if (!have.contains(m)) {
                    s.append("add ")
                            .append(spec.name())
                            .append(' ')
                            .append(IpsetText.member(m))
                            .append('\n');
                    lines++;
                }
            }
            for (String m : have) {
                if (!want.contains(m)) {
                    s.append("del ")
                            .append(spec.name())
                            .append(' ')
                            .append(IpsetText.member(m))
                            .append('\n');
                    lines++;
                }
            }
        }
        if (lines == 0) {
            applied = desired;
            return 0;
        }
        run(s.toString());
        actual.putAll(after);
        applied = desired;
        return lines;
    }

    /** How many sets the last {@link #applyUpdates} compared. */
    int examined() {
        return examined;
    }

    /** Destroys our sets that are no longer desired. */
    public int applyDeletes() {
        List<String> gone = new ArrayList<>();
        for (String n : actual.keySet()) {
            if (!desired.containsKey(n) && IpsetText.isName(n)) { // a name outside our grammar is not ours
                gone.add(n);
            }
        }
        if (gone.isEmpty()) {
            return 0;
        }
        StringBuilder s = new StringBuilder();
        gone.forEach(n -> s.append("destroy ").append(n).append('\n'));
        gone.forEach(actual::remove);
        run(s.toString());
        return gone.size();
    }

    private void run(String script) {
        CommandRunner.Result r = runner.run(List.of("ipset", "restore", "-exist"), script);
        if (!r.ok()) {
            actual = new HashMap<>(); // unknown: the next refresh reads it back
            applied = null;
            throw new DataplaneException("ipset restore: " + r.firstError());
        }
    }

    public int count() {
        return desired.size();
    }
}
