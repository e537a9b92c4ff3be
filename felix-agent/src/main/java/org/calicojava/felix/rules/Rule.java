package org.calicojava.felix.rules;

import java.util.List;
import java.util.Objects;

/**
 * One rule as typed data: {@code matches} (ANDed, in order; may be empty), {@code action} and {@code comment} (why
 * the rule exists, for readers; neither backend renders it). Every value was checked when its {@link Match} or
 * {@link Action} record was made (names in the set {@link RestoreText} allows, chains ours), so a rule that exists can
 * be written safely by every renderer: {@link IptablesRender}, {@code nft.NftRuleRenderer} (nft text),
 * {@code nft.NftExprs} (netlink); {@link RestoreScript} checks the text again where it writes it.
 */
public record Rule(List<Match> matches, Action action, String comment) {
    public Rule {
        matches = List.copyOf(matches);
        Objects.requireNonNull(action, "rule action");
    }

    public Rule(Action action, String comment, Match... matches) {
        this(List.of(matches), action, comment);
    }

    public static Rule of(Action action, Match... matches) {
        return new Rule(List.of(matches), action, null);
    }

    /** The chain a jump or goto names ("cali-fw-cali1"), a built-in target's name ("ACCEPT", "MARK"). */
    public String target() {
        if (action instanceof Action.Jump j) {
            return j.chain();
        }
        if (action instanceof Action.Goto g) {
            return g.chain();
        }
        if (action instanceof Action.Verdict v) {
            return v.name();
        }
        return action instanceof Action.SetMark ? "MARK" : action instanceof Action.Log ? "LOG" : "MASQUERADE";
    }

    /** The iptables match part ("-p tcp -m multiport --dports 80", "" without matches). */
    public String matchText() {
        return IptablesRender.matches(matches);
    }

    /** The iptables target part ("-j ACCEPT", "-g cali-fw-cali1"). */
    public String actionText() {
        return IptablesRender.action(action);
    }

    /** The rule's text as iptables-restore gets it after "-A chain" (without the hash comment). */
    public String text() {
        return IptablesRender.text(this);
    }
}
