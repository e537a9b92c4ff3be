package org.calicojava.felix.rules;

import java.util.Collection;
import java.util.List;

/**
 * Pure rendering of iptables-restore input for one table (used with {@code --noflush}): declaring a chain flushes it,
 * so only the chains listed are rewritten; every rule carries {@code -m comment --comment "cali:HASH"}. Every name and
 * rule goes through {@link RestoreText}: one line per rule, only our chains declared, flushed or deleted.
 */
public final class RestoreScript {
    private final StringBuilder declare = new StringBuilder();
    private final StringBuilder body = new StringBuilder();
    private final StringBuilder tail = new StringBuilder();
    private final String table;
    private int changes;

    public RestoreScript(String table) {
        this.table = table;
    }

    /** Rewrites (or creates) {@code chain}; returns the rule hashes written. */
    public List<String> write(Chain chain) {
        RestoreText.chain(chain.name());
        List<String> hashes = Hashes.ruleHashes(chain);
        declare.append(':').append(chain.name()).append(" - [0:0]\n");
        for (int i = 0; i < chain.rules().size(); i++) {
            appendRule(
                    body.append("-A ").append(chain.name()),
                    hashes.get(i),
                    chain.rules().get(i));
        }
        changes++;
        return hashes;
    }

    /** Flushes and deletes {@code chains} (after every rewrite, so references to them are gone by then). */
    public void delete(Collection<String> chains) {
        for (String c : chains) {
            RestoreText.chain(c);
            declare.append(':').append(c).append(" - [0:0]\n");
            tail.append("-X ").append(c).append('\n');
            changes++;
        }
    }

    /** Inserts a hook rule at the top of a built-in chain. */
    public void insertHook(String builtin, Rule rule) {
        RestoreText.builtin(builtin);
        appendRule(body.append("-I ").append(builtin).append(" 1"), hookHash(builtin, rule), rule);
        changes++;
    }

    /** Deletes a hook rule we inserted (matched by its full spec, hash comment included). */
    public void deleteHook(String builtin, Rule rule) {
        RestoreText.builtin(builtin);
        appendRule(body.append("-D ").append(builtin), hookHash(builtin, rule), rule);
        changes++;
    }

    /**
     * Deletes a rule with a {@code cali:} hash we do not know from a built-in chain, by its spec as iptables-save
     * showed it (checked as any rule text); IllegalArgumentException when the spec is not such text.
     */
    public void deleteSaved(String builtin, String spec) {
        RestoreText.builtin(builtin);
        RestoreText.ruleText(spec);
        body.append("-D ").append(builtin).append(' ').append(spec).append('\n');
        changes++;
    }

    public static String hookHash(String builtin, Rule rule) {
        return Hashes.short16("hook " + builtin + "\n" + rule.text());
    }

    private void appendRule(StringBuilder b, String hash, Rule r) {
        RestoreText.ruleText(hash);
        String text = RestoreText.ruleText(r.text()); // its values were checked when made; the text where written
        RestoreText.target(r.actionText());
        b.append(" -m comment --comment \"cali:")
                .append(hash)
                .append("\" ")
                .append(text)
                .append('\n');
    }

    public boolean isEmpty() {
        return changes == 0;
    }

    public int changes() {
        return changes;
    }

    public String text() {
        return "*" + table + "\n" + declare + body + tail + "COMMIT\n";
    }
}
