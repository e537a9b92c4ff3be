package org.calicojava.felix.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code iptables-save -t TABLE} shows of ours: each cali- chain with the hash of each rule (null for a rule
 * without one), and the hashes found in the built-in chains (where our hooks live).
 */
public record SavedTable(Map<String, List<String>> chains, Map<String, Set<String>> builtinHashes) {
    private static final Pattern HASH = Pattern.compile("--comment \"?cali:([A-Za-z0-9_\\-]+)\"?");

    public static SavedTable parse(String save, String table) {
        Map<String, List<String>> chains = new HashMap<>();
        Map<String, Set<String>> builtin = new HashMap<>();
        boolean inTable = false;
        for (String line : save.split("\n")) {
            if (line.startsWith("*")) {
                inTable = line.substring(1).strip().equals(table);
            } else if (!inTable) {
                continue;
            } else if (line.startsWith(":")) {
                String name = line.substring(1).split(" ", 2)[0];
                if (name.startsWith("cali-")) {
                    chains.putIfAbsent(name, new ArrayList<>());
                }
            } else if (line.startsWith("-A ")) {
                int sp = line.indexOf(' ', 3);
                String chain = sp < 0 ? line.substring(3) : line.substring(3, sp);
                Matcher m = HASH.matcher(line);
                String hash = m.find() ? m.group(1) : null;
                if (chain.startsWith("cali-")) {
                    chains.computeIfAbsent(chain, k -> new ArrayList<>()).add(hash);
                } else if (hash != null) {
                    builtin.computeIfAbsent(chain, k -> new HashSet<>()).add(hash);
                }
            }
        }
        return new SavedTable(chains, builtin);
    }
}
