package org.calicojava.model;

import org.calicojava.common.OneLine;

/**
 * Untrusted text (an etcd key or value, a peer's data, a file's line) made safe for one log line: quoted, with
 * control characters, quotes and backslashes escaped (a newline becomes {@code \n}, so no value can forge a log
 * line; the escapes are {@link OneLine}'s), and cut to {@value #MAX} characters with a count of what was left out.
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
                default -> OneLine.append(b, c);
            }
        }
        b.append('"');
        if (text.length() > MAX) {
            b.append("...(").append(text.length() - MAX).append(" more)");
        }
        return b.toString();
    }

    /**
     * Text that may already hold quoted values (a reader's message), made one line as it is ({@link OneLine#escape}:
     * the same escapes as {@link #quote} but for quotes and backslashes), nothing cut, no quotes added.
     */
    public static String oneLine(String text) {
        return text == null ? "null" : OneLine.escape(text);
    }
}
