package org.calicojava.libnetwork;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.netlink.NetNs;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The driver's HTTP API on a real unix socket, with a real etcd and real veths in a test namespace (the driver is
 * given the namespace it acts in), requests written as Docker writes them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginSocketIT {
    static final String HOST = "sock-host";
    final String ns = "cj-lnd-"
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
        store.put(keys.pool(Cidr.parse("10.88.0.0/16")), "{\"cidr\":\"10.88.0.0/16\"}");
        NetNs.create(ns);
        dataplane = new NetlinkDataplane(ns);
        dir = Files.createTempDirectory("cj-lnd");
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

    UnixHttpClient client() throws Exception {
        return new UnixHttpClient(server.socket());
    }

    static JsonNode ok(UnixHttpClient c, String path, String body) throws Exception {
        UnixHttpClient.Reply r = c.post(path, body);
        assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(200);
        return Json.read(r.body(), JsonNode.class);
    }

    static String sh(String... cmd) {
        return Sh.ok(List.of(cmd), 30).strip();
    }

    @Test
    void speaksDockersPluginProtocolOnOneKeptAliveConnection() throws Exception {
        try (UnixHttpClient c = client()) {
            UnixHttpClient.Reply r = c.post("/Plugin.Activate", "");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers().get("content-type")).isEqualTo("application/vnd.docker.plugins.v1.1+json");
            assertThat(r.body()).isEqualTo("{\"Implements\":[\"NetworkDriver\",\"IpamDriver\"]}");
            assertThat(ok(c, "/NetworkDriver.GetCapabilities", "null")
                            .get("Scope")
                            .asText())
                    .isEqualTo("local");
            UnixHttpClient.Reply bad = c.post("/NetworkDriver.CreateNetwork", "{\"NetworkID\": nope}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.body()).startsWith("{\"Err\":\"malformed JSON in /NetworkDriver.CreateNetwork");
            assertThat(c.post("/NetworkDriver.Nonsense", "{}").status()).isEqualTo(404);
            assertThat(ok(c, "/IpamDriver.GetDefaultAddressSpaces", "{}")
                            .get("GlobalDefaultAddressSpace")
                            .asText())
                    .isEqualTo("CalicoGlobalAddressSpace");
        }
    }

    @Test
    void aContainersLifeCreatesAndRemovesEverything() throws Exception {
        String net = PluginFixture.dockerId();
        String ep = PluginFixture.dockerId();
        String hostIf = "cali" + ep.substring(0, 11);
        String tempIf = "temp" + ep.substring(0, 11);
        String epReq = "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + ep + "\"}";
        try (UnixHttpClient c = client()) {
            JsonNode pool = ok(
                    c,
                    "/IpamDriver.RequestPool",
                    "{\"AddressSpace\":\"CalicoGlobalAddressSpace\",\"Pool\":"
                            + "\"10.88.0.0/16\",\"Options\":{},\"V6\":false}");
            String poolId = pool.get("PoolID").asText();
            ok(
                    c,
                    "/NetworkDriver.CreateNetwork",
                    "{\"NetworkID\":\"" + net + "\",\"Options\":{},\"IPv4Data\":[{"
                            + "\"AddressSpace\":\"CalicoGlobalAddressSpace\",\"Pool\":\"10.88.0.0/16\",\"Gateway\":\"0.0.0.0/0\"}]}");
            assertThat(store.get(keys.profileRules(net))).isPresent();
            String addr = ok(
                            c,
                            "/IpamDriver.RequestAddress",
                            "{\"PoolID\":\"" + poolId + "\",\"Address\":\"\"," + "\"Options\":{}}")
                    .get("Address")
                    .asText();
            Cidr ip = Cidr.parse(addr);
            assertThat(addr).endsWith("/32");
            assertThat(new Ipam(store, keys).affinities(HOST, 4)).anyMatch(b -> b.contains(ip));
            ok(
                    c,
                    "/NetworkDriver.CreateEndpoint",
                    "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + ep + "\",\"Interface\":{\"Address\":\"" + addr
                            + "\",\"AddressIPv6\":\"\",\"MacAddress\":\"\"},\"Options\":{}}");
            String key = keys.endpoint(HOST, "libnetwork", "libnetwork", ep);
            WorkloadEndpoint w = Json.read(store.get(key).orElseThrow().value(), WorkloadEndpoint.class);
            assertThat(w.ipv4Nets()).containsExactly(ip);
            assertThat(w.name()).isEqualTo(hostIf);

            JsonNode join = ok(c, "/NetworkDriver.Join", epReq.replace("}", ",\"SandboxKey\":\"/x\",\"Options\":{}}"));
            assertThat(join.get("InterfaceName").get("SrcName").asText()).isEqualTo(tempIf);
            String link = sh("ip", "-n", ns, "link", "show", hostIf);
            assertThat(link).contains("link/ether ee:ee:ee:ee:ee:ee").contains(",UP");
            assertThat(sh("ip", "-n", ns, "link", "show", tempIf)).contains(tempIf + "@" + hostIf);
            assertThat(sh(
                            "ip",
                            "netns",
                            "exec",
                            ns,
                            "cat",
                            "/proc/sys/net/ipv4/conf/" + hostIf + "/proxy_arp",
                            "/proc/sys/net/ipv4/neigh/" + hostIf + "/proxy_delay",
                            "/proc/sys/net/ipv4/conf/" + hostIf + "/route_localnet",
                            "/proc/sys/net/ipv4/conf/" + hostIf + "/forwarding"))
                    .isEqualTo("1\n0\n1\n1");
            assertThat(sh(
                            "ip",
                            "netns",
                            "exec",
                            ns,
                            "cat",
                            "/proc/sys/net/ipv6/conf/" + hostIf + "/accept_ra",
                            "/proc/sys/net/ipv6/conf/" + hostIf + "/proxy_ndp"))
                    .isEqualTo("0\n1");
            assertThat(Sh.run(List.of("ip", "link", "show", hostIf), 30).ok())
                    .as("nothing in the host's namespace")
                    .isFalse();

            ok(c, "/NetworkDriver.Leave", epReq);
            assertThat(Sh.run(List.of("ip", "-n", ns, "link", "show", hostIf), 30)
                            .ok())
                    .isFalse();
            assertThat(Sh.run(List.of("ip", "-n", ns, "link", "show", tempIf), 30)
                            .ok())
                    .isFalse();
            ok(c, "/NetworkDriver.DeleteEndpoint", epReq);
            assertThat(store.get(key)).isEmpty();
            ok(c, "/IpamDriver.ReleaseAddress", "{\"PoolID\":\"" + poolId + "\",\"Address\":\"" + ip.ip() + "\"}");
            assertThat(new Ipam(store, keys).info(ip).assigned()).isFalse();
            ok(c, "/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" + net + "\"}");
            assertThat(store.list(keys.profile(net) + "/").kvs()).isEmpty();
        }
    }

    @Test
    void aResentCreateNetworkKeepsTheOperatorsProfile() throws Exception {
        String net = PluginFixture.dockerId();
        String create = "{\"NetworkID\":\"" + net + "\",\"Options\":{},\"IPv4Data\":[{"
                + "\"AddressSpace\":\"CalicoGlobalAddressSpace\",\"Pool\":\"0.0.0.0/0\",\"Gateway\":\"0.0.0.0/0\"}]}";
        String rules = "{\"inbound_rules\":[{\"action\":\"deny\"}],\"outbound_rules\":[{\"action\":\"allow\"}]}";
        try (UnixHttpClient c = client()) {
            ok(c, "/NetworkDriver.CreateNetwork", create);
            store.put(keys.profileRules(net), rules);
            store.put(keys.profileTags(net), "[\"" + net + "\",\"web\"]");
            store.put(keys.profileLabels(net), "{\"tier\":\"front\"}");
            ok(c, "/NetworkDriver.CreateNetwork", create); // e.g. a second engine with --scope global
            assertThat(store.get(keys.profileRules(net)).orElseThrow().value()).isEqualTo(rules);
            assertThat(store.get(keys.profileTags(net)).orElseThrow().value()).isEqualTo("[\"" + net + "\",\"web\"]");
            assertThat(store.get(keys.profileLabels(net)).orElseThrow().value()).isEqualTo("{\"tier\":\"front\"}");
            store.delete(keys.profileLabels(net));
            ok(c, "/NetworkDriver.CreateNetwork", create);
            assertThat(store.get(keys.profileLabels(net)).orElseThrow().value())
                    .as("a missing key is filled in")
                    .isEqualTo("{}");
            assertThat(store.get(keys.profileRules(net)).orElseThrow().value()).isEqualTo(rules);
            ok(c, "/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" + net + "\"}");
        }
    }

    @Test
    void anErrorInAHandlerIsAnErrAndTheConnectionStaysUsable() throws Exception {
        Plugin p = new Plugin(new NetworkDriver(store, keys, HOST, dataplane), new IpamDriver(store, keys, HOST));
        p.routes().put("/NetworkDriver.Join", req -> {
            throw new UnsatisfiedLinkError("libc.so.6: cannot open shared object file");
        });
        try (PluginServer s = new PluginServer(dir.resolve("err.sock"), p);
                UnixHttpClient c = new UnixHttpClient(s.socket())) {
            UnixHttpClient.Reply r = c.post("/NetworkDriver.Join", "{}");
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.body())
                    .isEqualTo("{\"Err\":\"calico-java plugin error in /NetworkDriver.Join: "
                            + "java.lang.UnsatisfiedLinkError: libc.so.6: cannot open shared object file\"}");
            assertThat(c.post("/Plugin.Activate", "").status())
                    .as("the same connection answers the next request")
                    .isEqualTo(200);
        } finally {
            Files.deleteIfExists(dir.resolve("err.sock"));
        }
    }

    @Test
    void concurrentAddressRequestsGetDistinctAddresses() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                fs.add(pool.submit(() -> {
                    try (UnixHttpClient c = client()) {
                        for (int i = 0; i < 5; i++) {
                            seen.add(ok(c, "/IpamDriver.RequestAddress", "{\"PoolID\":\"CalicoPoolIPv4\"}")
                                    .get("Address")
                                    .asText());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(seen).hasSize(20);
        try (UnixHttpClient c = client()) {
            for (String a : seen) {
                ok(
                        c,
                        "/IpamDriver.ReleaseAddress",
                        "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"" + a.split("/")[0] + "\"}");
            }
        }
        for (String a : seen) {
            assertThat(new Ipam(store, keys).info(Cidr.parse(a)).assigned()).isFalse();
        }
    }

    @Test
    void anUnreachableEtcdIsReportedToDocker() throws Exception {
        try (JetcdStore dead = new JetcdStore(EtcdConfig.of("http://127.0.0.1:1"))) {
            Plugin p = new Plugin(new NetworkDriver(dead, keys, HOST, dataplane), new IpamDriver(dead, keys, HOST));
            Plugin.Response r =
                    p.handle("POST", "/IpamDriver.RequestAddress", "{\"PoolID\":\"CalicoPoolIPv4\"}".getBytes());
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.body())
                    .startsWith("{\"Err\":\"calico-java cannot reach etcd: ")
                    .doesNotContain("\\n");
        }
    }
}
