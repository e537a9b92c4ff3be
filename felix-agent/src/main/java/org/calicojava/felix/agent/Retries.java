package org.calicojava.felix.agent;

import org.calicojava.model.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop's failure policy: unexpected failures of calculation/programming are counted (a metric and a log line)
 * and retried after a delay that doubles from 0.5 s to 30 s; the {@value #MAX_FAILURES}th in a row throws (the agent
 * gives up). A dataplane or VXLAN failure that was handled is retried on the same schedule. The dataplane thread's.
 */
final class Retries {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class); // the agent's lines, as before
    /** Unexpected failures of calculation/programming in a row after which the state is not trusted. */
    static final int MAX_FAILURES = 3;

    private final Metrics metrics;
    private int failures;
    private long retryAt;
    private long retryDelayMs;

    Retries(Metrics metrics) {
        this.metrics = metrics;
    }

    /** Whether the last pass failed unexpectedly (a retry is pending). */
    boolean failing() {
        return failures > 0;
    }

    /** Milliseconds until the retry is due (may be negative). */
    long retryInMs() {
        return (retryAt - System.nanoTime()) / 1_000_000;
    }

    boolean retryDue() {
        return System.nanoTime() >= retryAt;
    }

    /** A pass completed: the count of unexpected failures in a row starts again. */
    void completed() {
        failures = 0;
    }

    /** A pass completed and the dataplane is healthy: the next failure backs off from 0.5 s again. */
    void healthy() {
        retryDelayMs = 0;
    }

    /**
     * Counts one unexpected failure of {@code what} (a metric and a log line) and backs off before the retry; the
     * {@value #MAX_FAILURES}th in a row throws.
     */
    void failed(String what, RuntimeException e) {
        failures++;
        metrics.inc("felix_program_failures");
        if (failures >= MAX_FAILURES) {
            throw new IllegalStateException(what + " failed " + failures + " times in a row, last: " + e, e);
        }
        LOG.error(
                "{} failed unexpectedly ({} of {} before exiting; retrying): {}",
                what,
                failures,
                MAX_FAILURES,
                LogText.quote(e.toString()),
                e);
        backOff();
    }

    /** Doubles the retry delay (0.5 s to 30 s) and schedules the next retry after it. */
    void backOff() {
        retryDelayMs = Math.min(30_000, Math.max(500, retryDelayMs * 2));
        retryAt = System.nanoTime() + retryDelayMs * 1_000_000L;
    }
}
