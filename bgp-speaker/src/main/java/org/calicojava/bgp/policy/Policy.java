package org.calicojava.bgp.policy;

import java.util.List;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;

/**
 * A named list of terms, evaluated in order: the first matching term with an action decides; a matching term without an
 * action only applies its {@code set} and evaluation continues. A chain of policies ({@link #evaluate}) falls through to
 * the next policy when no term decided, and rejects at the end (as BIRD's filters do).
 */
public record Policy(String name, List<Term> terms) {
    public Policy {
        terms = List.copyOf(terms);
    }

    /** Result of one route through a chain: the (possibly changed) attributes, or null when rejected. */
    public static PathAttributes evaluate(List<Policy> chain, Prefix p, PathAttributes a, RouteSource src, long ourAs) {
        PathAttributes cur = a;
        for (Policy pol : chain) {
            for (Term t : pol.terms) {
                if (!t.match().matches(p, cur, src)) {
                    continue;
                }
                cur = t.set().apply(cur, ourAs);
                if (t.accept() != null) {
                    return t.accept() ? cur : null;
                }
            }
        }
        return null;
    }

    public static boolean dependsOnPrefix(List<Policy> chain) {
        for (Policy pol : chain) {
            for (Term t : pol.terms) {
                if (t.match().dependsOnPrefix() || t.match().source() != null) {
                    return true;
                }
            }
        }
        return false;
    }
}
