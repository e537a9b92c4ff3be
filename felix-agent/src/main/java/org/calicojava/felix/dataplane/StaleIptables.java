package org.calicojava.felix.dataplane;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure: what of ours an {@code iptables-save} (all tables, one family and flavor) still holds, and the
 * {@code iptables-restore --noflush} input that removes it. Ours: every {@code cali-} chain, and in any other chain
 * the rules that jump to a {@code cali-} chain and carry our {@code cali:} hash comment (or are exactly a hook of
 * ours, {@code -j cali-INPUT} etc.). A {@code cali-} chain that a rule not ours jumps to is kept, with every chain it
 * reaches (the kernel would refuse to delete it, and flushing it would change someone else's rule's meaning).
 */
public record StaleIptables(Map<String, Table> tables) {
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern TARGET = Pattern.compile("(?:^| )-[jg] (\\S+)");
    private static final Pattern OUR_COMMENT = Pattern.compile("--comment \"?cali:");
    private static final Set<String> HOOK_TARGETS =
            Set.of("cali-INPUT", "cali-FORWARD", "cali-OUTPUT", "cali-POSTROUTING", "cali-PREROUTING");

    /**
     * One table's removal: our hook rules (as {@code iptables-save} shows them, without "-A CHAIN"), keyed by chain;
     * the chains to flush and delete; the chains kept because a rule not ours jumps into them.
     */
    public record Table(String name, List<String> hookRules, List<String> chains, List<String> kept) {
        public boolean isEmpty() {
            return hookRules.isEmpty() && chains.isEmpty();
        }

        /** iptables-restore --noflush input: declaring a chain flushes it; hooks deleted by spec; chains deleted. */
        public String script() {
            StringBuilder s = new StringBuilder("*").append(name).append('\n');
            chains.forEach(c -> s.append(':').append(c).append(" - [0:0]\n"));
            hookRules.forEach(r -> s.append("-D ").append(r).append('\n'));
            chains.forEach(c -> s.append("-X ").append(c).append('\n'));
            return s.append("COMMIT\n").toString();
        }
    }

    public static StaleIptables parse(String save) {
        Map<String, List<String>> chains = new LinkedHashMap<>();
        Map<String, List<String>> hooks = new LinkedHashMap<>();
        Map<String, Map<String, Set<String>>> jumps = new LinkedHashMap<>(); // table → cali chain → cali targets
        Map<String, Set<String>> foreignTargets = new LinkedHashMap<>();
        String table = null;
        for (String raw : save.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("*")) {
                table = line.substring(1).strip();
                chains.putIfAbsent(table, new ArrayList<>());
                hooks.putIfAbsent(table, new ArrayList<>());
                jumps.putIfAbsent(table, new LinkedHashMap<>());
                foreignTargets.putIfAbsent(table, new LinkedHashSet<>());
            } else if (table == null) {
                continue;
            } else if (line.startsWith(":")) {
                String name = line.substring(1).split(" ", 2)[0];
                if (name.startsWith("cali-")) {
                    chains.get(table).add(name);
                }
            } else if (line.startsWith("-A ")) {
                String spec = line.substring(3);
                int sp = spec.indexOf(' ');
                String chain = sp < 0 ? spec : spec.substring(0, sp);
                String target = target(spec);
                if (target == null || !target.startsWith("cali-")) {
                    continue;
                }
                if (chain.startsWith("cali-")) {
                    jumps.get(table)
                            .computeIfAbsent(chain, k -> new LinkedHashSet<>())
                            .add(target);
                } else if (OUR_COMMENT.matcher(spec).find()
                        || (HOOK_TARGETS.contains(target) && spec.equals(chain + " -j " + target))) {
                    hooks.get(table).add(spec);
                } else {
                    foreignTargets.get(table).add(target);
                }
            }
        }
        Map<String, Table> result = new LinkedHashMap<>();
        for (String t : chains.keySet()) {
            Set<String> kept = reachable(foreignTargets.get(t), jumps.get(t));
            List<String> remove =
                    chains.get(t).stream().filter(c -> !kept.contains(c)).toList();
            List<String> keptChains =
                    chains.get(t).stream().filter(kept::contains).toList();
            result.put(t, new Table(t, List.copyOf(hooks.get(t)), remove, keptChains));
        }
        return new StaleIptables(result);
    }

    /** The target of a rule ({@code -j X} or {@code -g X}), ignoring quoted text such as comments; null if none. */
    static String target(String spec) {
        Matcher m = TARGET.matcher(QUOTED.matcher(spec).replaceAll("\"\""));
        String t = null;
        while (m.find()) {
            t = m.group(1);
        }
        return t;
    }

    private static Set<String> reachable(Set<String> from, Map<String, Set<String>> jumps) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(from);
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (seen.add(c)) {
                todo.addAll(jumps.getOrDefault(c, Set.of()));
            }
        }
        return seen;
    }

    /** Tables with something of ours to remove. */
    public List<Table> nonEmpty() {
        return tables.values().stream().filter(t -> !t.isEmpty()).toList();
    }

    public int chainCount() {
        return tables.values().stream().mapToInt(t -> t.chains().size()).sum();
    }

    public int hookCount() {
        return tables.values().stream().mapToInt(t -> t.hookRules().size()).sum();
    }

    public List<String> kept() {
        List<String> k = new ArrayList<>();
        tables.values().forEach(t -> t.kept().forEach(c -> k.add(t.name() + "/" + c)));
        return k;
    }
}
