package org.calicojava.confd;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.calicojava.model.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the invalid records of each render pass without repeating itself: a key is logged (one line, key and reason
 * through {@link LogText#quote}) when it first turns up invalid, when its reason changes, and again at most once per
 * {@code repeatNanos} while it stays invalid; one line when it is valid again (or gone). Every report of a new bad
 * value counts in {@code confd_invalid_records_reported_total}; {@code confd_invalid_records} is how many records the
 * last pass skipped. Used from the one worker thread.
 */
final class InvalidRecords {
    private static final Logger LOG = LoggerFactory.getLogger(InvalidRecords.class);

    private record Seen(String reason, long loggedAt) {}

    private final Map<String, Seen> seen = new HashMap<>();
    private final ConfdMetrics metrics;
    private final long repeatNanos;
    private final LongSupplier clock;

    InvalidRecords(ConfdMetrics metrics, long repeatNanos, LongSupplier clock) {
        this.metrics = metrics;
        this.repeatNanos = repeatNanos;
        this.clock = clock;
    }

    /** Takes the invalid records of one pass; returns how many lines it logged. */
    int report(List<Warnings.Invalid> current) {
        long now = clock.getAsLong();
        int lines = 0;
        Set<String> keys = new HashSet<>();
        for (Warnings.Invalid i : current) {
            keys.add(i.key());
            Seen s = seen.get(i.key());
            boolean changed = s == null || !s.reason().equals(i.reason());
            if (changed || now - s.loggedAt() >= repeatNanos) {
                LOG.warn("invalid record skipped: key {}: {}", LogText.quote(i.key()), LogText.quote(i.reason()));
                seen.put(i.key(), new Seen(i.reason(), now));
                lines++;
                if (changed) {
                    metrics.invalidReported();
                }
            }
        }
        var it = seen.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (!keys.contains(e.getKey())) {
                LOG.info("record valid again or gone: key {}", LogText.quote(e.getKey()));
                it.remove();
                lines++;
            }
        }
        metrics.invalidNow(current.size());
        return lines;
    }
}
