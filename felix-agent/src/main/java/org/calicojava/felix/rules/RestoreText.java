package org.calicojava.felix.rules;

import java.util.Set;

/**
 * The one encoder of iptables-restore input: everything {@link RestoreScript} writes passes these checks, so no value
 * can end a line, open a comment, start a new command ({@code COMMIT}, {@code -F}) or name a chain that is not ours.
 * Values are never escaped: names derived from etcd are made safe before they get here ({@link ChainNames} hashes
 * anything else), and anything outside the grammar is refused with an {@link IllegalArgumentException}.
 * <ul>
 *   <li>chain: {@code cali-} then letters, digits, {@code _ . -}; at most {@value ChainNames#MAX_LENGTH};</li>
 *   <li>rule text (match and target): printable ASCII from {@code A-Z a-z 0-9 space _ . : , / + ! -} and double quotes
 *   in pairs; every {@code -j}/{@code -g} target one of ours or a built-in target.</li>
 * </ul>
 */
public final class RestoreText {
    private static final Set<String> BUILTIN_CHAINS = Set.of("INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING");
    private static final Set<String> TARGETS = Set.of("ACCEPT", "DROP", "RETURN", "MARK", "LOG", "MASQUERADE");

    private RestoreText() {}

    /** Whether {@code name} is one of our chain names. */
    public static boolean isChain(String name) {
        return ChainNames.isWord(name, "cali-", 1, ChainNames.MAX_LENGTH - 5);
    }

    /** {@code name} if it is one of our chain names, else an exception. */
    public static String chain(String name) {
        if (!isChain(name)) {
            throw new IllegalArgumentException("chain name: " + ChainNames.describe(name) + " (expected: cali- and"
                    + " letters, digits, '_', '.', '-', at most " + ChainNames.MAX_LENGTH + " characters)");
        }
        return name;
    }

    /** Whether {@code name} is a built-in chain (of any table). */
    public static boolean isBuiltin(String name) {
        return BUILTIN_CHAINS.contains(name);
    }

    /** A built-in chain a hook rule goes into. */
    public static String builtin(String name) {
        if (!BUILTIN_CHAINS.contains(name)) {
            throw new IllegalArgumentException(
                    "built-in chain: " + ChainNames.describe(name) + " (expected: one of " + BUILTIN_CHAINS + ")");
        }
        return name;
    }

    /** Checks one rule's match or target text (see the class comment); returns it. */
    public static String ruleText(String text) {
        int quotes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == ' '
                    || c == '_'
                    || c == '.'
                    || c == ':'
                    || c == ','
                    || c == '/'
                    || c == '+'
                    || c == '!'
                    || c == '-'
                    || c == '"';
            if (!ok) {
                throw new IllegalArgumentException("iptables rule: character " + String.format("U+%04X", (int) c)
                        + " at " + i + " (expected: letters, digits, space and _.:,/+!-\")");
            }
            quotes += c == '"' ? 1 : 0;
        }
        if (quotes % 2 != 0) {
            throw new IllegalArgumentException("iptables rule: unbalanced double quote");
        }
        return text;
    }

    /** Checks a rule's target part: {@code -j|-g} then one of ours or a built-in target (with its options). */
    public static String target(String action) {
        ruleText(action);
        if (!(action.startsWith("-j ") || action.startsWith("-g "))) {
            throw new IllegalArgumentException(
                    "iptables rule target: " + ChainNames.describe(action) + " (expected: -j or -g)");
        }
        int end = action.indexOf(' ', 3);
        String target = end < 0 ? action.substring(3) : action.substring(3, end);
        boolean builtin = TARGETS.contains(target) && action.startsWith("-j ");
        if (!builtin && !(isChain(target) && end < 0)) {
            throw new IllegalArgumentException("iptables rule target: " + ChainNames.describe(target)
                    + " (expected: one of our chains or " + TARGETS + ")");
        }
        return action;
    }
}
