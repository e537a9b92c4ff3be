package org.calicojava.felix.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.dataplane.Dataplane;
import org.calicojava.felix.dataplane.DataplaneException;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.felix.dataplane.PolicyBackend;
import org.calicojava.netlink.Netlink;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The periodic drift check's scheduling (Refresher) against a dataplane in a namespace of the test's own, with a
 * policy backend that records on which thread it is read and that, like the nft command's read-back, gives up when a
 * write interrupts it: read-backs run on their own thread, and after three that writes aborted in a row the next
 * one runs on the dataplane thread (the caller's), holding writes back once, then they go back to their own thread.
 */
class RefresherIT {
    /** Reads back on any thread until interrupted (a write is about to commit), then fails as aborted. */
    static final class SlowReads implements PolicyBackend {
        final List<String> readThreads = new CopyOnWriteArrayList<>();
        final List<String> refreshThreads = new CopyOnWriteArrayList<>();
        volatile boolean finishReads;
        volatile boolean failReads;

        @Override
        public String name() {
            return "slow";
        }

        @Override
        public int refresh() {
            refreshThreads.add(Thread.currentThread().getName());
            return 0;
        }

        @Override
        public void apply(DesiredDataplane d) {}

        @Override
        public int setCount() {
            return 0;
        }

        @Override
        public Snapshot read() {
            readThreads.add(Thread.currentThread().getName());
            if (finishReads) {
                return new Snapshot() {};
            }
            if (failReads) {
                throw new DataplaneException("nft: no such table");
            }
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // as the nft command's read leaves it: aborted
                throw new DataplaneException("read-back interrupted by a write");
            }
            throw new DataplaneException("never interrupted");
        }

        @Override
        public int adopt(Snapshot snapshot) {
            return 0;
        }
    }

    private String ns;
    private Netlink nl;
    private final SlowReads policy = new SlowReads();
    private final AtomicReference<Duration> interval = new AtomicReference<>(Duration.ofMillis(1));
    private final LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
    private final Metrics metrics = new Metrics();
    private Refresher refresher;
    private Dataplane dp;

    @BeforeEach
    void dataplane() {
        Sh.require("ip");
        ns = "rf-" + UUID.randomUUID().toString().substring(0, 6);
        Sh.ok("ip", "netns", "add", ns);
        Namespace n = Namespace.named(ns);
        nl = n.openNetlink();
        dp = new Dataplane(n, nl, policy, 80);
        refresher = new Refresher(() -> dp, interval::get, metrics, queue::add);
    }

    @AfterEach
    void removeNamespace() {
        try {
            if (refresher != null) {
                refresher.interruptRead();
            }
            if (dp != null) {
                dp.close();
            }
            if (nl != null) {
                nl.close();
            }
        } finally {
            Sh.run("ip", "netns", "del", ns);
        }
    }

    /** The read-back started by {@link Refresher#maybeStart}, interrupted as a write does, and adopted. */
    private void abortedReadBack() throws InterruptedException {
        assertThat(refresher.maybeStart()).as("started on its own thread").isFalse();
        assertThat(Sh.waitFor(5, () -> policy.readThreads.size() > 0)).isNotNegative();
        refresher.interruptRead();
        Work w = queue.poll(5, TimeUnit.SECONDS);
        assertThat(w).isInstanceOf(Work.ReadBack.class);
        assertThat(((Work.ReadBack) w).aborted()).isTrue();
        interval.set(Duration.ofSeconds(10)); // the retry is due 2 s later: 8 s ago, once the interval is short again
        refresher.adopt((Work.ReadBack) w);
        interval.set(Duration.ofMillis(1));
    }

    @Test
    void threeReadBacksAbortedByWritesMakeTheNextOneRunOnTheDataplaneThread() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            abortedReadBack();
        }
        assertThat(policy.readThreads).hasSize(3).containsOnly("felix-readback");
        assertThat(policy.refreshThreads).isEmpty();

        assertThat(refresher.maybeStart())
                .as("the fourth: in line, writes wait")
                .isTrue();
        assertThat(policy.refreshThreads).containsExactly(Thread.currentThread().getName());
        assertThat(policy.readThreads).as("no read-back thread this time").hasSize(3);
        assertThat(metrics.counter("felix_refreshes")).isEqualTo(1);

        policy.finishReads = true; // then read-backs go back to their own thread, and one that finishes is adopted
        Thread.sleep(5);
        assertThat(refresher.maybeStart()).isFalse();
        Work w = queue.poll(5, TimeUnit.SECONDS);
        assertThat(w).isInstanceOf(Work.ReadBack.class);
        assertThat(policy.readThreads).hasSize(4).containsOnly("felix-readback");
        refresher.adopt((Work.ReadBack) w);
        assertThat(metrics.counter("felix_refreshes")).isEqualTo(2);
    }

    @Test
    void aReadBackThatFailsIsNeitherAnAbortNorTheEndOfARow() throws InterruptedException {
        abortedReadBack();
        policy.failReads = true; // fails by itself, no write interrupted it
        assertThat(refresher.maybeStart()).isFalse();
        Work w = queue.poll(5, TimeUnit.SECONDS);
        assertThat(((Work.ReadBack) w).aborted()).isFalse();
        assertThat(((Work.ReadBack) w).error()).hasMessage("nft: no such table");
        refresher.adopt((Work.ReadBack) w);
        policy.failReads = false;
        Thread.sleep(5);
        abortedReadBack(); // counted as an abort, the third would already run in line here
        abortedReadBack(); // were the count reset by the failure, this would be the second
        assertThat(refresher.maybeStart())
                .as("three aborted, the failure among them not counted")
                .isTrue();
        assertThat(metrics.counter("felix_refreshes")).isEqualTo(1);
    }
}
