package org.calicojava.common;

/**
 * Text made safe for one log line or a one-line error: every character that could end the line, forge another one
 * or reorder what a terminal shows after it is escaped. Line feed, carriage return and tab are written as the text
 * "\n", "\r" and "\t"; the other control characters, the line and paragraph separators and the bidirectional marks,
 * embeddings, overrides and isolates as a backslash, "u" and four hex digits. Nothing is cut and no quotes are
 * added. The one rule for every module: etcd-schema's {@code LogText} quotes and cuts on top of it.
 */
public final class OneLine {
    private OneLine() {}

    /** {@code s} on one line; null (an exception without a message) becomes "(no message)". */
    public static String of(String s) {
        return s == null ? "(no message)" : escape(s);
    }

    /** {@code text} (not null) with the characters above escaped. */
    public static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            append(b, text.charAt(i));
        }
        return b.toString();
    }

    /** Appends {@code c} to {@code b}, escaped as above when it must be. */
    public static void append(StringBuilder b, char c) {
        switch (c) {
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            case '\t' -> b.append("\\t");
            default -> {
                if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029' || bidi(c)) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
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
