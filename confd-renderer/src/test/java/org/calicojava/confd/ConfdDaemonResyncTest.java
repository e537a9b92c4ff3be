package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicojava.confd.ConfdHarness.read;
import static org.calicojava.confd.ConfdHarness.waitUntil;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.calicojava.model.Keys;
import org.calicojava.process.ProcessRunner;
import org.calicojava.store.Compare;
import org.calicojava.store.KeyValue;
import org.calicojava.store.ListResult;
import org.calicojava.store.Op;
import org.calicojava.store.WatchEvent;
import org.calicojava.store.WatchListener;
import org.calicojava.store.WatchableStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's handling of what the watch delivers, with a scripted store (the real watch's reconnect and compaction
 * behaviour is tested in etcd-schema): a resync replaces the whole key tree; events outside every resource's keys
 * are ignored; the watch starts on the common prefix right after the listed revision.
 */
class ConfdDaemonResyncTest {
    @TempDir
    Path tmp;

    static final class ScriptedStore implements WatchableStore {
        final TreeMap<String, String> data = new TreeMap<>();
        final List<String> listed = new ArrayList<>();
        String watchedPrefix;
        long watchedFrom;
        WatchListener listener;

        @Override
        public Watch watch(String prefix, long fromRevision, WatchListener l) {
            watchedPrefix = prefix;
            watchedFrom = fromRevision;
            listener = l;
            return () -> listener = null;
        }

        @Override
        public ListResult list(String prefix) {
            listed.add(prefix);
            List<KeyValue> kvs = new ArrayList<>();
            data.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    kvs.add(new KeyValue(k, v, 1, 1));
                }
            });
            return new ListResult(41 + listed.size(), kvs);
        }

        @Override
        public Optional<KeyValue> get(String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long create(String key, String value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long update(String key, String value, long modRevision) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long put(String key, String value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean delete(String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(String key, long modRevision) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long deletePrefix(String prefix) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean txn(List<Compare> compares, List<Op> ops) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String endpoint() {
            return "scripted";
        }

        @Override
        public void close() {}
    }

    @Test
    void resyncReplacesTheTreeAndUnrelatedEventsAreIgnored() throws Exception {
        Keys keys = new Keys();
        Path confdir = ConfdHarness.peersConfdir(tmp, "keys = [\"/bgp/v1/host\", \"/ipam/v2/host/NODENAME\"]\n");
        ScriptedStore store = new ScriptedStore();
        Fixtures f = new Fixtures(keys).node("me", "10.0.0.1", null).node("b", "10.0.0.2", null);
        store.data.putAll(f.kv);
        List<TemplateResource> rs = new ResourceLoader(confdir, "me", keys.root(), tmp.resolve("out")).load();
        ResourceProcessor p = new ResourceProcessor(
                keys,
                "me",
                new TemplateRenderer(confdir.resolve("templates")),
                ProcessRunner.local(),
                Duration.ofSeconds(5));
        Path out = tmp.resolve("out/peers");
        try (ConfdDaemon d = new ConfdDaemon(store, rs, p, Duration.ofMillis(20), Duration.ofMillis(100))) {
            assertThat(d.start()).isTrue();
            assertThat(read(out)).isEqualTo("10.0.0.2 \n");
            assertThat(store.listed).containsExactly("/calico/bgp/v1/host", "/calico/ipam/v2/host/me");
            assertThat(store.watchedPrefix).isEqualTo("/calico/");
            assertThat(store.watchedFrom).isEqualTo(43); // lowest listed revision (42) + 1

            long renders = d.renders();
            store.listener.onEvents(
                    List.of(new WatchEvent(WatchEvent.Type.PUT, "/calico/v1/host/me/workload/x", "{}", 50)));
            Thread.sleep(300);
            assertThat(d.renders())
                    .as("an event outside the resource's keys causes no render")
                    .isEqualTo(renders);
            store.listener.onEvents(
                    List.of(new WatchEvent(WatchEvent.Type.PUT, keys.bgpHostIp("c", 4), "10.0.0.3", 51)));
            waitUntil(Duration.ofSeconds(5), "c added", () -> read(out).equals("10.0.0.2 10.0.0.3 \n"));
            waitUntil(Duration.ofSeconds(5), "render counted", () -> d.renders() == renders + 1);
            Thread.sleep(200);
            assertThat(d.renders()).isEqualTo(renders + 1);

            // compaction: the snapshot no longer has b, and c moved
            Fixtures now = new Fixtures(keys).node("me", "10.0.0.1", null).node("c", "10.0.0.4", null);
            List<KeyValue> snapshot = new ArrayList<>();
            now.kv.forEach((k, v) -> snapshot.add(new KeyValue(k, v, 60, 60)));
            snapshot.add(new KeyValue("/calico/v1/host/me/workload/y", "{}", 60, 60)); // not ours: not kept
            store.listener.onResync(new ListResult(60, snapshot), "revision 43 compacted");
            waitUntil(Duration.ofSeconds(5), "resync applied", () -> read(out).equals("10.0.0.4 \n"));
            Map<String, ResourceProcessor.Result> again = p.process(rs, new TreeMap<>(now.kv));
            assertThat(again).containsEntry("peers", ResourceProcessor.Result.UNCHANGED);
        }
        assertThat(store.listener).as("watch closed").isNull();
    }
}
