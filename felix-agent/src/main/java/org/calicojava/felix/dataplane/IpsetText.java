package org.calicojava.felix.dataplane;

import java.util.regex.Pattern;

/**
 * The encoder of {@code ipset restore} input: set names ours ({@code cali4-}/{@code cali6-} then letters, digits,
 * {@code _ . -}, at most 31) and members addresses or prefixes, so no value can end a line or add a command. A value
 * outside the grammar is an {@link IllegalArgumentException} (names from etcd were hashed into the grammar by
 * {@link org.calicojava.felix.rules.ChainNames}; members come from validated CIDRs).
 */
final class IpsetText {
    private static final Pattern NAME = Pattern.compile("cali[46]-[A-Za-z0-9_.\\-]{1,25}");
    private static final Pattern MEMBER = Pattern.compile("[0-9A-Fa-f.:]{2,39}(/[0-9]{1,3})?");

    private IpsetText() {}

    static boolean isName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    static String name(String name) {
        if (!isName(name)) {
            throw new IllegalArgumentException("ipset name: " + org.calicojava.model.LogText.quote(name)
                    + " (expected: cali4- or cali6- and letters, digits, '_', '.', '-', at most 31 characters)");
        }
        return name;
    }

    static String member(String member) {
        if (member == null || !MEMBER.matcher(member).matches()) {
            throw new IllegalArgumentException("ipset member: " + org.calicojava.model.LogText.quote(member)
                    + " (expected: an IP address or prefix)");
        }
        return member;
    }
}
