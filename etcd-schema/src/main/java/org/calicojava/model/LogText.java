package org.calicojava.model;

/**
 * Untrusted text (an etcd key or value, a peer's data, a file's line) made safe for one log line: quoted, with
 * control characters, quotes and backslashes escaped (a newline becomes {@code \n}, so no value can forge a log
 * line), and cut to {@value #MAX} characters with a count of what was left out.
 */
public final class LogText {
    public static final int MAX = 200;

    private LogText() {}

    /** {@code "text"} with escapes, or {@code null} (unquoted) for null. */
    public static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX) + 8).append('"');
        int n = Math.min(text.length(), MAX);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> escaped(b, c);
            }
        }
        b.append('"');
        if (text.length() > MAX) {
            b.append("...(").append(text.length() - MAX).append(" more)");
        }
        return b.toString();
    }

    /**
     * Text that may already hold quoted values (a reader's message), made one line as it is: the characters
     * {@link #quote} escapes as a backslash, u and four hex digits (controls, line and paragraph separators, bidirectional overrides)
     * escaped the same way, nothing cut, no quotes added.
     */
    public static String oneLine(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            escaped(b, text.charAt(i));
        }
        return b.toString();
    }

    private static void escaped(StringBuilder b, char c) {
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029' || bidi(c)) {
            b.append(String.format("\\u%04x", (int) c));
        } else {
            b.append(c);
        }
    }

    /** The bidirectional marks, embeddings, overrides and isolates: they reorder what a terminal shows after them. */
    private static boolean bidi(char c) {
        return c == '\u061c'
                || c == '\u200e'
                || c == '\u200f'
                || c >= '\u202a' && c <= '\u202e'
                || c >= '\u2066' && c <= '\u2069';
    }
}
