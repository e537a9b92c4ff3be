package org.calicojava.model;

/**
 * A BGP route reflector cluster id as Calico stores it at {@code /calico/bgp/v1/host/<host>/rr_cluster_id}: a 32-bit
 * id written as an IPv4 dotted quad ({@code "224.0.0.1"}). {@code value} is the canonical dotted quad (no leading
 * zeros), safe to print in any config language.
 */
public record ClusterId(String value) {
    public ClusterId {
        value = canonical(value);
    }

    /** Parses etcd's text: surrounding blanks and one pair of JSON quotes are allowed ({@code "\"1.2.3.4\""}). */
    public static ClusterId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("rr cluster id: missing (expected: an IPv4 dotted quad like 224.0.0.1)");
        }
        String s = text.strip();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        return new ClusterId(s);
    }

    /** The id as an unsigned 32-bit number. */
    public long asLong() {
        long v = 0;
        for (String p : value.split("\\.")) {
            v = v << 8 | Integer.parseInt(p);
        }
        return v;
    }

    @Override
    public String toString() {
        return value;
    }

    private static String canonical(String s) {
        String bad = "rr cluster id: " + LogText.quote(s) + " (expected: an IPv4 dotted quad like 224.0.0.1)";
        if (s == null || s.length() > 15 || !s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            throw new IllegalArgumentException(bad);
        }
        StringBuilder b = new StringBuilder(15);
        for (String p : s.split("\\.")) {
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw new IllegalArgumentException(bad);
            }
            if (b.length() > 0) {
                b.append('.');
            }
            b.append(v);
        }
        return b.toString();
    }
}
