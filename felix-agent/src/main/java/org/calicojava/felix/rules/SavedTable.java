package org.calicojava.felix.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code iptables-save -t TABLE} shows of ours: each cali- chain with the hash of each rule (null for a rule
 * without one), and the rules with a {@code cali:} hash in the built-in chains (where our hooks live), in their order.
 */
public record SavedTable(Map<String, List<String>> chains, Map<String, List<Hooked>> builtin) {
    /**
     * A rule with a {@code cali:} hash in a built-in chain: the hash, the rule as saved after {@code -A CHAIN } (how
     * it can be deleted when its hash is not one we know; null for one we inserted ourselves), and how many rules
     * without such a hash (other programs') are above it in its chain.
     */
    public record Hooked(String hash, String spec, int othersAbove) {}

    private static final Pattern HASH = Pattern.compile("--comment \"?cali:([A-Za-z0-9_\\-]+)\"?");

    /**
     * Whether {@code iptables-nft-save} said it cannot show {@code table} ("# Table `filter' is incompatible, use
     * 'nft' tool.", exit 0): the table holds rules written with {@code nft} that iptables does not understand, and
     * what follows is not the table's content.
     */
    public static boolean incompatible(String save, String table) {
        String said = "# Table `" + table + "' is incompatible";
        return save.lines().anyMatch(l -> l.startsWith(said));
    }

    public static SavedTable parse(String save, String table) {
        Map<String, List<String>> chains = new HashMap<>();
        Map<String, List<Hooked>> builtin = new HashMap<>();
        Map<String, Integer> others = new HashMap<>(); // per built-in chain, other programs' rules so far
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
                } else if (hash != null && sp > 0) {
                    builtin.computeIfAbsent(chain, k -> new ArrayList<>())
                            .add(new Hooked(hash, line.substring(sp + 1), others.getOrDefault(chain, 0)));
                } else {
                    others.merge(chain, 1, Integer::sum);
                }
            }
        }
        return new SavedTable(chains, builtin);
    }
}
