package org.calicojava.model;

import java.util.List;
import java.util.Objects;

/** Lists read from etcd: null is empty, no null entries, and a bound on their size (one rule for every record). */
final class Lists {
    private Lists() {}

    /** An immutable copy of {@code items}; {@code what} names the field in the one-line message of a refusal. */
    static <T> List<T> bounded(String what, List<T> items, int max) {
        if (items == null) {
            return List.of();
        }
        if (items.size() > max) {
            throw new IllegalArgumentException(what + ": " + items.size() + " entries (expected: at most " + max + ")");
        }
        if (items.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException(what + ": null entry");
        }
        return List.copyOf(items);
    }
}
