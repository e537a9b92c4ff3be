package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.calicojava.netlink.NetNs;
import org.calicojava.store.Compare;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.store.KeyValue;
import org.calicojava.store.ListResult;
import org.calicojava.store.Op;
import org.calicojava.store.WatchEvent;
import org.calicojava.store.WatchListener;
import org.calicojava.store.WatchableStore;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * No worker thread dies silently: the agent in a namespace host against a real etcd, reached through a store that
 * injects faults (a batch of watch events that throws when read, a list that throws something other than a datastore
 * error). One fault is caught at the loop, counted, and the next good change is applied; three in a row, or one
 * escaping the initial sync, end the dataplane thread, call the exit callback with {@link Agent#EXIT_CODE} and make
 * {@code /liveness} answer 503.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FelixAgentFailureIT {
    static final String HOST = "host1";
    TestNet net;
    JetcdStore store;
    JetcdStore agentStore;
    Keys keys;
    Agent agent;
    final AtomicInteger exitCode = new AtomicInteger(-1);
    int good;

    /** The real store, with faults injected on demand. */
    static final class FaultyStore implements WatchableStore {
        final JetcdStore real;
        final AtomicInteger poisonBatches = new AtomicInteger();
        final AtomicBoolean listFails = new AtomicBoolean();

        FaultyStore(JetcdStore real) {
            this.real = real;
        }

        @Override
        public Watch watch(String prefix, long fromRevision, WatchListener listener) {
            return real.watch(prefix, fromRevision, new WatchListener() {
                @Override
                public void onEvents(List<WatchEvent> events) {
                    boolean poison = events.stream().anyMatch(e -> e.key().contains("/poison"))
                            && poisonBatches.getAndDecrement() > 0;
                    listener.onEvents(
                            poison
                                    ? new AbstractList<>() {
                                        @Override
                                        public WatchEvent get(int index) {
                                            throw new IllegalStateException("injected fault reading a watch event");
                                        }

                                        @Override
                                        public int size() {
                                            return 1;
                                        }
                                    }
                                    : events);
                }

                @Override
                public void onResync(ListResult snapshot, String reason) {
                    listener.onResync(snapshot, reason);
                }

                @Override
                public void onError(org.calicojava.store.DatastoreException error) {
                    listener.onError(error);
                }
            });
        }

        @Override
        public Optional<KeyValue> get(String key) {
            return real.get(key);
        }

        @Override
        public ListResult list(String prefix) {
            if (listFails.get()) {
                throw new IllegalStateException("injected fault in list");
            }
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
        public boolean txn(List<Compare> compares, List<Op> ops) {
            return real.txn(compares, ops);
        }

        @Override
        public String endpoint() {
            return real.endpoint();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    FaultyStore faulty;

    @BeforeAll
    void setUp() {
        Sh.require("ip", "iptables-restore", "iptables-save", "ipset");
        String endpoints = System.getenv("ETCD_ENDPOINTS");
        assertThat(endpoints)
                .as("ETCD_ENDPOINTS (start etcd with scripts/lib/etcd.sh)")
                .isNotBlank();
        keys = new Keys("/cj-test-" + UUID.randomUUID());
        store = new JetcdStore(EtcdConfig.of(endpoints));
        agentStore = new JetcdStore(EtcdConfig.of(endpoints));
        faulty = new FaultyStore(agentStore);
        net = new TestNet("fi-");
        net.addWorkload(1);
        store.put(keys.pool(Cidr.parse("10.65.0.0/16")), "{\"cidr\":\"10.65.0.0/16\"}");
        Records.profile(store, keys, "good", "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        agentStore.get("/warm-up"); // gRPC threads start here, in this namespace
        agent = start();
        assertThat(Sh.waitFor(30, agent::ready)).as("agent ready").isNotNegative();
    }

    private Agent start() {
        Agent a = new Agent(
                faulty,
                keys,
                HOST,
                Map.of(
                        "FELIX_REPORTINGINTERVALSECS",
                        "1",
                        "FELIX_DATAPLANEBACKEND",
                        "iptables",
                        "FELIX_HEALTHPORT",
                        "9099",
                        "FELIX_PROMETHEUSMETRICSPORT",
                        "0"),
                Namespace.named(net.host),
                exitCode::set);
        a.start();
        return a;
    }

    @AfterAll
    void tearDown() throws Exception {
        Cleanup.close(agent, net, Cleanup.dropKeys(store, keys), agentStore);
    }

    private void goodChangeApplied() {
        if (good > 0) {
            store.delete(keys.endpoint(HOST, "k8s", "good" + good, "eth0"));
        }
        good++;
        String ip = "10.65.1." + good;
        store.put(keys.endpoint(HOST, "k8s", "good" + good, "eth0"), Records.endpoint(net.iface(1), "good", ip, null));
        assertThat(Sh.waitFor(30, () -> net.routes().contains(ip + " dev " + net.iface(1))))
                .as("good endpoint %s routed", good)
                .isNotNegative();
    }

    @Test
    @Order(1)
    void oneUnexpectedFailureIsCaughtAtTheLoopCountedAndTheNextChangeApplied() {
        goodChangeApplied();
        faulty.poisonBatches.set(1);
        store.put(keys.v1() + "/poison-1", "x");
        assertThat(Sh.waitFor(10, () -> agent.metrics().counter("felix_program_failures") == 1))
                .isNotNegative();
        goodChangeApplied();
        assertThat(exitCode.get()).isEqualTo(-1);
        assertThat(http("/liveness")).startsWith("HTTP/1.1 200");
    }

    @Test
    @Order(2)
    void unexpectedFailuresThreeTimesInARowEndTheThreadThroughTheExitCallback() throws InterruptedException {
        faulty.poisonBatches.set(3);
        for (int i = 0; i < 3; i++) {
            store.put(keys.v1() + "/poison-" + (i + 2), "x");
            Thread.sleep(150); // separate batches, each before the retry that would succeed
        }
        assertThat(Sh.waitFor(10, () -> exitCode.get() == Agent.EXIT_CODE))
                .as("exit callback")
                .isNotNegative();
        assertThat(Sh.waitFor(5, () -> http("/liveness").startsWith("HTTP/1.1 503")))
                .as("liveness 503")
                .isNotNegative();
        agent.close();
    }

    @Test
    @Order(3)
    void aFailureEscapingTheInitialSyncEndsTheThreadThroughTheExitCallback() {
        exitCode.set(-1);
        faulty.listFails.set(true);
        agent = start();
        assertThat(Sh.waitFor(10, () -> exitCode.get() == Agent.EXIT_CODE))
                .as("exit callback")
                .isNotNegative();
        assertThat(agent.ready()).isFalse();
        assertThat(http("/liveness")).startsWith("HTTP/1.1 503");
        assertThat(http("/readiness")).startsWith("HTTP/1.1 503");
    }

    private String http(String path) {
        return NetNs.run(net.host, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", 9099), 2000);
                s.setSoTimeout(5000);
                OutputStream o = s.getOutputStream();
                o.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                o.flush();
                InputStream in = s.getInputStream();
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
    }
}
