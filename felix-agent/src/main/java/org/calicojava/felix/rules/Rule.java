package org.calicojava.felix.rules;

/**
 * One iptables rule as data: {@code match} is the match part of the command line ("-p tcp -m multiport --dports 80",
 * may be empty), {@code action} the target part ("-j ACCEPT", "-g cali-fw-cali1"), {@code comment} says why the rule
 * exists (for readers; neither backend renders it). The match and target are checked by {@link RestoreText} (safe
 * characters only, targets ours or built-in), so a rule that exists can be written safely.
 */
public record Rule(String match, String action, String comment) {
    public Rule {
        match = match == null ? "" : match.strip();
        if (action == null || action.isBlank()) {
            throw new IllegalArgumentException("iptables rule action: missing");
        }
        action = action.strip();
        RestoreText.ruleText(match);
        RestoreText.target(action);
    }

    public static Rule of(String match, String action) {
        return new Rule(match, action, null);
    }

    /** What a "-j"/"-g" action names ("cali-fw-cali1", "ACCEPT"), without the target's options; else null. */
    public String target() {
        if (action.startsWith("-j ") || action.startsWith("-g ")) {
            int end = action.indexOf(' ', 3);
            return end < 0 ? action.substring(3) : action.substring(3, end);
        }
        return null;
    }

    /** The rule's text as iptables-restore gets it after "-A chain" (without the hash comment). */
    public String text() {
        return match.isEmpty() ? action : match + " " + action;
    }
}
