package org.calicojava.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.calicojava.testing.EtcdProcess;
import org.calicojava.testing.TcpProxy;
import org.junit.jupiter.api.Test;

class WatchIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void deliversEveryChangeInOrderFromTheStartRevision() throws Exception {
        String p = "/cj-watch-" + UUID.randomUUID() + "/";
        try (JetcdStore s = new JetcdStore(TestEtcd.config())) {
            s.put(p + "before", "x");
            long start = s.list(p).revision() + 1;
            RecordingListener l = new RecordingListener();
            try (WatchableStore.Watch w = s.watch(p, start, l)) {
                for (int i = 0; i < 200; i++) {
                    s.put(p + "k" + (i % 7), Integer.toString(i));
                }
                s.delete(p + "k3");
                l.awaitUntil(r -> r.events.size() == 201, WAIT);
                List<Long> revs =
                        l.eventsCopy().stream().map(WatchEvent::modRevision).toList();
                assertThat(revs).isSorted().doesNotHaveDuplicates();
                assertThat(l.viewCopy())
                        .doesNotContainKey(p + "before")
                        .doesNotContainKey(p + "k3")
                        .containsEntry(p + "k6", "195")
                        .containsEntry(p + "k4", "193")
                        .containsEntry(p + "k2", "198");
                assertThat(l.threadsCopy().stream().distinct().count()).isEqualTo(1);
                w.close(); // and again by try-with-resources: closing twice is harmless
            }
            s.deletePrefix(p);
        }
    }

    @Test
    void resyncsFromAFreshListAfterCompaction() throws Exception {
        try (EtcdProcess etcd = EtcdProcess.plain().start();
                JetcdStore s = new JetcdStore(EtcdConfig.of(etcd.endpoint()))) {
            String p = "/calico/v1/host/";
            s.put(p + "a", "1");
            long start = s.list(p).revision() + 1;
            s.put(p + "b", "2");
            s.delete(p + "a");
            s.put(p + "c", "3");
            long now = s.put("/other", "x");
            etcd.etcdctl("compact", Long.toString(now));
            RecordingListener l = new RecordingListener();
            try (WatchableStore.Watch w = s.watch(p, start, l)) {
                l.awaitUntil(r -> !r.resyncs.isEmpty(), WAIT);
                assertThat(l.resyncsCopy().get(0)).contains("compacted");
                assertThat(new ArrayList<>(l.viewCopy().keySet())).containsExactly(p + "b", p + "c");
                s.put(p + "d", "4");
                l.awaitUntil(r -> r.view.containsKey(p + "d"), WAIT);
                assertThat(l.viewCopy()).containsOnlyKeys(p + "b", p + "c", p + "d");
            }
        }
    }

    @Test
    void resumesAfterEtcdRestartsWithoutLosingOrRepeatingEvents() throws Exception {
        try (EtcdProcess etcd = EtcdProcess.plain().start();
                JetcdStore s = new JetcdStore(EtcdConfig.of(etcd.endpoint()))) {
            String p = "/calico/v1/config/";
            long start = s.put(p + "first", "1") + 1;
            RecordingListener l = new RecordingListener();
            try (WatchableStore.Watch w = s.watch(p, start, l)) {
                s.put(p + "a", "1");
                l.awaitUntil(r -> r.view.containsKey(p + "a"), WAIT);
                etcd.stop();
                Thread.sleep(500);
                etcd.start();
                awaitWritable(s, p + "b");
                s.put(p + "c", "3");
                l.awaitUntil(r -> r.view.containsKey(p + "c"), Duration.ofSeconds(40));
                List<String> keys =
                        l.eventsCopy().stream().map(WatchEvent::key).distinct().toList();
                assertThat(keys).containsExactly(p + "a", p + "b", p + "c");
                List<Long> revs =
                        l.eventsCopy().stream().map(WatchEvent::modRevision).toList();
                assertThat(revs).isSorted().doesNotHaveDuplicates();
            }
        }
    }

    @Test
    void aCompactionDuringAPartitionCostsExactlyOneResyncAndLosesNothing() throws Exception {
        try (EtcdProcess etcd = EtcdProcess.plain().start();
                TcpProxy proxy = TcpProxy.toLoopbackPort(etcd.clientPort());
                JetcdStore s = new JetcdStore(EtcdConfig.of(etcd.endpoint()));
                JetcdStore cut = new JetcdStore(EtcdConfig.of(proxy.endpoint()))) {
            String p = "/calico/v1/host/h1/";
            for (int i = 0; i < 5; i++) {
                s.put(p + "k" + i, "v" + i);
            }
            RecordingListener l = new RecordingListener();
            try (WatchableStore.Watch w = cut.watch(p, s.list(p).revision() + 1, l)) {
                s.put(p + "k5", "v5");
                l.awaitUntil(r -> r.view.containsKey(p + "k5"), WAIT);
                proxy.cut(); // the watcher is partitioned away: the changes below happen without it
                s.delete(p + "k0");
                s.put(p + "k1", "changed");
                s.put(p + "k6", "v6");
                long now = s.put("/other", "x");
                etcd.etcdctl("compact", Long.toString(now));
                Thread.sleep(1000);
                proxy.restore();
                Map<String, String> want = new java.util.TreeMap<>();
                s.list(p).kvs().forEach(kv -> want.put(kv.key(), kv.value()));
                l.awaitUntil(r -> r.view.equals(want), Duration.ofSeconds(60));
                assertThat(l.resyncsCopy()).hasSize(1);
                assertThat(l.resyncsCopy().get(0)).contains("compacted");
                s.put(p + "k7", "v7"); // and it watches on from there
                l.awaitUntil(r -> r.view.containsKey(p + "k7"), WAIT);
                assertThat(l.resyncsCopy()).hasSize(1);
            }
        }
    }

    private static void awaitWritable(KvStore s, String key) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                s.put(key, "2");
                return;
            } catch (DatastoreException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
