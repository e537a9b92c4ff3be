package org.calicojava.confd;

import java.util.regex.Pattern;
import org.calicojava.model.LogText;

/** Cheap re-checks of values already validated and canonicalised (the records' constructors use them). */
final class Values {
    private static final Pattern ADDRESS = Pattern.compile("[0-9a-f:.]{2,45}");

    private Values() {}

    /** Canonical address text: digits, lower-case hex, ':' and '.' only (no parsing: it was parsed before). */
    static String address(String what, String text) {
        if (text == null || !ADDRESS.matcher(text).matches()) {
            throw new IllegalArgumentException(
                    what + ": " + LogText.quote(text) + " (expected: a canonical IP address)");
        }
        return text;
    }
}
