package org.calicojava.confd;

import java.util.Collection;

/** Prefix arithmetic on '/'-separated etcd keys, segment-wise so "/host/node1" does not cover "/host/node10". */
public final class KeyPrefixes {
    private KeyPrefixes() {}

    /** Whether {@code key} is {@code prefix} itself or below it. */
    public static boolean covers(String prefix, String key) {
        if (prefix.endsWith("/")) {
            return key.startsWith(prefix) || key.equals(prefix.substring(0, prefix.length() - 1));
        }
        return key.equals(prefix) || key.startsWith(prefix + "/");
    }

    /** The longest common segment prefix of all {@code prefixes}, ending in '/' ("/" if they share nothing). */
    public static String common(Collection<String> prefixes) {
        String[] common = null;
        for (String p : prefixes) {
            String[] segs = p.replaceAll("^/+|/+$", "").split("/+");
            if (common == null) {
                common = segs;
                continue;
            }
            int n = 0;
            while (n < common.length && n < segs.length && common[n].equals(segs[n])) {
                n++;
            }
            common = java.util.Arrays.copyOf(common, n);
        }
        if (common == null || common.length == 0 || common.length == 1 && common[0].isEmpty()) {
            return "/";
        }
        return "/" + String.join("/", common) + "/";
    }
}
