package org.calicojava.model;

import java.util.regex.Pattern;

/** Validation of names used in keys (profiles, tiers, policies, hosts, handles). */
public final class Names {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.\\-]{1,253}");

    private Names() {
    }

    /** A name that becomes one etcd key segment: letters, digits, '_', '.', '-'; 1..253 characters. */
    public static String check(String what, String name) {
        if (name == null || !NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException(what + " name: '" + name
                    + "' (expected: 1-253 of letters, digits, '_', '.', '-')");
        }
        return name;
    }
}
