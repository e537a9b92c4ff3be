package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicojava.confd.ConfdHarness.read;
import static org.calicojava.confd.ConfdHarness.waitUntil;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.calicojava.model.Keys;
import org.calicojava.process.ProcessRunner;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.testing.EtcdProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon keeps following etcd across an etcd restart and a compaction (its own etcd, stopped and started by PID,
 * compacted with etcdctl).
 */
class ConfdReconnectIT {
    @TempDir
    Path tmp;

    @Test
    void followsChangesAfterEtcdRestarts() throws Exception {
        Keys keys = new Keys();
        try (EtcdProcess etcd = EtcdProcess.plain().start();
                JetcdStore store = new JetcdStore(EtcdConfig.of(etcd.endpoint()))) {
            Path confdir = ConfdHarness.createConfdir(tmp);
            Path speaker = tmp.resolve("out/etc/calico-java/bgp-speaker.yaml");
            store.put(keys.bgpHostIp("me", 4), "10.0.0.1");
            List<TemplateResource> rs = new ResourceLoader(confdir, "me", keys.root(), tmp.resolve("out")).load();
            ResourceProcessor p = new ResourceProcessor(
                    keys,
                    "me",
                    new TemplateRenderer(confdir.resolve("templates")),
                    ProcessRunner.local(),
                    Duration.ofSeconds(20));
            try (ConfdDaemon d = new ConfdDaemon(store, rs, p, Duration.ofMillis(50), Duration.ofMillis(200))) {
                assertThat(d.start()).isTrue();
                store.put(keys.bgpHostIp("b", 4), "10.0.0.2");
                waitUntil(Duration.ofSeconds(10), "b", () -> read(speaker).contains("\"10.0.0.2\""));
                etcd.stop();
                Thread.sleep(500);
                etcd.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (true) {
                    try {
                        store.put(keys.bgpHostIp("c", 4), "10.0.0.3");
                        break;
                    } catch (DatastoreException e) {
                        if (System.nanoTime() > deadline) {
                            throw e;
                        }
                        Thread.sleep(200);
                    }
                }
                store.delete(keys.bgpHostIp("b", 4));
                waitUntil(Duration.ofSeconds(40), "c added and b gone after the restart", () -> {
                    String s = read(speaker);
                    return s.contains("\"10.0.0.3\"") && !s.contains("\"10.0.0.2\"");
                });
            }
        }
    }

    /** A daemon started while etcd is down waits for it (one log line) and renders once it answers. */
    @Test
    void startsBeforeEtcdAndWaitsForIt() throws Exception {
        Keys keys = new Keys();
        try (EtcdProcess etcd = EtcdProcess.plain()) {
            Path confdir = ConfdHarness.createConfdir(tmp);
            Path speaker = tmp.resolve("out/etc/calico-java/bgp-speaker.yaml");
            List<TemplateResource> rs = new ResourceLoader(confdir, "me", keys.root(), tmp.resolve("out")).load();
            ResourceProcessor p = new ResourceProcessor(
                    keys,
                    "me",
                    new TemplateRenderer(confdir.resolve("templates")),
                    ProcessRunner.local(),
                    Duration.ofSeconds(20));
            EtcdConfig cfg = new EtcdConfig(
                    EtcdConfig.parseEndpoints(etcd.endpoint()), null, null, null, null, null, Duration.ofSeconds(2));
            try (JetcdStore store = new JetcdStore(cfg);
                    ConfdDaemon d = new ConfdDaemon(store, rs, p, Duration.ofMillis(50), Duration.ofMillis(200))) {
                java.util.concurrent.CompletableFuture<Boolean> started =
                        java.util.concurrent.CompletableFuture.supplyAsync(d::start);
                Thread.sleep(3000);
                assertThat(started).isNotDone();
                etcd.start();
                try (JetcdStore writer = new JetcdStore(EtcdConfig.of(etcd.endpoint()))) {
                    writer.put(keys.bgpHostIp("me", 4), "10.0.0.1");
                }
                assertThat(started.get(60, java.util.concurrent.TimeUnit.SECONDS))
                        .isNotNull();
                waitUntil(
                        Duration.ofSeconds(30),
                        "rendered after etcd came up",
                        () -> read(speaker).contains("10.0.0.1"));
            }
        }
    }

