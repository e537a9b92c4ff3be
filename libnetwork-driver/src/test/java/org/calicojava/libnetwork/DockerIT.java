package org.calicojava.libnetwork;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.ipam.AllocationBlock;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.netlink.NetNs;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.testing.Sh;
import org.calicojava.testing.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The driver with a real Docker engine: dockerd, the driver ({@code bin/calico-java-libnetwork}) and felix-agent
 * ({@code bin/felix-agent}) all run inside one test namespace (a simulated host), reaching the test's etcd through
 * a forwarder on the namespace's loopback. Containers are busybox-static, imported locally.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerIT {
    static final String HOST = "dock-host";
    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    final Keys keys = new Keys("/cj-dock-" + Long.toHexString(System.nanoTime()));
    DockerHost host;
    TcpProxy forwarder;
    JetcdStore store;
    String etcd;
    final Map<String, String> networks = new HashMap<>();

    @BeforeAll
    void setUp() throws Exception {
        Sh.require(
                "dockerd",
                DockerHost.DOCKER,
                "/bin/busybox",
                "nsenter",
                "containerd",
                "runc",
                "ip",
                "tar",
                "iptables-restore",
                "ipset");
        etcd = System.getenv("ETCD_ENDPOINTS");
        assertThat(etcd)
                .as("ETCD_ENDPOINTS (start etcd with scripts/lib/etcd.sh)")
                .isNotBlank();
        for (String jar : List.of("libnetwork-driver/target", "felix-agent/target")) {
            try (var s = Files.list(REPO.resolve(jar))) {
                assertThat(s.anyMatch(p -> p.toString().endsWith("-SNAPSHOT.jar")))
                        .as(jar + " has no jar: build it first (mvn -f " + jar.split("/")[0] + "/pom.xml package)")
                        .isTrue();
            }
        }
        store = new JetcdStore(EtcdConfig.of(etcd));
        store.put(keys.pool(Cidr.parse("10.77.0.0/16")), "{\"cidr\":\"10.77.0.0/16\"}");
        store.put(keys.pool(Cidr.parse("10.78.0.0/31")), "{\"cidr\":\"10.78.0.0/31\",\"block_size\":31}");
        store.put(keys.pool(Cidr.parse("fd00:77::/64")), "{\"cidr\":\"fd00:77::/64\"}");
        store.put(keys.felixConfig("IptablesRefreshInterval"), "5");
        host = new DockerHost();
        try {
            host.createNetwork();
            URI first = EtcdConfig.parseEndpoints(etcd).get(0);
            forwarder = new TcpProxy(
                    port -> NetNs.run(host.ns, () -> TcpProxy.loopback(port)),
                    new InetSocketAddress(first.getHost(), first.getPort()));
            String inside = "http://127.0.0.1:" + forwarder.port();
            Path socket = host.tmp.resolve("calico-java.sock");
            host.startInNamespace(
                    "driver",
                    List.of(
                            REPO.resolve("bin/calico-java-libnetwork").toString(),
                            "--hostname",
                            HOST,
                            "--socket",
                            socket.toString(),
                            "--etcd-endpoints",
                            inside,
                            "--etcd-prefix",
                            keys.root()));
            host.startInNamespace(
                    "felix",
                    List.of(
                            REPO.resolve("bin/felix-agent").toString(),
                            "--hostname",
                            HOST,
                            "--etcd-endpoints",
                            inside,
                            "--etcd-prefix",
                            keys.root()));
            assertThat(Sh.waitFor(60, () -> Files.exists(socket)))
                    .as("driver socket; driver log:\n" + host.log("driver", 20))
                    .isNotNegative();
            host.registerPlugin("calico-java", socket);
            host.startDockerd();
            host.importBusybox();
        } catch (Exception | AssertionError e) {
            tearDown();
            throw e;
        }
    }

    @AfterAll
    void tearDown() {
        try {
            if (host != null) {
                System.err.println("driver log:\n" + host.log("driver", 60) + "\nfelix log:\n" + host.log("felix", 30));
                host.close();
            }
        } finally {
            if (forwarder != null) {
                forwarder.close();
            }
            if (store != null) {
                store.deletePrefix(keys.root() + "/");
                store.close();
            }
        }
    }

    String ok(String... args) {
        Sh.Result r = host.docker(args);
        assertThat(r.ok())
                .as("docker " + String.join(" ", args) + ": " + r + "\ndriver log:\n" + host.log("driver", 20))
                .isTrue();
        return r.out();
    }

    String inspect(String container, String field) {
        return ok("inspect", "-f", "{{range .NetworkSettings.Networks}}{{." + field + "}}{{end}}", container);
    }

    List<WorkloadEndpoint> endpoints() {
        return store.list(keys.workloads(HOST)).kvs().stream()
                .map(kv -> Json.read(kv.value(), WorkloadEndpoint.class))
                .toList();
    }

    @Test
    @Order(1)
    void networkCreateMakesAProfileNamedAfterTheNetwork() {
        for (String n : List.of("net1", "net2")) {
            String id = ok("network", "create", "-d", "calico-java", "--ipam-driver", "calico-java", n);
            networks.put(n, id);
            assertThat(store.get(keys.profileRules(id))).as("profile of " + n).isPresent();
            assertThat(store.get(keys.profileTags(id)).orElseThrow().value()).isEqualTo("[\"" + id + "\"]");
        }
    }

    @Test
    @Order(2)
    void containersGetPoolAddressesEndpointsAndVeths() {
        ok("run", "-d", "--name", "c1", "--net", "net1", "cj-busybox", "sleep", "3600");
        ok("run", "-d", "--name", "c2", "--net", "net1", "cj-busybox", "sleep", "3600");
        ok("run", "-d", "--name", "c3", "--net", "net2", "cj-busybox", "sleep", "3600");
        Cidr pool = Cidr.parse("10.77.0.0/16");
        Ipam ipam = new Ipam(store, keys);
        for (String c : List.of("c1", "c2", "c3")) {
            Cidr ip = Cidr.host(inspect(c, "IPAddress"));
            assertThat(pool.contains(ip)).as(c + " address " + ip).isTrue();
            assertThat(ipam.info(ip).assigned()).isTrue();
            assertThat(ipam.info(ip).blockHost()).isEqualTo(HOST);
            String ep = inspect(c, "EndpointID");
            String iface = "cali" + ep.substring(0, 11);
            WorkloadEndpoint w = Json.read(
                    store.get(keys.endpoint(HOST, "libnetwork", "libnetwork", ep))
                            .orElseThrow()
                            .value(),
                    WorkloadEndpoint.class);
            assertThat(w.ipv4Nets()).containsExactly(ip);
            assertThat(w.name()).isEqualTo(iface);
            assertThat(w.mac()).isEqualTo("ee:ee:ee:ee:ee:ee");
            assertThat(w.profileIds()).containsExactly(networks.get(c.equals("c3") ? "net2" : "net1"));
            assertThat(host.inNs("ip", "link", "show", iface).out())
                    .contains("link/ether ee:ee:ee:ee:ee:ee")
                    .contains("UP");
            assertThat(host.inNs("cat", "/proc/sys/net/ipv4/conf/" + iface + "/proxy_arp")
                            .out())
                    .isEqualTo("1");
            assertThat(ok("exec", c, "ip", "route"))
                    .contains("default via 169.254.1.1 dev eth0")
                    .contains("169.254.1.1 dev eth0");
            assertThat(ok("exec", c, "ip", "addr", "show", "eth0")).contains("inet " + ip.ip() + "/32");
        }
        assertThat(endpoints()).hasSize(3);
        String shown = Sh.ok(
                List.of(
                        REPO.resolve("bin/javactl").toString(),
                        "--etcd-endpoints",
                        etcd,
                        "--etcd-prefix",
                        keys.root(),
                        "endpoint",
                        "show",
                        "--detailed"),
                60);
        assertThat(shown)
                .contains(inspect("c1", "IPAddress"))
                .contains(inspect("c2", "IPAddress"))
                .contains("libnetwork");
    }

    @Test
    @Order(3)
    void membersOfANetworkPingEachOtherAndOtherNetworksCannotReachThem() {
        String ip1 = inspect("c1", "IPAddress");
        String ip2 = inspect("c2", "IPAddress");
        String ip3 = inspect("c3", "IPAddress");
        assertThat(Sh.waitFor(90, () -> host.inNs("ip", "route").out().contains(ip2 + " dev cali")))
                .as("felix-agent programs workload routes; felix log:\n" + host.log("felix", 30))
                .isNotNegative();
        assertThat(Sh.waitFor(
                        90,
                        () -> host.docker("exec", "c1", "ping", "-c", "1", "-W", "2", ip2)
                                .ok()))
                .as("c1 pings c2 on net1; felix log:\n" + host.log("felix", 30))
                .isNotNegative();
        assertThat(host.docker("exec", "c2", "ping", "-c", "1", "-W", "2", ip1).ok())
                .as("c2 pings c1")
                .isTrue();
        assertThat(host.inNs("ip", "route").out()).contains(ip3 + " dev cali");
        Sh.Result blocked = host.docker("exec", "c3", "ping", "-c", "2", "-W", "2", ip1);
        assertThat(blocked.ok())
                .as("c3 (net2) must not reach c1 (net1): " + blocked)
                .isFalse();
        assertThat(blocked.out()).contains("0 packets received");
        assertThat(host.docker("exec", "c1", "ping", "-c", "2", "-W", "2", ip3).ok())
                .as("c1 -> c3")
                .isFalse();
    }

    @Test
    @Order(4)
    void ipv6ContainersRouteThroughTheHostVethsLinkLocalAddress() {
        ok("network", "create", "--ipv6", "-d", "calico-java", "--ipam-driver", "calico-java", "net6");
        ok("run", "-d", "--name", "v1", "--net", "net6", "cj-busybox", "sleep", "3600");
        ok("run", "-d", "--name", "v2", "--net", "net6", "cj-busybox", "sleep", "3600");
        Cidr pool6 = Cidr.parse("fd00:77::/64");
        String v6a = inspect("v1", "GlobalIPv6Address");
        String v6b = inspect("v2", "GlobalIPv6Address");
        assertThat(pool6.contains(Cidr.host(v6a))).as("v1 address " + v6a).isTrue();
        assertThat(pool6.contains(Cidr.host(v6b))).as("v2 address " + v6b).isTrue();
        assertThat(Cidr.parse("10.77.0.0/16").contains(Cidr.host(inspect("v1", "IPAddress"))))
                .isTrue();
        String iface = "cali" + inspect("v1", "EndpointID").substring(0, 11);
        assertThat(host.inNs("ip", "-6", "addr", "show", "dev", iface).out())
                .contains("inet6 fe80::ecee:eeff:feee:eeee/64");
        assertThat(ok("exec", "v1", "ip", "-6", "route")).contains("default via fe80::ecee:eeff:feee:eeee dev eth0");
        assertThat(Sh.waitFor(
                        90,
                        () -> host.docker("exec", "v1", "ping6", "-c", "1", "-W", "2", v6b)
                                .ok()))
                .as("v1 pings v2 over IPv6; felix log:\n" + host.log("felix", 20))
                .isNotNegative();
        ok("rm", "-f", "v1", "v2");
        ok("network", "rm", "net6");
        assertThat(new Ipam(store, keys).blocks(6)).allMatch(AllocationBlock::isEmpty);
    }

    @Test
    @Order(5)
    void badRequestsGiveDockerUsersTheReason() {
        Sh.Result r = host.docker(
                "network",
                "create",
                "-d",
                "calico-java",
                "--ipam-driver",
                "calico-java",
                "--subnet",
                "10.99.0.0/16",
                "nopool");
        assertThat(r.ok()).isFalse();
        assertThat(r.err()).contains("subnet 10.99.0.0/16 does not match any calico-java IP pool");
        ok(
                "network",
                "create",
                "-d",
                "calico-java",
                "--ipam-driver",
                "calico-java",
                "--subnet",
                "10.78.0.0/31",
                "small");
        ok("run", "-d", "--name", "s1", "--net", "small", "cj-busybox", "sleep", "3600");
        ok("run", "-d", "--name", "s2", "--net", "small", "cj-busybox", "sleep", "3600");
        Sh.Result full = host.docker("run", "-d", "--name", "s3", "--net", "small", "cj-busybox", "sleep", "3600");
        assertThat(full.ok()).isFalse();
        assertThat(full.err()).contains("IP pool 10.78.0.0/31 exhausted");
        assertThat(endpoints()).hasSize(5); // c1-c3, s1, s2: nothing left of s3
        ok("rm", "-f", "s1", "s2", "s3");
        ok("network", "rm", "small");
    }

    @Test
    @Order(6)
    void removingContainersAndNetworksLeavesNothingBehind() {
        ok("rm", "-f", "c1", "c2", "c3");
        ok("network", "rm", "net1", "net2");
        assertThat(host.inNs("ip", "-o", "link").out()).doesNotContain("cali").doesNotContain("temp");
        assertThat(endpoints()).isEmpty();
        assertThat(store.list(keys.profiles()).kvs()).isEmpty();
        for (AllocationBlock b : new Ipam(store, keys).blocks(4)) {
            assertThat(b.isEmpty())
                    .as("block " + b.cidr() + " still has addresses")
                    .isTrue();
        }
        assertThat(store.list(keys.ipamHandles()).kvs()).isEmpty();
    }
}
