package org.calicojava.felix.rules;

/** Chain and ipset naming: Calico's prefixes; names too long keep their head and end in a hash of the whole. */
public final class ChainNames {
    public static final int MAX_LENGTH = 28;
    public static final int IPSET_MAX_LENGTH = 31;
    public static final String INPUT = "cali-INPUT";
    public static final String FORWARD = "cali-FORWARD";
    public static final String OUTPUT = "cali-OUTPUT";
    public static final String POSTROUTING = "cali-POSTROUTING";
    /** raw table: anti-spoofing (reverse path filter) for traffic from workloads. */
    public static final String PREROUTING = "cali-PREROUTING";
    public static final String NAT_OUTGOING = "cali-nat-outgoing";
    public static final String WL_TO_HOST = "cali-wl-to-host";
    public static final String FROM_WL_DISPATCH = "cali-from-wl-dispatch";
    public static final String TO_WL_DISPATCH = "cali-to-wl-dispatch";
    public static final String TO_WL = "cali-tw-";
    public static final String FROM_WL = "cali-fw-";
    public static final String POLICY_IN = "cali-pi-";
    public static final String POLICY_OUT = "cali-po-";
    public static final String PROFILE_IN = "cali-pri-";
    public static final String PROFILE_OUT = "cali-pro-";

    private ChainNames() {
    }

    /** {@code prefix + name}, or when longer than 28: its head and a hash tail (stable, distinct per name). */
    public static String of(String prefix, String name) {
        return limit(prefix, name, MAX_LENGTH);
    }

    static String limit(String prefix, String name, int max) {
        String full = prefix + name;
        if (full.length() <= max) {
            return full;
        }
        String hash = Hashes.short16(full).substring(0, 10);
        return full.substring(0, max - hash.length() - 1) + "_" + hash;
    }

    /** The ipset for a tag: cali4-t-TAG (hash tail when too long). */
    public static String tagSet(int version, String tag) {
        return limit("cali" + version + "-t-", tag, IPSET_MAX_LENGTH);
    }

    /** The ipset for a selector: cali4-s-HASH of its canonical form. */
    public static String selectorSet(int version, String canonicalSelector) {
        return "cali" + version + "-s-" + Hashes.hash(canonicalSelector, 20);
    }

    public static String allPoolsSet(int version) {
        return "cali" + version + "-all-ipam-pools";
    }

    public static String masqPoolsSet(int version) {
        return "cali" + version + "-masq-ipam-pools";
    }

    public static String check(String name) {
        if (name == null || !name.startsWith("cali-") || name.length() > MAX_LENGTH || name.contains(" ")) {
            throw new IllegalArgumentException("chain name: '" + name + "' (expected: cali-..., at most "
                    + MAX_LENGTH + " characters, no spaces)");
        }
        return name;
    }
}
