package org.calicojava.libnetwork;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.netlink.NetNs;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Upgrade from a driver that did not tag its veths, with a real etcd and real veths in a test namespace: at start the
 * driver adopts the untagged veth of an endpoint record written before the host's marker (Leave and DeleteEndpoint
 * then remove it), but never a veth named by a record made later (a crafted id sharing a victim's 11 characters), not
 * even after a restart, and never a link carrying someone else's alias. A DeleteEndpoint during a retried pass: the
 * two take turns on the endpoint's lock, and the untagged veth is removed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VethAdoptionIT {
    static final String HOST = "adopt-host";
    final String ns = "cj-lna-"
            + Integer.toHexString(0x10000 + ThreadLocalRandom.current().nextInt(0xeffff));
    JetcdStore store;
    Keys keys;
    NetlinkDataplane dataplane;
    PluginServer server;
    Path dir;

    @BeforeAll
    void setUp() throws Exception {
        String etcd = System.getenv("ETCD_ENDPOINTS");
        assertThat(etcd)
                .as("ETCD_ENDPOINTS (start etcd with scripts/lib/etcd.sh)")
                .isNotBlank();
        store = new JetcdStore(EtcdConfig.of(etcd));
        NetNs.create(ns);
        dir = Files.createTempDirectory("cj-lna");
    }

    @BeforeEach
    void freshRoot() {
        keys = new Keys("/cj-test-" + UUID.randomUUID()); // each test its own marker
    }

    @AfterEach
    void stopDriver() {
        stop();
        store.deletePrefix(keys.root() + "/");
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            stop();
        } finally {
            if (NetNs.exists(ns)) {
                NetNs.delete(ns);
            }
            if (store != null) {
                store.close();
            }
            Files.deleteIfExists(dir.resolve("p.sock"));
            Files.deleteIfExists(dir);
        }
    }

    /** Starts the driver as Main does: adoption first, then the socket. */
    void start() throws Exception {
        dataplane = new NetlinkDataplane(ns);
        NetworkDriver driver = new NetworkDriver(store, keys, HOST, dataplane);
        Main.adoptUntaggedVeths(driver);
        server = new PluginServer(dir.resolve("p.sock"), new Plugin(driver, new IpamDriver(store, keys, HOST)));
    }

    /** Starts the driver serving without an adoption pass, as when the pass at start failed and is retried later. */
    NetworkDriver startWithoutPass() throws Exception {
        dataplane = new NetlinkDataplane(ns);
        NetworkDriver driver = new NetworkDriver(store, keys, HOST, dataplane);
        server = new PluginServer(dir.resolve("p.sock"), new Plugin(driver, new IpamDriver(store, keys, HOST)));
        return driver;
    }

    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (dataplane != null) {
            dataplane.close();
            dataplane = null;
        }
    }

    static String sh(String... cmd) {
        return Sh.ok(List.of(cmd), 30).strip();
    }

    int index(String name) {
        Sh.Result r = Sh.run(List.of("ip", "-n", ns, "-o", "link", "show", name), 30);
        return r.ok() ? Integer.parseInt(r.out().strip().split(":")[0]) : -1;
    }

    String link(String name) {
        return sh("ip", "-n", ns, "-o", "link", "show", name);
    }

    /** The record a pre-upgrade driver's CreateEndpoint wrote. */
    void oldRecord(String net, String ep, String address) {
        WorkloadEndpoint wep = new WorkloadEndpoint(
                "active",
                NetworkDriver.hostInterface(ep),
                NetworkDriver.MAC,
                List.of(net),
                List.of(Cidr.parse(address)),
                List.of(),
                Map.of());
        store.put(endpointKey(ep), Json.write(wep));
    }

    String endpointKey(String ep) {
        return keys.endpoint(HOST, "libnetwork", "libnetwork", ep);
    }

    /** The pair a pre-upgrade Join made and libnetwork's Interface.Remove moved back: no alias. */
    void untaggedPair(String hostIf, String peer) {
        sh("ip", "-n", ns, "link", "add", hostIf, "type", "veth", "peer", "name", peer);
    }

    static String ids(String net, String ep) {
        return "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + ep + "\"}";
    }

    @Test
    void olderEndpointsVethsAreAdoptedAndThenRemovedByLeaveAndDeleteEndpoint() throws Exception {
        String net = PluginFixture.dockerId();
        String left = PluginFixture.dockerId(); // stopped container: Leave then DeleteEndpoint
        String deleted = PluginFixture.dockerId(); // DeleteEndpoint without a Leave
        String unjoined = PluginFixture.dockerId(); // a record without a veth: nothing to do
        oldRecord(net, left, "10.88.0.1/32");
        oldRecord(net, deleted, "10.88.0.2/32");
        oldRecord(net, unjoined, "10.88.0.3/32");
        try {
            untaggedPair(NetworkDriver.hostInterface(left), NetworkDriver.tempInterface(left));
            untaggedPair(NetworkDriver.hostInterface(deleted), NetworkDriver.tempInterface(deleted));
            assertThat(link(NetworkDriver.hostInterface(left))).doesNotContain("alias");
            String unjoinedRecord =
                    store.get(endpointKey(unjoined)).orElseThrow().value();

            start();
            assertThat(store.get(keys.libnetworkVethTags(HOST))).as("marker").isPresent();
            assertThat(link(NetworkDriver.hostInterface(left))).contains("alias " + NetworkDriver.tag(left));
            assertThat(link(NetworkDriver.hostInterface(deleted))).contains("alias " + NetworkDriver.tag(deleted));
            assertThat(store.get(endpointKey(unjoined)).orElseThrow().value()).isEqualTo(unjoinedRecord);

            try (UnixHttpClient c = new UnixHttpClient(server.socket())) {
                assertThat(c.post("/NetworkDriver.Leave", ids(net, left)).status())
                        .isEqualTo(200);
                assertThat(index(NetworkDriver.hostInterface(left))).isEqualTo(-1);
                assertThat(index(NetworkDriver.tempInterface(left))).isEqualTo(-1);
                assertThat(c.post("/NetworkDriver.DeleteEndpoint", ids(net, left))
                                .status())
                        .isEqualTo(200);
                assertThat(store.get(endpointKey(left))).isEmpty();

                assertThat(c.post("/NetworkDriver.DeleteEndpoint", ids(net, deleted))
                                .status())
                        .isEqualTo(200);
                assertThat(index(NetworkDriver.hostInterface(deleted))).isEqualTo(-1);
                assertThat(index(NetworkDriver.tempInterface(deleted))).isEqualTo(-1);
                assertThat(store.get(endpointKey(deleted))).isEmpty();
            }
        } finally {
            for (String ep : List.of(left, deleted)) {
                Sh.run(List.of("ip", "-n", ns, "link", "del", NetworkDriver.hostInterface(ep)), 30);
            }
        }
    }

    @Test
    void aRecordMadeAfterTheMarkerNeverAdoptsAVictimsVethNotEvenAfterARestart() throws Exception {
        String prefix =
                Long.toHexString(0x10000000000L + ThreadLocalRandom.current().nextLong(0xeffffffffffL));
        String victim = "cali" + prefix; // an untagged CNI pod's or javactl container's host end
        String net = PluginFixture.dockerId();
        String crafted = prefix + PluginFixture.dockerId().substring(11);
        store.put(keys.profileRules(net), "{}");
        try {
            untaggedPair(victim, "vic" + prefix.substring(0, 8));
            int before = index(victim);
            assertThat(before).isPositive();
            start();
            try (UnixHttpClient c = new UnixHttpClient(server.socket())) {
                UnixHttpClient.Reply r = c.post(
                        "/NetworkDriver.CreateEndpoint",
                        "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + crafted
                                + "\",\"Interface\":{\"Address\":\"10.88.1.1/32\"}}");
                assertThat(r.status()).as(r.body()).isEqualTo(200);
            }
            stop();
            start(); // the crafted record now exists at start, but was written after the marker
            assertThat(link(victim)).doesNotContain("alias");
            try (UnixHttpClient c = new UnixHttpClient(server.socket())) {
                assertThat(c.post("/NetworkDriver.Join", ids(net, crafted)).status())
                        .isEqualTo(500);
                assertThat(c.post("/NetworkDriver.Leave", ids(net, crafted)).status())
                        .isEqualTo(200);
                assertThat(index(victim)).as("victim after Leave").isEqualTo(before);
                assertThat(c.post("/NetworkDriver.DeleteEndpoint", ids(net, crafted))
                                .status())
                        .isEqualTo(200);
                assertThat(index(victim)).as("victim after DeleteEndpoint").isEqualTo(before);
            }
            assertThat(link(victim)).doesNotContain("alias");
        } finally {
            Sh.run(List.of("ip", "-n", ns, "link", "del", victim), 30);
        }
    }

    @Test
    void aLinkWithAForeignAliasIsLeftAlone() throws Exception {
        String net = PluginFixture.dockerId();
        String ep = PluginFixture.dockerId();
        String hostIf = NetworkDriver.hostInterface(ep);
        oldRecord(net, ep, "10.88.2.1/32");
        try {
            untaggedPair(hostIf, NetworkDriver.tempInterface(ep));
            sh("ip", "-n", ns, "link", "set", "dev", hostIf, "alias", "cni pod kube-system/dns-1");
            int before = index(hostIf);
            start();
            assertThat(link(hostIf)).contains("alias cni pod kube-system/dns-1");
            try (UnixHttpClient c = new UnixHttpClient(server.socket())) {
                assertThat(c.post("/NetworkDriver.Leave", ids(net, ep)).status())
                        .isEqualTo(200);
                assertThat(c.post("/NetworkDriver.DeleteEndpoint", ids(net, ep)).status())
                        .isEqualTo(200);
            }
            assertThat(index(hostIf)).isEqualTo(before);
            assertThat(link(hostIf)).contains("alias cni pod kube-system/dns-1");
        } finally {
            Sh.run(List.of("ip", "-n", ns, "link", "del", hostIf), 30);
        }
    }

    @Test
    void aDeleteEndpointDuringARetriedPassRemovesTheUntaggedVethAndThePassWaitsForIt() throws Exception {
        String net = PluginFixture.dockerId();
        String ep = PluginFixture.dockerId();
        String hostIf = NetworkDriver.hostInterface(ep);
        oldRecord(net, ep, "10.88.3.1/32");
        try {
            untaggedPair(hostIf, NetworkDriver.tempInterface(ep));
            NetworkDriver driver = startWithoutPass();
            ReentrantLock lock = driver.locks().of(ep);
            lock.lock(); // a request for the endpoint in progress
            try (UnixHttpClient c = new UnixHttpClient(server.socket())) {
                CompletableFuture<UnixHttpClient.Reply> delete = new CompletableFuture<>();
                Thread docker = new Thread(() -> {
                    try {
                        delete.complete(c.post("/NetworkDriver.DeleteEndpoint", ids(net, ep)));
                    } catch (Throwable e) {
                        delete.completeExceptionally(e);
                    }
                });
                docker.setDaemon(true);
                docker.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!lock.hasQueuedThreads()) { // the server's worker thread
                    assertThat(delete)
                            .as("DeleteEndpoint waits for the endpoint's lock")
                            .isNotDone();
                    assertThat(System.nanoTime()).as("DeleteEndpoint waiting").isLessThan(deadline);
                    Thread.sleep(1);
                }
                CompletableFuture<Integer> pass =
                        VethAdoptionTest.waitingFor(lock, "adoption pass", driver::adoptUntaggedVeths);
                assertThat(link(hostIf)).doesNotContain("alias");
                assertThat(store.get(endpointKey(ep))).isPresent();
                lock.unlock(); // first come, first served: the DeleteEndpoint, then the pass
                UnixHttpClient.Reply r = delete.get(30, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                assertThat(pass.get(30, TimeUnit.SECONDS))
                        .as("nothing left to adopt")
                        .isZero();
            } finally {
                if (lock.isHeldByCurrentThread()) {
                    lock.unlock();
                }
            }
            assertThat(index(hostIf))
                    .as("the untagged veth, adopted and removed by DeleteEndpoint")
                    .isEqualTo(-1);
            assertThat(index(NetworkDriver.tempInterface(ep))).isEqualTo(-1);
            assertThat(store.get(endpointKey(ep))).isEmpty();
        } finally {
            Sh.run(List.of("ip", "-n", ns, "link", "del", hostIf), 30);
        }
    }
}
