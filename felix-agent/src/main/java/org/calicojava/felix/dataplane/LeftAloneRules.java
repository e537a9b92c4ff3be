package org.calicojava.felix.dataplane;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.felix.rules.RestoreScript;
import org.calicojava.felix.rules.RestoreText;
import org.calicojava.felix.rules.SavedTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules with a {@code cali:} hash in one table's built-in chains that {@link HookPlan} would remove by their saved
 * spec but that are left alone, so that the table's other changes can go in: a spec that is not rule text we write
 * ourselves, or one whose deletion a restore refused ({@code line N failed} naming that line). Each gets one log line
 * while read-backs keep showing it; the chains such rules jump to are not deleted (a restore deleting a chain in use
 * fails). Owned by the dataplane thread, as its {@link IptablesTable}.
 */
final class LeftAloneRules {
    private static final Logger LOG = LoggerFactory.getLogger(LeftAloneRules.class);
    private static final Pattern FAILED_LINE = Pattern.compile("line (\\d+) failed");
    private static final Pattern JUMP = Pattern.compile("(?:^| )-[jg] (\\S+)");
    private final String what; // "iptables filter", for the log
    /** "CHAIN SPEC" of each rule left alone. */
    private final Set<String> rules = new HashSet<>();

    LeftAloneRules(String what) {
        this.what = what;
    }

    /** Forgets rules a read-back no longer shows ({@code builtin}: the built-in chains' rules of ours, as read). */
    void keepOnly(Map<String, List<SavedTable.Hooked>> builtin) {
        Set<String> shown = new HashSet<>();
        builtin.forEach((chain, rs) -> rs.forEach(r -> shown.add(key(chain, r))));
        rules.retainAll(shown);
    }

    /** {@code plan} without the removals of rules left alone (a spec found not to be rule text is said here, once). */
    HookPlan deletable(HookPlan plan) {
        List<HookPlan.Removal> ok = new ArrayList<>();
        for (HookPlan.Removal r : plan.remove()) {
            if (r.known() != null) {
                ok.add(r);
                continue;
            }
            String key = key(r.builtin(), r.rule());
            if (rules.contains(key)) {
                continue;
            }
            try {
                RestoreText.ruleText(r.rule().spec());
                ok.add(r);
            } catch (IllegalArgumentException e) {
                rules.add(key);
                LOG.warn(
                        "{} {}: rule with hash cali:{} left alone ({})",
                        what,
                        r.builtin(),
                        r.rule().hash(),
                        e.getMessage());
            }
        }
        return ok.size() == plan.remove().size() ? plan : new HookPlan(plan.insert(), ok);
    }

    /** After {@code script} failed with {@code error}: the unknown rule whose deletion it refused is left alone. */
    void refused(RestoreScript script, String error, HookPlan plan) {
        Matcher m = FAILED_LINE.matcher(error == null ? "" : error);
        long n = m.find() ? Long.parseLong(m.group(1)) : 0;
        if (n < 1) {
            return;
        }
        String line = script.text().lines().skip(n - 1).findFirst().orElse("");
        for (HookPlan.Removal r : plan.remove()) {
            if (r.known() == null
                    && line.equals("-D " + r.builtin() + " " + r.rule().spec())
                    && rules.add(key(r.builtin(), r.rule()))) {
                LOG.warn(
                        "{} {}: rule with hash cali:{} left alone (the restore refused its deletion)",
                        what,
                        r.builtin(),
                        r.rule().hash());
            }
        }
    }

    /**
     * The chains that rules of ours in the built-in chains still jump to after {@code plan} (those it does not
     * remove), which a restore cannot delete.
     */
    static Set<String> stillJumpedTo(Map<String, List<SavedTable.Hooked>> builtin, HookPlan plan) {
        Set<SavedTable.Hooked> removed = new HashSet<>();
        plan.remove().forEach(r -> removed.add(r.rule()));
        Set<String> out = new HashSet<>();
        builtin.values()
                .forEach(rs -> rs.forEach(r -> {
                    if (r.spec() != null && !removed.contains(r)) {
                        Matcher m = JUMP.matcher(r.spec());
                        if (m.find()) {
                            out.add(m.group(1));
                        }
                    }
                }));
        return out;
    }

    private static String key(String chain, SavedTable.Hooked r) {
        return chain + " " + r.spec();
    }
}
