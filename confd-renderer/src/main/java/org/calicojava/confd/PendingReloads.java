package org.calicojava.confd;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.calicojava.model.LogText;
import org.calicojava.process.CommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads that failed after their file was swapped in. The new file is in place, so a later pass renders the same
 * bytes and would run no reload: the daemon stale until some other change. Each such resource is kept here and its
 * reload_cmd retried after a backoff (1 s, doubling, at most 60 s) until it succeeds. A new write of the resource
 * replaces its pending reload (the write's own reload runs, and a failure starts the backoff again), so a file is
 * never reloaded twice for one change. One log line per failed attempt, except that the same failure is logged at
 * most once a minute; one line when it recovers. A success removes the resource's reload-owed marker
 * ({@link FileSwapper#reloadOwed}), which is what carries a failed reload over a restart of confd. Owned by the confd
 * worker thread.
 */
final class PendingReloads {
    private static final Logger LOG = LoggerFactory.getLogger(PendingReloads.class);
    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofSeconds(60);

    private final CommandRunner runner;
    private final Duration timeout;
    private final ConfdMetrics metrics;
    private final LongSupplier clock;
    private final long firstNanos;
    private final long maxNanos;
    private final Map<String, Pending> pending = new LinkedHashMap<>();

    private static final class Pending {
        final TemplateResource resource;
        int failures;
        long delay;
        long due;
        String lastMessage;
        long lastLogged;

        Pending(TemplateResource resource) {
            this.resource = resource;
        }
    }

    PendingReloads(CommandRunner runner, Duration timeout, ConfdMetrics metrics, LongSupplier clock) {
        this(runner, timeout, metrics, clock, FIRST, MAX);
    }

    PendingReloads(
            CommandRunner runner,
            Duration timeout,
            ConfdMetrics metrics,
            LongSupplier clock,
            Duration first,
            Duration max) {
        this.runner = runner;
        this.timeout = timeout;
        this.metrics = metrics;
        this.clock = clock;
        this.firstNanos = first.toNanos();
        this.maxNanos = max.toNanos();
    }

    /** Runs {@code r}'s reload_cmd for a file just written; a failure makes it pending (replacing any older one). */
    CommandRunner.Result reloadWritten(TemplateResource r) {
        CommandRunner.Result res = runner.shell(r.reloadCmd(), timeout);
        if (res.ok()) {
            owedNoMore(r);
            if (pending.remove(r.name()) != null) {
                metrics.reloadsPending(pending.size());
            }
            metrics.reloaded(r.name());
            return res;
        }
        metrics.failed(r.name(), "reload");
        Pending p = new Pending(r);
        p.failures = 1;
        p.delay = firstNanos;
        p.due = clock.getAsLong() + p.delay;
        p.lastMessage = message(res);
        p.lastLogged = clock.getAsLong();
        pending.put(r.name(), p);
        metrics.reloadsPending(pending.size());
        return res; // the caller logs this first failure with the write
    }

    /** Retries every pending reload that is due. */
    void retryDue() {
        long now = clock.getAsLong();
        for (Pending p : new ArrayList<>(pending.values())) {
            if (p.due - now > 0) {
                continue;
            }
            TemplateResource r = p.resource;
            CommandRunner.Result res = runner.shell(r.reloadCmd(), timeout);
            now = clock.getAsLong();
            if (res.ok()) {
                owedNoMore(r);
                pending.remove(r.name());
                metrics.reloaded(r.name());
                LOG.info("{}: reloaded {} after {} failed attempt(s)", r.name(), r.dest(), p.failures);
                continue;
            }
            p.failures++;
            metrics.failed(r.name(), "reload");
            p.delay = Math.min(p.delay * 2, maxNanos);
            p.due = now + p.delay;
            String m = message(res);
            if (!m.equals(p.lastMessage) || now - p.lastLogged >= maxNanos) {
                LOG.error(
                        "{}: reload_cmd failed again (attempt {}, {}); retrying in {} ms",
                        r.name(),
                        p.failures,
                        m,
                        p.delay / 1_000_000L);
                p.lastMessage = m;
                p.lastLogged = now;
            }
        }
        metrics.reloadsPending(pending.size());
    }

    /** Nanoseconds until the next pending reload is due (0 if overdue), or -1 if none is pending. */
    long nextDueIn() {
        if (pending.isEmpty()) {
            return -1;
        }
        long now = clock.getAsLong();
        long min = Long.MAX_VALUE;
        for (Pending p : pending.values()) {
            min = Math.min(min, Math.max(0, p.due - now));
        }
        return min;
    }

    /** Whether {@code name}'s reload failed and waits for its retry. */
    boolean isPending(String name) {
        return pending.containsKey(name);
    }

    private static void owedNoMore(TemplateResource r) {
        try {
            Files.deleteIfExists(FileSwapper.reloadOwed(r.dest()));
        } catch (IOException e) {
            // the next start reloads once more: harmless, and logged
            LOG.warn("{}: cannot remove {}: {}", r.name(), FileSwapper.reloadOwed(r.dest()), e.toString());
        }
    }

    /** How many resources wait for a reload (for tests and status). */
    int size() {
        return pending.size();
    }

    private static String message(CommandRunner.Result res) {
        return "exit " + res.exit() + ": " + LogText.quote(res.oneLine());
    }
}
