package org.calicojava.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.calicojava.testing.EtcdProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The same contract, against the real etcd, for both store implementations. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreContractIT {
    private final JetcdStore jetcd = new JetcdStore(TestEtcd.config());
    private final GatewayStore gateway = new GatewayStore(TestEtcd.config());

    Stream<KvStore> stores() {
        return Stream.of(jetcd, gateway);
    }

    @AfterAll
    void close() {
        jetcd.close();
        gateway.close();
    }

    private static String prefix() {
        return "/cj-contract-" + UUID.randomUUID() + "/";
    }

    @Test
    void bothStoresTellTheSameClusterIdAsEtcdWritesIt() {
        String p = prefix();
        String id = jetcd.clusterId(p + "any");
        assertThat(id).matches("[0-9a-f]{1,16}").isNotEqualTo("0");
        assertThat(gateway.clusterId(p + "any")).isEqualTo(id);
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("stores")
    void getPutListDelete(KvStore s) {
        String p = prefix();
        assertThat(s.get(p + "a")).isEmpty();
        long r1 = s.put(p + "b", "2");
        long r2 = s.put(p + "a", "1");
        assertThat(r2).isGreaterThan(r1);
        s.put(p + "a/x", "ünïcode");
        s.put(p.substring(0, p.length() - 1) + "-other", "not mine");
        ListResult l = s.list(p);
        assertThat(l.kvs()).extracting(KeyValue::key).containsExactly(p + "a", p + "a/x", p + "b");
        assertThat(l.kvs().get(1).value()).isEqualTo("ünïcode");
        assertThat(l.revision()).isGreaterThanOrEqualTo(r2);
        assertThat(s.get(p + "a")).get().extracting(KeyValue::value).isEqualTo("1");
        assertThat(s.delete(p + "a")).isTrue();
        assertThat(s.delete(p + "a")).isFalse();
        assertThat(s.deletePrefix(p)).isEqualTo(2);
        assertThat(s.list(p).kvs()).isEmpty();
        s.delete(p.substring(0, p.length() - 1) + "-other");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("stores")
    void createAndCompareAndSwap(KvStore s) {
        String k = prefix() + "k";
        long rev = s.create(k, "v1");
        assertThatThrownBy(() -> s.create(k, "v2"))
                .isInstanceOf(KeyExistsException.class)
                .hasMessageContaining(k);
        long rev2 = s.update(k, "v2", rev);
        assertThatThrownBy(() -> s.update(k, "v3", rev)).isInstanceOf(RevisionConflictException.class);
        assertThat(s.get(k).orElseThrow().value()).isEqualTo("v2");
        assertThatThrownBy(() -> s.delete(k, rev)).isInstanceOf(RevisionConflictException.class);
        s.delete(k, rev2);
        assertThat(s.get(k)).isEmpty();
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("stores")
    void transactionsAreAllOrNothing(KvStore s) {
        String p = prefix();
        s.put(p + "guard", "g");
        long guardRev = s.get(p + "guard").orElseThrow().modRevision();
        assertThat(s.txn(List.of(Compare.absent(p + "guard")), List.of(Op.put(p + "x", "1"))))
                .isFalse();
        assertThat(s.get(p + "x")).isEmpty();
        assertThat(s.txn(
                        List.of(Compare.modRevision(p + "guard", guardRev), Compare.absent(p + "y")),
                        List.of(Op.put(p + "x", "1"), Op.put(p + "y", "2"), Op.delete(p + "guard"))))
                .isTrue();
        assertThat(s.list(p).kvs()).extracting(KeyValue::key).containsExactly(p + "x", p + "y");
        s.deletePrefix(p);
    }

    @Test
    void unreachableEtcdIsAClearErrorWithinFiveSeconds() throws Exception {
        int port = EtcdProcess.freePort();
        EtcdConfig dead = new EtcdConfig(
                EtcdConfig.parseEndpoints("http://127.0.0.1:" + port),
                null,
                null,
                null,
                null,
                null,
                Duration.ofSeconds(3));
        for (KvStore s : List.of(new GatewayStore(dead), new JetcdStore(dead))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> s.list("/calico/"))
                    .isInstanceOf(EtcdUnreachableException.class)
                    .hasMessageStartingWith("etcd at http://127.0.0.1:" + port + " is unreachable");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            s.close();
        }
    }
}
