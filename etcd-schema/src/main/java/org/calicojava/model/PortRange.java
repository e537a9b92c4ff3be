package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A port or an inclusive range; JSON: 80 or "1000:2000" (Calico's form). */
public record PortRange(int first, int last) {
    public PortRange {
        if (first < 0 || first > 65535 || last < 0 || last > 65535) {
            throw new IllegalArgumentException(
                    "port: " + (first == last ? first : first + ":" + last) + " (expected: 0..65535)");
        }
        if (first > last) {
            throw new IllegalArgumentException("port range: " + first + ":" + last + " (expected: low:high)");
        }
    }

    @JsonCreator
    public static PortRange parse(Object json) {
        if (json instanceof Integer n) {
            return new PortRange(n, n);
        }
        if (json instanceof Number n) { // a long, a fraction or a big number: intValue() would wrap or truncate it
            throw new IllegalArgumentException("port: " + LogText.quote(String.valueOf(n))
                    + " (expected: a number 0..65535 or a range like 1000:2000)");
        }
        String s = String.valueOf(json).trim();
        try {
            int colon = s.indexOf(':');
            if (colon < 0) {
                int p = Integer.parseInt(s);
                return new PortRange(p, p);
            }
            return new PortRange(Integer.parseInt(s.substring(0, colon)), Integer.parseInt(s.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "port: " + LogText.quote(s) + " (expected: a number 0..65535 or a range like 1000:2000)");
        }
    }

    /** A port as a JSON int or string, for {@link LightJson}'s plain readers (which leave anything else to databind). */
    static PortRange plain(Object json) {
        return parse(json instanceof Integer ? json : LightJson.string(json));
    }

    @JsonValue
    public Object json() {
        return first == last ? (Object) first : first + ":" + last;
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + ":" + last;
    }
}
