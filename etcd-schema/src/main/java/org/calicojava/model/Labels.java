package org.calicojava.model;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Labels of endpoints and profiles, as Kubernetes and Calico restrict them: a key is an optional DNS-name prefix and
 * '/', then a name of 1-63 characters (alphanumeric at both ends, '-', '_', '.' inside); a value is empty or such a
 * name. At most {@value #MAX_LABELS} labels.
 */
public final class Labels {
    public static final int MAX_LABELS = 256;
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]");
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private Labels() {}

    /** The labels, copied; null is empty. */
    public static Map<String, String> check(Map<String, String> labels) {
        if (labels == null) {
            return Map.of();
        }
        if (labels.size() > MAX_LABELS) {
            throw new IllegalArgumentException("labels: " + labels.size() + " (expected: at most " + MAX_LABELS + ")");
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            checkKey(e.getKey());
            String v = e.getValue();
            if (v == null || !v.isEmpty() && !NAME.matcher(v).matches()) {
                throw new IllegalArgumentException("label " + e.getKey() + ": value " + LogText.quote(v)
                        + " (expected: empty or 1-63 of letters, digits, '-', '_', '.', alphanumeric at both ends)");
            }
        }
        return Map.copyOf(labels);
    }

    private static void checkKey(String key) {
        String k = key == null ? "" : key;
        int slash = k.indexOf('/');
        String name = slash < 0 ? k : k.substring(slash + 1);
        boolean ok = NAME.matcher(name).matches()
                && (slash < 0 || PREFIX.matcher(k.substring(0, slash)).matches());
        if (!ok) {
            throw new IllegalArgumentException("label key: " + LogText.quote(key)
                    + " (expected: [dns-prefix/]name, name 1-63 of letters, digits, '-', '_', '.')");
        }
    }
}
