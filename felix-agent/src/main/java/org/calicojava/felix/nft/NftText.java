package org.calicojava.felix.nft;

import java.util.regex.Pattern;

/**
 * The one encoder of nft script text: every name, string and value {@link NftRuleRenderer} and {@link NftState} write
 * passes one of these checks, so no value can end a statement ({@code ;}, newline), open a comment ({@code #}), close
 * a block ({@code }}) or leave a quoted string. Nothing is escaped: a value outside the grammar is refused with an
 * {@link IllegalArgumentException} (names from etcd were made safe before: {@link org.calicojava.felix.rules.ChainNames}).
 */
public final class NftText {
    private static final Pattern STRING = Pattern.compile("[A-Za-z0-9_.:*+ \\-]{0,64}");
    private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f.:]{2,39}(/[0-9]{1,3}|-[0-9A-Fa-f.:]{2,39})?");
    private static final Pattern WORD = Pattern.compile("[a-z0-9][a-z0-9,\\-]{0,31}");
    private static final Pattern NUMBER = Pattern.compile("(0x[0-9a-fA-F]{1,8}|[0-9]{1,10})");

    private NftText() {}

    /** A chain, set or map name: an nft identifier ({@link NftNames#isIdentifier}). */
    public static String identifier(String name) {
        if (name == null || !NftNames.isIdentifier(name)) {
            throw new IllegalArgumentException(
                    "nft name: " + org.calicojava.model.LogText.quote(name) + " (expected: an nft identifier)");
        }
        return name;
    }

    /** A double-quoted string (interface name or pattern, log prefix): letters, digits, {@code _.:*+ -} only. */
    public static String string(String s) {
        if (s == null || !STRING.matcher(s).matches()) {
            throw new IllegalArgumentException("nft string: " + org.calicojava.model.LogText.quote(s)
                    + " (expected: at most 64 of letters, digits and _.:*+ -)");
        }
        return "\"" + s + "\"";
    }

    /** An IPv4/IPv6 address, prefix or range ({@code a-b}), as written in a rule or a set's elements. */
    public static String address(String a) {
        if (a == null || !ADDRESS.matcher(a).matches()) {
            throw new IllegalArgumentException("nft address: " + org.calicojava.model.LogText.quote(a)
                    + " (expected: an IP address, prefix or range)");
        }
        return a;
    }

    /** A keyword-like value: protocol name or number, conntrack states ({@code related,established}). */
    public static String word(String w) {
        if (w == null || !WORD.matcher(w).matches()) {
            throw new IllegalArgumentException("nft value: " + org.calicojava.model.LogText.quote(w)
                    + " (expected: lower-case letters, digits, ',' and '-')");
        }
        return w;
    }

    /** A decimal or hex number (marks, ports). */
    public static String number(String n) {
        if (n == null || !NUMBER.matcher(n).matches()) {
            throw new IllegalArgumentException(
                    "nft number: " + org.calicojava.model.LogText.quote(n) + " (expected: decimal or 0x hex)");
        }
        return n;
    }
}
