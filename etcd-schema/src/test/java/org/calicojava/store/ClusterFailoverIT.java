package org.calicojava.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.testing.EtcdCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both stores against a real three-member etcd cluster that loses its leader or a member: requests go on on the
 * others (the JSON gateway store retries while the members elect a new leader; jetcd does its own), and IPAM's
 * compare-and-swap assignment from 32 concurrent clients hands out no address twice while the leader dies.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterFailoverIT {
    private EtcdCluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = EtcdCluster.start(3);
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private int leader() {
        for (int i = 0; i < cluster.size(); i++) {
            if (!cluster.member(i).running()) {
                continue;
            }
            JsonNode s;
            try {
                s = Json.MAPPER
                        .readTree(cluster.member(i).etcdctl("endpoint", "status", "-w", "json"))
                        .get(0);
            } catch (Exception e) {
                continue;
            }
            if (s != null
                    && s.path("Status").path("leader").asLong()
                            == s.path("Status").path("header").path("member_id").asLong()) {
                return i;
            }
        }
        throw new AssertionError("no leader");
    }

    private void restartStopped() throws Exception {
        for (int i = 0; i < cluster.size(); i++) {
            if (!cluster.member(i).running()) {
                cluster.member(i).start();
            }
        }
    }

    private KvStore store(String kind) {
        EtcdConfig c = EtcdConfig.of(cluster.endpoints());
        return kind.equals("gateway") ? new GatewayStore(c) : new JetcdStore(c);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway", "jetcd"})
    void writesGoOnWhileTheLeaderDies(String kind) throws Exception {
        String p = "/cj-failover-" + kind + "/";
        List<String> failures = new ArrayList<>();
        int leader = leader();
        try (KvStore store = store(kind)) {
            for (int i = 0; i < 200; i++) {
                if (i == 50) {
                    cluster.member(leader).kill();
                }
                try {
                    store.put(p + String.format("%03d", i), "v" + i);
                } catch (DatastoreException e) {
                    failures.add(i + ": " + e.getMessage());
                }
            }
            assertThat(failures)
                    .as("puts that failed around the leader's death")
                    .isEmpty();
            assertThat(store.list(p).kvs()).hasSize(200);
            assertThat(leader()).isNotEqualTo(leader);
        } finally {
            restartStopped();
        }
    }

    @Test
    void theGatewayStoreSkipsADeadFirstMember() throws Exception {
        cluster.member(0).kill();
        try (KvStore store = new GatewayStore(EtcdConfig.of(cluster.endpoints()))) {
            store.put("/cj-first-dead/k", "v");
            assertThat(store.get("/cj-first-dead/k")).map(KeyValue::value).contains("v");
        } finally {
            restartStopped();
        }
    }

    @Test
    void ipamHandsOutNoAddressTwiceToConcurrentClientsWhileTheLeaderDies() throws Exception {
        Keys keys = new Keys("/calico");
        String host = "h-failover";
        Cidr pool = Cidr.parse("10.99.0.0/20");
        try (KvStore admin = store("gateway")) {
            admin.put(keys.pool(pool), Json.write(new IpPool(pool, false, false, false, 26)));
        }
        int clients = 32;
        int each = 4;
        ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        int leader = leader();
        for (int c = 0; c < clients; c++) {
            int client = c;
            Supplier<KvStore> s = () -> store(client % 2 == 0 ? "gateway" : "jetcd");
            Thread t = new Thread(() -> {
                try (KvStore store = s.get()) {
                    Ipam ipam = new Ipam(store, keys);
                    go.await();
                    for (int i = 0; i < each; i++) {
                        String handle = "c" + client + "-" + i;
                        got.add(ipam.autoAssign(new Ipam.AutoRequest(host, handle, Map.of(), 4, pool))
                                .ip());
                    }
                } catch (Exception e) {
                    errors.add(client + ": " + e);
                }
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        Thread.sleep(300);
        cluster.member(leader).kill();
        for (Thread t : threads) {
            t.join(120_000);
        }
        try {
            assertThat(errors).isEmpty();
            assertThat(got).hasSize(clients * each);
            Set<String> distinct = new HashSet<>(got);
            assertThat(distinct).as("no address assigned twice").hasSize(clients * each);
        } finally {
            restartStopped();
        }
    }
}
