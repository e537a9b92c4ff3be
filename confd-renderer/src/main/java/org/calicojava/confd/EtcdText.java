package org.calicojava.confd;

/** Helpers for the plain-text (non-JSON) values Calico stores: blanks around them, one optional pair of JSON quotes. */
final class EtcdText {
    private EtcdText() {}

    /** The text without surrounding blanks and one pair of quotes; null for null or blank. */
    static String unquote(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String s = text.strip();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        return s;
    }

    /**
     * {@link #unquote}, and the rest must be free of control characters (parsers like {@code Cidr} trim them off,
     * which would turn {@code "10.0.0.7\0"} into a valid address).
     */
    static String plain(String text) {
        String s = unquote(text);
        if (s != null) {
            noControl("value", s);
        }
        return s;
    }

    /** Refuses text with control characters (a key segment or a value). */
    static String noControl(String what, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(
                        what + ": control character at " + i + " (expected: printable text)");
            }
        }
        return s;
    }
}
