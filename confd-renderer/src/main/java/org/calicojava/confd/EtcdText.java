package org.calicojava.confd;

/** Helpers for the plain-text (non-JSON) values Calico stores: blanks around them, one optional pair of JSON quotes. */
final class EtcdText {
    private EtcdText() {
    }

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
}
