package org.calicojava.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.calicojava.testing.EtcdProcess;
import org.junit.jupiter.api.Test;

/** Listings in pages against the real etcd: all keys, in order, at one revision, within a small inbound limit. */
class PaginatedListIT {

    private static String prefix() {
        return "/cj-pages-" + UUID.randomUUID().toString().substring(0, 8) + "/";
    }

    /** Writes keys {@code p}k000, k001, ... with values v0, v1, ...; returns the keys in order. */
    private static List<String> putKeys(KvStore store, String p, int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String k = p + String.format("k%03d", i);
            store.put(k, "v" + i);
            keys.add(k);
        }
        return keys;
    }

    @Test
    void listsEveryKeyInOrderAcrossPagesAndNothingOutsideThePrefix() {
        String p = prefix();
        try (JetcdStore store = new JetcdStore(TestEtcd.config(), 7, JetcdStore.MAX_INBOUND_BYTES)) {
            List<String> want = putKeys(store, p, 50);
            store.put(p + "k049/deeper", "x"); // sorts between k049 and the end
            want.add(p + "k049/deeper");
            store.put(p.substring(0, p.length() - 1) + "0", "the next prefix up: not mine");
            store.put(p.substring(0, p.length() - 1), "the prefix without its slash: not mine");
            ListResult l = store.list(p);
            assertThat(l.kvs()).extracting(KeyValue::key).containsExactlyElementsOf(want);
            assertThat(l.kvs().get(3).value()).isEqualTo("v3");
            store.deletePrefix(p);
            store.delete(p.substring(0, p.length() - 1) + "0");
            store.delete(p.substring(0, p.length() - 1));
        }
    }

    @Test
    void laterPagesAreReadAtTheFirstPagesRevision() {
        String p = prefix();
        try (JetcdStore store = new JetcdStore(TestEtcd.config(), 5, JetcdStore.MAX_INBOUND_BYTES);
                JetcdStore other = new JetcdStore(TestEtcd.config())) {
            for (int i = 0; i < 20; i++) {
                store.put(p + String.format("k%02d", i), "old");
            }
            long before = store.list(p).revision();
            // change keys on later pages between listings: a listing must show one revision, never a mix
            for (int round = 0; round < 5; round++) {
                Thread writer = new Thread(() -> {
                    for (int i = 10; i < 20; i++) {
                        other.put(p + String.format("k%02d", i), "new");
                    }
                });
                writer.start();
                ListResult l = store.list(p);
                long rev = l.revision();
                assertThat(rev).isGreaterThanOrEqualTo(before);
                for (KeyValue kv : l.kvs()) {
                    assertThat(kv.modRevision()).as(kv.key()).isLessThanOrEqualTo(rev);
                }
                assertThat(l.kvs()).hasSize(20);
                try {
                    writer.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            store.deletePrefix(p);
        }
    }

    /** Records what a {@link ListSink} is given: "restart" and each page's keys. */
    static final class RecordingSink implements ListSink {
        final List<Object> events = new ArrayList<>();
        final List<String> keys = new ArrayList<>();
        Runnable onFirstPage = () -> {};

        @Override
        public void restart() {
            events.add("restart");
            keys.clear();
        }

        @Override
        public void page(List<KeyValue> kvs) {
            if (events.size() == 1) {
                onFirstPage.run();
            }
            events.add(kvs.size());
            kvs.forEach(kv -> keys.add(kv.key()));
        }
    }

    @Test
    void aStreamedListingHandsOverEachPageInOrder() {
        String p = prefix();
        try (JetcdStore store = new JetcdStore(TestEtcd.config(), 7, JetcdStore.MAX_INBOUND_BYTES)) {
            List<String> want = putKeys(store, p, 50);
            RecordingSink sink = new RecordingSink();
            long revision = store.list(p, sink);
            assertThat(sink.events).containsExactly("restart", 7, 7, 7, 7, 7, 7, 7, 1);
            assertThat(sink.keys).containsExactlyElementsOf(want);
            assertThat(revision).isEqualTo(store.list(p).revision());
            store.deletePrefix(p);
        }
    }

    @Test
    void aStreamedListingWhoseRevisionIsCompactedStartsOverWithARestart() throws Exception {
        String p = "/calico/v1/host/";
        try (EtcdProcess etcd = EtcdProcess.plain().start();
                JetcdStore store = new JetcdStore(EtcdConfig.of(etcd.endpoint()), 5, JetcdStore.MAX_INBOUND_BYTES)) {
            List<String> want = putKeys(store, p, 30);
            RecordingSink sink = new RecordingSink();
            sink.onFirstPage = () -> { // while the first page is worked on, etcd compacts past the listing's revision
                long now = store.put("/other", "x");
                etcd.etcdctl("compact", Long.toString(now));
            };
            long revision = store.list(p, sink);
            assertThat(sink.events.stream().filter("restart"::equals))
                    .as(sink.events.toString())
                    .hasSize(2);
            assertThat(sink.keys).as("the pages after the last restart").containsExactlyElementsOf(want);
            assertThat(revision).isEqualTo(store.list(p).revision());
        }
    }

    @Test
    void aPageOverTheInboundLimitIsAskedAgainSmaller() {
        String p = prefix();
        String big = "x".repeat(300_000);
        // 1 MiB inbound limit: a page of 100 keys of 300 kB (30 MB) cannot arrive in one message
        try (JetcdStore store = new JetcdStore(TestEtcd.config(), 100, 1 << 20)) {
            for (int i = 0; i < 12; i++) {
                store.put(p + String.format("k%02d", i), big);
            }
            ListResult l = store.list(p);
            assertThat(l.kvs()).hasSize(12);
            assertThat(l.kvs()).allSatisfy(kv -> assertThat(kv.value()).hasSize(300_000));
            store.deletePrefix(p);
        }
    }

    @Test
    void prefixEndFollowsEtcd() {
        assertThat(JetcdStore.prefixEnd(new byte[] {'/', 'a'})).containsExactly('/', 'b');
        assertThat(JetcdStore.prefixEnd(new byte[] {'a', (byte) 0xff})).containsExactly('b');
        assertThat(JetcdStore.prefixEnd(new byte[] {(byte) 0xff})).containsExactly(0);
    }

    @Test
    void theGatewayStoreListsInPagesAtOneRevisionToo() {
        String p = prefix();
        try (GatewayStore store = new GatewayStore(TestEtcd.config(), 7);
                JetcdStore other = new JetcdStore(TestEtcd.config())) {
            List<String> want = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String k = p + String.format("k%02d", i);
                other.put(k, "v" + i);
                want.add(k);
            }
            other.put(p.substring(0, p.length() - 1) + "0", "not mine");
            ListResult l = store.list(p);
            assertThat(l.kvs()).extracting(KeyValue::key).containsExactlyElementsOf(want);
            assertThat(l.kvs()).extracting(KeyValue::value).allMatch(v -> v.startsWith("v"));
            assertThat(l.revision()).isEqualTo(other.list(p).revision());
            other.deletePrefix(p);
            other.delete(p.substring(0, p.length() - 1) + "0");
        }
    }
}
