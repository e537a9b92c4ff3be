package org.calicojava.common;

/** A message for a one-line log or error: line breaks shown as the text "\r" and "\n", so nothing can add a line. */
public final class OneLine {
    private OneLine() {}

    /** {@code s} on one line; null (an exception without a message) becomes "(no message)". */
    public static String of(String s) {
        return s == null ? "(no message)" : s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
