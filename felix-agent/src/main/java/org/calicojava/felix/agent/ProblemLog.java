package org.calicojava.felix.agent;

import org.slf4j.Logger;

import java.util.LinkedHashSet;
import java.util.Set;

/** Logs each distinct problem once (bad data in etcd, a missing profile), so a bad key does not flood the log. */
final class ProblemLog {
    private static final int MAX = 10_000;
    private final Logger log;
    private final Set<String> seen = new LinkedHashSet<>();

    ProblemLog(Logger log) {
        this.log = log;
    }

    synchronized void report(String problem) {
        if (seen.size() >= MAX) {
            seen.clear();
        }
        if (seen.add(problem)) {
            log.warn(problem);
        }
    }
}
