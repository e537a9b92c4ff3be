package org.calicojava.model;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validation of names that become etcd key segments and, in felix, iptables chain and ipset names: nodes, tiers,
 * policies, profiles, tags, orchestrators, workloads, endpoints, handles. Calico's character set (letters, digits,
 * '_', '.', '-'; no '.' in a tier), never "." or "..", and a length limit per kind: tiers and orchestrators 63 (a DNS label, as
 * Calico's tiers), felix config names 64 of letters and digits, everything else 253 (a DNS name). Writers and
 * readers call the same check, so a name javactl refuses is also one felix skips.
 */
public final class Names {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.\\-]+");
    private static final Pattern CONFIG = Pattern.compile("[a-zA-Z0-9_]{1,64}");
    private static final int DEFAULT_MAX = 253;
    /** Per kind of name, its maximum length (kinds not listed: {@value #DEFAULT_MAX}). */
    private static final Map<String, Integer> MAX = Map.of("tier", 63, "orchestrator", 63);

    private Names() {}

    /** A name that becomes one etcd key segment: letters, digits, '_', '.' (not in a tier), '-'; 1..max for its kind. */
    public static String check(String what, String name) {
        int max = MAX.getOrDefault(what, DEFAULT_MAX);
        // felix names a tier's policy "TIER.POLICY" (its chains, its status): a dot in the tier would let tier "a"
        // with policy "b.c" and tier "a.b" with policy "c" share one name (Calico's tiers have no dot either)
        boolean tier = what.equals("tier");
        if (name == null
                || name.isEmpty()
                || name.length() > max
                || !NAME.matcher(name).matches()
                || name.equals(".")
                || name.equals("..")
                || tier && name.indexOf('.') >= 0) {
            throw new IllegalArgumentException(what + " name: " + LogText.quote(name) + " (expected: 1-" + max
                    + (tier ? " of letters, digits, '_', '-')" : " of letters, digits, '_', '.', '-')"));
        }
        return name;
    }

    /** A felix configuration parameter name ({@code /calico/v1/config/<Name>}): 1-64 letters, digits, '_'. */
    public static String config(String name) {
        if (name == null || !CONFIG.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "config name: " + LogText.quote(name) + " (expected: 1-64 of letters, digits, '_')");
        }
        return name;
    }
}
