package org.calicojava.ctl;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.calicojava.ctl.explain.ChainWalker;
import org.calicojava.felix.rules.RuleRenderer;
import org.calicojava.model.Rule;

/**
 * Prints a {@link ChainWalker} walk of felix's tier dispatch and an endpoint chain as tiers, policies, profiles and
 * the rules that decided.
 */
final class ExplainText {
    /** A policy or profile behind a rule chain: its rules, and how many iptables rules felix renders for each. */
    static final class Owner {
        final String name;
        final List<Rule> rules;
        final int[] firstRendered;

        Owner(String name, List<Rule> rules, RuleRenderer renderer) {
            this.name = name;
            this.rules = rules;
            this.firstRendered = new int[rules.size() + 1];
            int at = 0;
            for (int i = 0; i < rules.size(); i++) {
                firstRendered[i] = at;
                try {
                    at += renderer.render(rules.get(i)).size();
                } catch (IllegalArgumentException e) {
                    // felix leaves a rule it cannot render out
                }
            }
            firstRendered[rules.size()] = at;
        }

        /** The 0-based model rule behind iptables rule {@code index} of the chain. */
        int ruleOf(int index) {
            for (int i = 0; i < rules.size(); i++) {
                if (index >= firstRendered[i] && index < firstRendered[i + 1]) {
                    return i;
                }
            }
            return -1;
        }
    }

    private final PrintWriter out;
    private final Map<String, Owner> owners;
    private final String direction;

    ExplainText(PrintWriter out, Map<String, Owner> owners, boolean inbound) {
        this.out = out;
        this.owners = owners;
        this.direction = inbound ? "inbound" : "outbound";
    }

    /**
     * The walk of felix's tier dispatch and then the endpoint's chain: each tier whose policies apply to the endpoint
     * (their selector set holds it), the policies and profiles entered and what decided in each.
     */
    void print(ChainWalker.Result r) {
        List<ChainWalker.Step> steps = r.steps();
        if (steps.stream()
                .noneMatch(s -> s.rule().comment() != null
                        && s.rule().comment().startsWith("policy ")
                        && s.rule().comment().endsWith(" applies"))) {
            out.println("  (no policy of any tier selects this endpoint: its profiles decide)");
        }
        String tier = null;
        for (int i = 0; i < steps.size(); i++) {
            ChainWalker.Step s = steps.get(i);
            String comment = s.rule().comment() == null ? "" : s.rule().comment();
            String target = s.rule().target();
            if (s.depth() == 0 && comment.startsWith("start of tier ")) {
                tier = comment.substring("start of tier ".length());
            } else if (target != null && owners.containsKey(target)) {
                Owner o = owners.get(target);
                boolean policy = o.name.startsWith("policy ");
                if (policy && tier != null) {
                    out.println("  tier " + tier + ":");
                    tier = null;
                }
                String decided = decided(steps, i + 1, s.depth(), target, o);
                out.println((policy ? "    " : "  ") + o.name + ": " + decided);
            } else if (comment.equals("drop if no policy in tier passed")) {
                if (tier != null) {
                    out.println("  tier " + tier + ":");
                }
                out.println("    no policy of the tier allowed or passed the packet: drop (end of tier)");
            } else if (comment.equals("drop if no profile matched")) {
                out.println("  no profile allowed the packet: drop");
            }
        }
    }

    /** What happened inside the chain entered at step {@code from}: the rule that matched, or none. */
    private String decided(List<ChainWalker.Step> steps, int from, int depth, String chain, Owner o) {
        for (int j = from; j < steps.size() && steps.get(j).depth() > depth; j++) {
            ChainWalker.Step s = steps.get(j);
            if (!s.chain().equals(chain)
                    || s.rule().comment() != null && s.rule().comment().startsWith("return if")) {
                continue;
            }
            int rule = o.ruleOf(s.index());
            if (rule < 0) {
                continue;
            }
            Rule m = o.rules.get(rule);
            String verdict = switch (m.action()) {
                case "allow" -> "allow";
                case "deny" -> "deny (drop)";
                case "next-tier" -> "pass to the next tier";
                default -> "log, go on";
            };
            if (m.action().equals("log")) {
                out.println("      " + direction + " rule " + (rule + 1) + " matched: " + RuleGrammar.format(m)
                        + " => log");
                continue;
            }
            return direction + " rule " + (rule + 1) + " matched: " + RuleGrammar.format(m) + " => " + verdict;
        }
        return "no " + direction + " rule matched (" + o.rules.size() + " rules)";
    }
}
