package org.calicojava.felix.agent;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.calicojava.model.LogText;
import org.slf4j.Logger;

/**
 * Keeps bad data in etcd from flooding the log: each distinct problem is logged once ({@link #report}), and a bad
 * record at most once per key per {@link #KEY_INTERVAL_NANOS} ({@link #badKey}). Untrusted text goes through
 * {@link LogText#quote}. Thread-safe.
 */
final class ProblemLog {
    private static final int MAX = 10_000;
    static final long KEY_INTERVAL_NANOS = 10L * 60 * 1_000_000_000L;
    private final Logger log;
    private final LongSupplier nanos;
    private final Set<String> seen = new LinkedHashSet<>();
    private final Map<String, Long> keyLogged = new HashMap<>();

    ProblemLog(Logger log) {
        this(log, System::nanoTime);
    }

    ProblemLog(Logger log, LongSupplier nanos) {
        this.log = log;
        this.nanos = nanos;
    }

    /** A problem found in the data (its text may hold untrusted names: it is quoted); logged once. */
    synchronized boolean report(String problem) {
        if (seen.size() >= MAX) {
            seen.clear();
        }
        if (seen.add(problem)) {
            log.warn("datastore problem: {}", LogText.quote(problem));
            return true;
        }
        return false;
    }

    /** A record skipped: one line naming the key and the reason, at most once per key per interval. */
    synchronized boolean badKey(String key, String reason) {
        long now = nanos.getAsLong();
        Long last = keyLogged.get(key);
        if (last != null && now - last < KEY_INTERVAL_NANOS) {
            return false;
        }
        if (keyLogged.size() >= MAX) {
            keyLogged.clear();
        }
        keyLogged.put(key, now);
        log.warn("skipping record {}: {}", LogText.quote(key), LogText.quote(reason));
        return true;
    }
}
