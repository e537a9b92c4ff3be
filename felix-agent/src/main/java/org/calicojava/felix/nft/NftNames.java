package org.calicojava.felix.nft;

/**
 * Names in our nftables table: {@code table inet calico} (inet: one table serves IPv4 and IPv6), its base chains and
 * the dispatch maps. Regular chains and sets keep the rule model's names ({@code cali-...}, {@code cali4-...},
 * {@code cali6-...}); a chain whose IPv4 and IPv6 renderings differ has one chain per family, {@code NAME/4} and
 * {@code NAME/6} ({@link #familyChain}: '/' never occurs in the model's names, so these cannot collide with one).
 */
public final class NftNames {
    public static final String FAMILY = "inet";
    public static final String TABLE = "calico";
    /** Where commands address the table: "inet calico". */
    public static final String QUALIFIED = FAMILY + " " + TABLE;
    /** Verdict map iifname to {@code goto cali-fw-IF} (replaces the iptables dispatch tree from workloads). */
    public static final String FROM_WL_MAP = "cali-from-wl-map";
    /** Verdict map oifname to {@code goto cali-tw-IF}. */
    public static final String TO_WL_MAP = "cali-to-wl-map";
    /** Priority of our base chains relative to the standard ones: before iptables-nft's (filter 0, srcnat 100). */
    public static final int PRIORITY_OFFSET = -5;

    private NftNames() {}

    /**
     * Whether nft accepts the name unquoted (this nft does not take quoted chain or set names): {@code
     * [a-zA-Z_][a-zA-Z0-9/\\_.-]{0,254}}, checked char by char (every chain of a build is checked).
     */
    public static boolean isIdentifier(String name) {
        if (name == null || name.isEmpty() || name.length() > 255) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
            if (!(letter || i > 0 && (c >= '0' && c <= '9' || c == '/' || c == '\\' || c == '.' || c == '-'))) {
                return false;
            }
        }
        return true;
    }

    /** The chain holding one family's rendering of a model chain that differs between the families: "cali-X/6". */
    public static String familyChain(String chain, int version) {
        return chain + "/" + version;
    }

    /** Our base chain for a built-in iptables chain of a table: "filter-FORWARD", "nat-POSTROUTING". */
    public static String baseChain(String table, String builtin) {
        return table + "-" + builtin;
    }

    /**
     * The chain declaration of a base chain, e.g. "type filter hook forward priority filter - 5; policy accept;"; the
     * raw table's PREROUTING (anti-spoofing) becomes "type filter hook prerouting priority raw - 5; ...".
     */
    public static String hookSpec(String table, String builtin) {
        String type = table.equals("nat") ? "nat" : "filter";
        String prio = switch (table) {
            case "nat" -> builtin.equals("POSTROUTING") ? "srcnat" : "dstnat";
            case "raw" -> "raw";
            default -> "filter";
        };
        return "type " + type + " hook " + builtin.toLowerCase(java.util.Locale.ROOT) + " priority " + prio
                + (PRIORITY_OFFSET < 0 ? " - " + -PRIORITY_OFFSET : " + " + PRIORITY_OFFSET) + "; policy accept;";
    }

    /** A base chain's declaration for netlink: chain type, hook number (NF_INET_*), priority. */
    public record Hook(String type, int hook, int priority) {}

    /** {@link #hookSpec} as numbers: priorities filter 0, raw -300, srcnat 100, dstnat -100, plus our offset. */
    public static Hook hook(String table, String builtin) {
        String type = table.equals("nat") ? "nat" : "filter";
        int prio = switch (table) {
            case "nat" -> builtin.equals("POSTROUTING") ? 100 : -100;
            case "raw" -> -300;
            default -> 0;
        };
        int hook = switch (builtin) {
            case "PREROUTING" -> 0;
            case "INPUT" -> 1;
            case "FORWARD" -> 2;
            case "OUTPUT" -> 3;
            case "POSTROUTING" -> 4;
            default -> throw new IllegalArgumentException("nft base chain: hook '" + builtin + "'");
        };
        return new Hook(type, hook, prio + PRIORITY_OFFSET);
    }
}
