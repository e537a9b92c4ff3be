package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.calicojava.process.CommandRunner;
import org.junit.jupiter.api.Test;

/**
 * The backoff of failed reloads with a scripted runner and clock (the real daemon and etcd: ConfdReloadRetryIT): 1 s
 * doubling to at most 60 s, nothing runs before it is due, a success ends it, a new write replaces it.
 */
class PendingReloadsTest {
    static final long S = 1_000_000_000L;
    final AtomicLong now = new AtomicLong(1000 * S);
    final List<Long> calls = new ArrayList<>();
    int failuresLeft;
    final CommandRunner runner = (argv, stdin, timeout) -> {
        calls.add(now.get());
        return failuresLeft-- > 0 ? new CommandRunner.Result(1, "", "not ready") : new CommandRunner.Result(0, "", "");
    };
    final ConfdMetrics metrics = new ConfdMetrics();
    final PendingReloads p = new PendingReloads(runner, Duration.ofSeconds(5), metrics, now::get);
    final TemplateResource r =
            new TemplateResource("speaker", Path.of("s"), Path.of("/d"), List.of("/k"), null, null, "reload");

    /** Advances the clock to each due time and retries, {@code n} times; returns the waits seen. */
    List<Long> retries(int n) {
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < n && p.nextDueIn() >= 0; i++) {
            long in = p.nextDueIn();
            waits.add(in / S);
            now.addAndGet(in - 1);
            int before = calls.size();
            p.retryDue();
            assertThat(calls).as("not due yet").hasSize(before);
            now.addAndGet(1);
            p.retryDue();
        }
        return waits;
    }

    @Test
    void backsOffFromOneSecondToAMinuteAndStopsOnSuccess() {
        failuresLeft = 10;
        assertThat(p.reloadWritten(r).ok()).isFalse();
        assertThat(metrics.reloadsPending()).isEqualTo(1);
        assertThat(retries(20)).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L, 60L);
        assertThat(calls).hasSize(11);
        assertThat(p.nextDueIn()).isEqualTo(-1);
        assertThat(metrics.reloadsPending()).isEqualTo(0);
    }

    @Test
    void aNewWriteReplacesThePendingReload() {
        failuresLeft = 5;
        p.reloadWritten(r);
        assertThat(retries(3)).containsExactly(1L, 2L, 4L);
        assertThat(p.reloadWritten(r).ok()).as("the new file's own reload").isFalse();
        assertThat(p.size()).isEqualTo(1);
        assertThat(p.nextDueIn()).as("backoff starts again").isEqualTo(S);
        assertThat(retries(5)).containsExactly(1L);
        assertThat(calls).hasSize(6);
        assertThat(p.size()).isZero();
    }
}
