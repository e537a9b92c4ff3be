package org.calicojava.libnetwork;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.calicojava.netlink.NetNs;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The driver touches only the veths it made, over the real socket with a real etcd and real veths in a test namespace:
 * a member of the socket's group cannot make it delete or replace another workload's {@code cali...} interface (a CNI
 * pod's, a javactl container's) by sending an endpoint id that shares its 11 characters, while Docker's own flows
 * (Leave and DeleteEndpoint again, a stale pair of the same endpoint) still work.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VethOwnershipIT {
    static final String HOST = "own-host";
    final String ns = "cj-lno-"
            + Integer.toHexString(0x10000 + ThreadLocalRandom.current().nextInt(0xeffff));
    final Keys keys = new Keys("/cj-test-" + UUID.randomUUID());
    JetcdStore store;
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
        store.put(keys.pool(Cidr.parse("10.87.0.0/16")), "{\"cidr\":\"10.87.0.0/16\"}");
        NetNs.create(ns);
        dataplane = new NetlinkDataplane(ns);
        dir = Files.createTempDirectory("cj-lno");
        server = new PluginServer(
                dir.resolve("p.sock"),
                new Plugin(new NetworkDriver(store, keys, HOST, dataplane), new IpamDriver(store, keys, HOST)));
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
            if (dataplane != null) {
                dataplane.close();
            }
        } finally {
            if (NetNs.exists(ns)) {
                NetNs.delete(ns);
            }
            if (store != null) {
                store.deletePrefix(keys.root() + "/");
                store.close();
            }
            Files.deleteIfExists(dir.resolve("p.sock"));
            Files.deleteIfExists(dir);
        }
    }

    static String sh(String... cmd) {
        return Sh.ok(List.of(cmd), 30).strip();
    }

    /** The interface index of {@code name} in the test namespace, or -1 when there is none. */
    int index(String name) {
        Sh.Result r = Sh.run(List.of("ip", "-n", ns, "-o", "link", "show", name), 30);
        return r.ok() ? Integer.parseInt(r.out().strip().split(":")[0]) : -1;
    }

    static String ids(String net, String ep) {
        return "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + ep + "\"}";
    }

    void createEndpoint(UnixHttpClient c, String net, String ep, String address) throws Exception {
        UnixHttpClient.Reply r = c.post(
                "/NetworkDriver.CreateEndpoint",
                "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + ep + "\",\"Interface\":{\"Address\":\"" + address
                        + "\"}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void anotherWorkloadsVethIsNeverDeletedNorReplaced() throws Exception {
        String prefix =
                Long.toHexString(0x10000000000L + ThreadLocalRandom.current().nextLong(0xeffffffffffL));
        String victim = "cali" + prefix; // as a CNI pod's or a javactl container's host end is named
        String victimPeer = "vic" + prefix.substring(0, 8);
        String net = PluginFixture.dockerId();
        String crafted = prefix + PluginFixture.dockerId().substring(11); // shares the victim's 11 characters
        sh("ip", "-n", ns, "link", "add", victim, "type", "veth", "peer", "name", victimPeer);
        int before = index(victim);
        assertThat(before).isPositive();
        store.put(keys.profileRules(net), "{}");
        try (UnixHttpClient c = new UnixHttpClient(server.socket())) {
            // the short id of the review: no longer a valid request at all
            for (String call : List.of("Leave", "DeleteEndpoint", "Join")) {
                UnixHttpClient.Reply r = c.post("/NetworkDriver." + call, ids(net, prefix));
                assertThat(r.status()).as(call + ": " + r.body()).isEqualTo(400);
                assertThat(r.body()).startsWith("{\"Err\":").contains("is not a Docker endpoint id");
            }
            // a well-formed id with no endpoint record of this driver: nothing to do, nothing touched
            assertThat(c.post("/NetworkDriver.Leave", ids(net, crafted)).status())
                    .isEqualTo(200);
            assertThat(c.post("/NetworkDriver.DeleteEndpoint", ids(net, crafted))
                            .status())
                    .isEqualTo(200);
            assertThat(index(victim))
                    .as("victim after Leave/DeleteEndpoint without a record")
                    .isEqualTo(before);

            // with a record made through CreateEndpoint: Join refuses to replace it, Leave and DeleteEndpoint leave it
            createEndpoint(c, net, crafted, "10.87.200.1/32");
            UnixHttpClient.Reply join = c.post("/NetworkDriver.Join", ids(net, crafted));
            assertThat(join.status()).as(join.body()).isEqualTo(500);
            assertThat(join.body())
                    .startsWith("{\"Err\":\"interface " + victim + " exists and was not made by calico-java");
            assertThat(index(victim)).as("victim after a crafted Join").isEqualTo(before);
            assertThat(index("temp" + prefix)).as("no pair made").isEqualTo(-1);
            assertThat(c.post("/NetworkDriver.Leave", ids(net, crafted)).status())
                    .isEqualTo(200);
            assertThat(index(victim)).as("victim after a crafted Leave").isEqualTo(before);
            assertThat(c.post("/NetworkDriver.DeleteEndpoint", ids(net, crafted))
                            .status())
                    .isEqualTo(200);
            assertThat(index(victim))
                    .as("victim after a crafted DeleteEndpoint")
                    .isEqualTo(before);
            assertThat(sh("ip", "-n", ns, "link", "show", victim)).contains(victim + "@" + victimPeer);
            assertThat(store.get(keys.endpoint(HOST, "libnetwork", "libnetwork", crafted)))
                    .as("the crafted record itself is removed")
                    .isEmpty();
        } finally {
            Sh.run(List.of("ip", "-n", ns, "link", "del", victim), 30);
        }
    }

    @Test
    void aStalePairOfTheSameEndpointIsReplacedAndDockersRetriesSucceed() throws Exception {
        String net = PluginFixture.dockerId();
        String ep = PluginFixture.dockerId();
        String hostIf = NetworkDriver.hostInterface(ep);
        String tempIf = NetworkDriver.tempInterface(ep);
        store.put(keys.profileRules(net), "{}");
        try (UnixHttpClient c = new UnixHttpClient(server.socket())) {
            createEndpoint(c, net, ep, "10.87.200.2/32");
            assertThat(c.post("/NetworkDriver.Join", ids(net, ep)).status()).isEqualTo(200);
            int first = index(hostIf);
            assertThat(sh("ip", "-n", ns, "link", "show", hostIf))
                    .as("tagged with the full endpoint id")
                    .contains("alias " + NetworkDriver.tag(ep));
            // the earlier pair is still there (a Leave that never came): this endpoint's own, so it is replaced
            assertThat(c.post("/NetworkDriver.Join", ids(net, ep)).status()).isEqualTo(200);
            int second = index(hostIf);
            assertThat(second).isPositive().isNotEqualTo(first);
            assertThat(sh("ip", "-n", ns, "link", "show", hostIf)).contains(hostIf + "@" + tempIf);

            assertThat(c.post("/NetworkDriver.Leave", ids(net, ep)).status()).isEqualTo(200);
            assertThat(index(hostIf)).isEqualTo(-1);
            assertThat(index(tempIf)).isEqualTo(-1);
            assertThat(c.post("/NetworkDriver.Leave", ids(net, ep)).status()).isEqualTo(200);
            assertThat(c.post("/NetworkDriver.DeleteEndpoint", ids(net, ep)).status())
                    .isEqualTo(200);
            assertThat(store.get(keys.endpoint(HOST, "libnetwork", "libnetwork", ep)))
                    .isEmpty();
            assertThat(c.post("/NetworkDriver.DeleteEndpoint", ids(net, ep)).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void deleteEndpointRemovesItsOwnLeftoverVeth() throws Exception {
        String net = PluginFixture.dockerId();
        String ep = PluginFixture.dockerId();
        String hostIf = NetworkDriver.hostInterface(ep);
        store.put(keys.profileRules(net), "{}");
        try (UnixHttpClient c = new UnixHttpClient(server.socket())) {
            createEndpoint(c, net, ep, "10.87.200.3/32");
            assertThat(c.post("/NetworkDriver.Join", ids(net, ep)).status()).isEqualTo(200);
            assertThat(index(hostIf)).isPositive();
            assertThat(c.post("/NetworkDriver.DeleteEndpoint", ids(net, ep)).status())
                    .isEqualTo(200);
            assertThat(index(hostIf))
                    .as("its own veth, left by a missing Leave")
                    .isEqualTo(-1);
        }
    }
}
