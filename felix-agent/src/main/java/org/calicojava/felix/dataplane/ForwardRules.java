package org.calicojava.felix.dataplane;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What another firewall put in an iptables FORWARD chain, from {@code iptables -S FORWARD} (any flavour, either
 * family): a policy of DROP, and the rules that are not ours (ours jump or go to a {@code cali-} chain). Either can
 * drop workload traffic that our nftables table accepted: every base chain at a hook sees the packet, and a drop
 * anywhere is final. Shared by felix's {@code DataplaneBackend=auto} and javactl's checksystem. The text is
 * untrusted: unknown lines are ignored.
 */
public record ForwardRules(boolean policyDrop, List<String> foreignTargets, int foreignRules) {
    public ForwardRules {
        foreignTargets = List.copyOf(foreignTargets);
    }

    /** Parses {@code iptables -S FORWARD} output. */
    public static ForwardRules parse(String save) {
        boolean drop = false;
        Set<String> targets = new LinkedHashSet<>();
        int foreign = 0;
        for (String line : save.split("\n")) {
            String l = line.trim();
            if (l.startsWith("-P FORWARD ")) {
                drop = l.substring("-P FORWARD ".length()).trim().equals("DROP");
            } else if (l.startsWith("-A FORWARD")) {
                String target = target(l);
                if (target.startsWith("cali-")) {
                    continue; // our hook (the iptables backend's, or an earlier run's)
                }
                foreign++;
                targets.add(target.isEmpty() ? "(no target)" : target);
            }
        }
        return new ForwardRules(drop, new ArrayList<>(targets), foreign);
    }

    /** The word after the last {@code -j} or {@code -g}; "" when none. */
    private static String target(String rule) {
        String[] w = rule.split("\\s+");
        String t = "";
        for (int i = 0; i + 1 < w.length; i++) {
            if (w[i].equals("-j") || w[i].equals("-g") || w[i].equals("--jump") || w[i].equals("--goto")) {
                t = w[i + 1];
            }
        }
        return t;
    }

    /** Whether Docker's chains are involved (its FORWARD rules jump to DOCKER-USER, DOCKER-ISOLATION-STAGE-1 ...). */
    public boolean docker() {
        return foreignTargets.stream().anyMatch(t -> t.startsWith("DOCKER"));
    }

    /** Whether anything here can drop what our nftables table accepted. */
    public boolean overrides() {
        return policyDrop || foreignRules > 0;
    }

    /** "policy DROP and 3 rules of others (DOCKER-USER, ...)", for a log line; "" when nothing. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (policyDrop) {
            parts.add("policy DROP");
        }
        if (foreignRules > 0) {
            List<String> shown = foreignTargets.subList(0, Math.min(4, foreignTargets.size()));
            parts.add(foreignRules + " rule" + (foreignRules == 1 ? "" : "s") + " of others (to "
                    + org.calicojava.model.LogText.quote(String.join(", ", shown))
                    + (foreignTargets.size() > shown.size() ? ", ..." : "") + ")");
        }
        return String.join(" and ", parts);
    }

    /** firewalld's command line (words joined with spaces): the daemon itself, or python running it. */
    public static boolean isFirewalld(String cmdline) {
        String[] words = cmdline.split(" ");
        for (int i = 0; i < Math.min(4, words.length); i++) {
            if (words[i].equals("firewalld") || words[i].endsWith("/firewalld")) {
                return true;
            }
        }
        return false;
    }
}