    /** Delegates to the real store; {@code watch} waits until the test lets it go (to compact in between). */
    static final class GatedStore implements org.calicojava.store.WatchableStore {
        final JetcdStore real;
        final java.util.concurrent.CountDownLatch listed = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);

        GatedStore(JetcdStore real) {
            this.real = real;
        }

        @Override
        public Watch watch(String prefix, long fromRevision, org.calicojava.store.WatchListener listener) {
            listed.countDown();
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return real.watch(prefix, fromRevision, listener);
        }

        @Override
        public java.util.Optional<org.calicojava.store.KeyValue> get(String key) {
            return real.get(key);
        }

        @Override
        public org.calicojava.store.ListResult list(String prefix) {
            return real.list(prefix);
        }

        @Override
        public long create(String key, String value) {
            return real.create(key, value);
        }

        @Override
        public long update(String key, String value, long modRevision) {
            return real.update(key, value, modRevision);
        }

        @Override
        public long put(String key, String value) {
            return real.put(key, value);
        }

        @Override
        public boolean delete(String key) {
            return real.delete(key);
        }

        @Override
        public void delete(String key, long modRevision) {
            real.delete(key, modRevision);
        }

        @Override
        public long deletePrefix(String prefix) {
            return real.deletePrefix(prefix);
        }

        @Override
        public boolean txn(List<org.calicojava.store.Compare> compares, List<org.calicojava.store.Op> ops) {
            return real.txn(compares, ops);
        }

        @Override
        public String endpoint() {
            return real.endpoint();
        }

        @Override
        public void close() {}
    }

    @Test
    void aCompactedStartRevisionResyncsFromAFreshList() throws Exception {
        Keys keys = new Keys();
        try (EtcdProcess etcd = EtcdProcess.plain().start();
                JetcdStore store = new JetcdStore(EtcdConfig.of(etcd.endpoint()))) {
            Path confdir = ConfdHarness.createConfdir(tmp);
            Path speaker = tmp.resolve("out/etc/calico-java/bgp-speaker.yaml");
            store.put(keys.bgpHostIp("me", 4), "10.0.0.1");
            store.put(keys.bgpHostIp("b", 4), "10.0.0.2");
            GatedStore gated = new GatedStore(store);
            List<TemplateResource> rs = new ResourceLoader(confdir, "me", keys.root(), tmp.resolve("out")).load();
            ResourceProcessor p = new ResourceProcessor(
                    keys,
                    "me",
                    new TemplateRenderer(confdir.resolve("templates")),
                    ProcessRunner.local(),
                    Duration.ofSeconds(20));
            try (ConfdDaemon d = new ConfdDaemon(gated, rs, p, Duration.ofMillis(50), Duration.ofMillis(200))) {
                java.util.concurrent.CompletableFuture<Boolean> started =
                        java.util.concurrent.CompletableFuture.supplyAsync(d::start);
                assertThat(gated.listed.await(20, java.util.concurrent.TimeUnit.SECONDS))
                        .isTrue();
                assertThat(read(speaker)).contains("\"10.0.0.2\"");
                // while the daemon is between its listing and its watch: changes, then compaction past them
                store.delete(keys.bgpHostIp("b", 4));
                store.put(keys.bgpHostIp("c", 4), "10.0.0.3");
                long now = store.put("/elsewhere", "x");
                ProcessBuilder pb = new ProcessBuilder(
                                "etcdctl", "--endpoints", etcd.endpoint(), "compact", Long.toString(now))
                        .redirectErrorStream(true);
                pb.environment().put("ETCDCTL_API", "3");
                Process c = pb.start();
                String out = new String(c.getInputStream().readAllBytes());
                assertThat(c.waitFor()).as(out).isEqualTo(0);
                gated.go.countDown();
                assertThat(started.get(20, java.util.concurrent.TimeUnit.SECONDS))
                        .isTrue();
                waitUntil(Duration.ofSeconds(20), "resync: b gone, c there", () -> {
                    String s = read(speaker);
                    return s.contains("\"10.0.0.3\"") && !s.contains("\"10.0.0.2\"");
                });
                store.put(keys.bgpHostIp("d", 4), "10.0.0.4"); // and it goes on watching after the resync
                waitUntil(
                        Duration.ofSeconds(20),
                        "d after the resync",
                        () -> read(speaker).contains("\"10.0.0.4\""));
            }
        }
    }
}
