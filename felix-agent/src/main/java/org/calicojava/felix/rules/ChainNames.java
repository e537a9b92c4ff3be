package org.calicojava.felix.rules;

/**
 * Chain and ipset naming: Calico's prefixes; a name that would reach the limit (28, ipsets 31), or with any character
 * outside letters, digits, {@code _ . -} (names come from etcd: tiers, policies, profiles, tags), keeps its head (other
 * characters replaced by {@code _}), padded with {@code _}, and ends in a hash of the whole at exactly the limit, so the
 * result is always safe in iptables-restore and nft input and distinct per name (a name in full is always shorter
 * than the limit, so it is never another name's short form). Never throws for any input.
 */
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
    /** The shared tier dispatch ({@link TierChains}): to workloads (inbound policy) and from them (outbound). */
    public static final String TIERS_IN = "cali-tiers-in";

    public static final String TIERS_OUT = "cali-tiers-out";
    /** A tier's chain of policies: inbound ({@code cali-ti-TIER}) and outbound ({@code cali-te-TIER}). */
    public static final String TIER_IN = "cali-ti-";

    public static final String TIER_OUT = "cali-te-";
    public static final String POLICY_IN = "cali-pi-";
    public static final String POLICY_OUT = "cali-po-";
    public static final String PROFILE_IN = "cali-pri-";
    public static final String PROFILE_OUT = "cali-pro-";

    private ChainNames() {}

    /** {@code prefix + name}, or when 28 or longer: its head and a hash tail, 28 long (stable, distinct per name). */
    public static String of(String prefix, String name) {
        return limit(prefix, name, MAX_LENGTH);
    }

    static String limit(String prefix, String name, int max) {
        String full = prefix + (name == null ? "" : name);
        boolean safe = isSafe(full) && name != null && !name.isEmpty();
        // names in full are shorter than max and shortened ones exactly max long (padded), so that no name written
        // in full can be another's short form
        if (safe && full.length() < max) {
            return full;
        }
        String hash = Hashes.short16(full).substring(0, 10);
        StringBuilder head = new StringBuilder(max);
        for (int i = 0; i < full.length() && head.length() < max - hash.length() - 1; i++) {
            char c = full.charAt(i);
            head.append(isSafe(c) ? c : '_');
        }
        while (head.length() < max - hash.length() - 1) {
            head.append('_');
        }
        return head + "_" + hash;
    }

    private static boolean isSafe(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-';
    }

    private static boolean isSafe(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isSafe(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A name for an error message: quoted and escaped (it may be anything). */
    static String describe(String name) {
        return org.calicojava.model.LogText.quote(name);
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

    /** {@code name} if it is one of our chain names ({@link RestoreText#chain}), else an exception. */
    public static String check(String name) {
        return RestoreText.chain(name);
    }

    /**
     * Whether {@code s} is {@code prefix} then {@code min} to {@code max} of ASCII letters, digits, '_', '.', '-' (the
     * characters of our chain, set and interface names), without a regular expression: it runs for every rule.
     */
    static boolean isWord(String s, String prefix, int min, int max) {
        if (s == null || !s.startsWith(prefix)) {
            return false;
        }
        int n = s.length() - prefix.length();
        if (n < min || n > max) {
            return false;
        }
        for (int i = prefix.length(); i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '_'
                    || c == '.'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
