package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.netlink.Address;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.RouteFilter;
import org.calicojava.netlink.WorkloadInterface;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The CNI spec per command, driven as the spec's own examples do (environment + stdin) against the real plugins in
 * a namespace standing for the host: VERSION, ADD (result shape of 1.0.0 and of 0.3.1), CHECK, retried ADD, DEL twice,
 * host-local as IPAM, STATUS and GC (1.1.0), and bad input (missing type, unknown cniVersion, bad JSON, a missing netns, an exhausted pool),
 * each answered with the spec's error JSON and nothing left behind: no veth, no address, no etcd key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CniConformanceIT {
    CniHost host;

    @BeforeAll
    void setUp() throws Exception {
        host = new CniHost();
        host.pool("10.91.0.0/16", 0);
    }

    @AfterAll
    void tearDown() {
        if (host != null) {
            host.close();
        }
    }

    static String hostIf(String id, String ifname) {
        return WorkloadInterface.hostName(
                NetworkPlugin.endpointId(new CniEnv("ADD", id, "/x", ifname, Map.of(), List.of())));
    }

    /** calico-java-ipam's handle of an attachment. */
    static String handle(String id, String ifname) {
        return CalicoIpam.handle(new CniEnv("DEL", id, "", ifname, Map.of(), List.of()));
    }

    @Test
    void versionListsTheSupportedVersions() {
        CniHost.Call c = host.call("calico-java-cni", "VERSION", "", null, "", "{\"cniVersion\":\"0.4.0\"}");
        assertThat(c.rc()).as(c.toString()).isZero();
        assertThat(c.json().get("cniVersion").asText()).isEqualTo("0.4.0");
        assertThat(c.json().get("supportedVersions"))
                .extracting(JsonNode::asText)
                .contains("0.3.0", "0.3.1", "0.4.0", "1.0.0");
        CniHost.Call ipam = host.call("calico-java-ipam", "VERSION", "", null, "", "{\"cniVersion\":\"1.0.0\"}");
        assertThat(ipam.json().get("supportedVersions"))
                .extracting(JsonNode::asText)
                .contains("1.0.0");
    }

    @Test
    void addCheckRetryDel() {
        Path ns = host.container("a");
        String id = "conform" + host.sfx;
        String conf = host.conf("1.0.0", "");
        CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf);
        assertThat(add.rc()).as(add.toString()).isZero();
        JsonNode r = add.json();
        assertResultShape(r, ns);
        String address = r.get("ips").get(0).get("address").asText();
        String hostIf = hostIf(id, "eth0");
        assertThat(r.get("interfaces").get(0).get("name").asText()).isEqualTo(hostIf);

        Link veth = host.hostLink(hostIf).orElseThrow();
        assertThat(veth.mac()).isEqualTo(WorkloadInterface.HOST_MAC_ADDRESS);
        assertThat(veth.isUp()).isTrue();
        assertThat(host.inHost("cat", "/proc/sys/net/ipv4/conf/" + hostIf + "/proxy_arp")
                        .trim())
                .isEqualTo("1");
        try (Netlink c = NetNs.openAt(ns)) {
            Link eth0 = c.link("eth0").orElseThrow();
            assertThat(c.addresses(2).stream()
                            .filter(a -> a.ifindex() == eth0.index())
                            .map(Address::prefix))
                    .contains(IpPrefix.parse(address));
            assertThat(c.routes(RouteFilter.main()).stream()
                            .filter(rt -> rt.dst().length() == 0)
                            .map(Route::toString))
                    .anyMatch(s -> s.contains(WorkloadInterface.GATEWAY_V4));
        }
        List<WorkloadEndpoint> eps = host.endpoints().stream()
                .filter(kv -> kv.key().contains("/workload/cni/" + id + "/endpoint/"))
                .map(kv -> Json.read(kv.value(), WorkloadEndpoint.class))
                .toList();
        assertThat(eps).hasSize(1);
        assertThat(eps.get(0).name()).isEqualTo(hostIf);
        assertThat(eps.get(0).profileIds()).containsExactly(CniHost.NETWORK);
        assertThat(eps.get(0).ipv4Nets()).containsExactly(Cidr.parse(address));
        assertThat(host.store.get(host.keys.profileRules(CniHost.NETWORK))).isPresent();
        assertThat(host.store.get(host.keys.ipamHandle(handle(id, "eth0")))).isPresent();

        String withPrev = host.conf("1.0.0", ",\"prevResult\":" + r);
        CniHost.Call check = host.call("calico-java-cni", "CHECK", id, ns, "eth0", withPrev);
        assertThat(check.rc()).as(check.toString()).isZero();
        assertThat(check.out()).isEmpty();

        CniHost.Call again = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf);
        assertThat(again.rc()).as("a retried ADD succeeds: " + again).isZero();
        assertThat(again.json().get("ips").get(0).get("address").asText()).isEqualTo(address);
        assertThat(host.caliLinks()).containsOnlyOnce(hostIf);

        try (Netlink c = NetNs.openAt(ns)) {
            c.deleteLink("eth0"); // the host end goes with it: CHECK must notice
        }
        CniHost.Call broken = host.call("calico-java-cni", "CHECK", id, ns, "eth0", withPrev);
        assertThat(broken.rc()).isNotZero();
        assertThat(broken.json().get("code").asInt()).isEqualTo(CniException.CHECK_FAILED);

        for (int i = 0; i < 2; i++) {
            CniHost.Call del = host.call("calico-java-cni", "DEL", id, ns, "eth0", conf);
            assertThat(del.rc()).as("DEL #" + (i + 1) + ": " + del).isZero();
            assertThat(del.out()).isEmpty();
        }
        assertNothingLeft(id, "eth0");
    }

    /**
     * The one-shot path's class-data-sharing archive is this JVM's own ({@code calico-java-cni-<JVM directory>.jsa},
     * recorded by an ADD when missing): a later call's main class comes from it, not from the jar.
     */
    @Test
    void aCallAfterAnAddRunsFromThisJvmsArchive() throws Exception {
        Path ns = host.container("cds");
        String id = "cds" + host.sfx;
        String conf = host.conf("1.0.0", "");
        CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf);
        assertThat(add.rc()).as(add.toString()).isZero();
        assertThat(host.call("calico-java-cni", "DEL", id, ns, "eth0", conf).rc())
                .isZero();
        String jvm = org.calicojava.testing.JvmName.ofJavaOnPath();
        org.junit.jupiter.api.Assumptions.assumeTrue(jvm != null, "java on the PATH is not a JDK's: no archive");
        assertThat(CniHost.REPO.resolve("cni-plugin/target/calico-java-cni-" + jvm + ".jsa"))
                .as("this JVM's archive")
                .exists();
        Path dir = Files.createTempDirectory("cni-classes");
        try {
            Path log = dir.resolve("classes.log");
            CniHost.Call v = host.call(
                    "calico-java-cni",
                    "VERSION",
                    "",
                    null,
                    "",
                    "{\"cniVersion\":\"1.0.0\"}",
                    Map.of("CALICO_JAVA_CNI_JAVA_OPTS", "-Xlog:class+load=info:file=" + log));
            assertThat(v.rc()).as(v.toString()).isZero();
            assertThat(v.json().get("cniVersion").asText()).isEqualTo("1.0.0");
            assertThat(Files.readAllLines(log))
                    .as("where CniMain came from")
                    .anyMatch(l -> l.matches(
                            ".*\\[class,load\\] org\\.calicojava\\.cni\\.CniMain source: shared objects file.*"));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void oldVersionsGetTheirResultShape() {
        Path ns = host.container("old");
        String id = "old" + host.sfx;
        String conf = host.conf("0.3.1", "");
        CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf);
        assertThat(add.rc()).as(add.toString()).isZero();
        assertThat(add.json().get("cniVersion").asText()).isEqualTo("0.3.1");
        assertThat(add.json().get("ips").get(0).get("version").asText()).isEqualTo("4");
        CniHost.Call check = host.call("calico-java-cni", "CHECK", id, ns, "eth0", conf);
        assertThat(check.json().get("code").asInt())
                .as("CHECK needs 0.4.0")
                .isEqualTo(CniException.INCOMPATIBLE_VERSION);
        assertThat(host.call("calico-java-cni", "DEL", id, ns, "eth0", conf).rc())
                .isZero();
        assertNothingLeft(id, "eth0");
    }

    @Test
    void hostLocalIpamIsExecutedFromCniPath() throws Exception {
        Path ns = host.container("hl");
        String id = "hostlocal" + host.sfx;
        Path data = host.tmp.resolve("host-local");
        String conf = host.conf(
                "1.0.0",
                ",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + data
                        + "\",\"ranges\":[[{\"subnet\":\"10.92.0.0/24\"}]]}");
        CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf);
        assertThat(add.rc()).as(add.toString()).isZero();
        String address = add.json().get("ips").get(0).get("address").asText();
        assertThat(address).startsWith("10.92.0.").endsWith("/32");
        assertThat(Files.exists(data.resolve(CniHost.NETWORK).resolve(address.replace("/32", ""))))
                .isTrue();
        assertThat(host.call("calico-java-cni", "DEL", id, ns, "eth0", conf).rc())
                .isZero();
        assertThat(Files.exists(data.resolve(CniHost.NETWORK).resolve(address.replace("/32", ""))))
                .isFalse();
        assertNothingLeft(id, "eth0");
    }

    @Test
    void badInputGetsTheSpecsErrorsAndLeavesNothing() {
        Path ns = host.container("bad");
        String id = "bad" + host.sfx;
        String good = host.conf("1.0.0", "");
        expectError(id, ns, good.replace("\"type\":\"calico-java-cni\",", ""), CniException.INVALID_CONFIG);
        expectError(id, ns, good.replace("\"1.0.0\"", "\"9.9.9\""), CniException.INCOMPATIBLE_VERSION);
        expectError(id, ns, "{\"cniVersion\": \"1.0.0\", name", CniException.DECODE_FAILURE);
        expectError(id, Path.of("/var/run/netns/cnt-no-such-ns-" + host.sfx), good, CniException.UNKNOWN_CONTAINER);
        CniHost.Call noCommand = host.call("calico-java-cni", "", id, ns, "eth0", good);
        assertThat(noCommand.json().get("code").asInt()).isEqualTo(CniException.INVALID_ENVIRONMENT);
        assertThat(host.call("calico-java-cni", "DEL", id, ns, "eth0", good).rc())
                .as("DEL after a failed ADD")
                .isZero();
    }

    @Test
    void anExhaustedPoolFailsCleanly() {
        host.pool("10.93.0.0/31", 31);
        String conf = host.conf("1.0.0", ",\"ipam\":{\"type\":\"calico-java-ipam\",\"ipv4_pools\":[\"10.93.0.0/31\"]}");
        for (String n : List.of("x1", "x2")) {
            CniHost.Call add = host.call("calico-java-cni", "ADD", n + host.sfx, host.container(n), "eth0", conf);
            assertThat(add.rc()).as(add.toString()).isZero();
        }
        Path ns = host.container("x3");
        String id = "x3" + host.sfx;
        CniHost.Call third = expectError(id, ns, conf, CniException.POOL_EXHAUSTED);
        assertThat(third.json().get("msg").asText()).contains("exhausted");
        for (String n : List.of("x1", "x2")) {
            assertThat(host.call(
                                    "calico-java-cni",
                                    "DEL",
                                    n + host.sfx,
                                    NetNs.path("cnt" + host.sfx + "c" + n),
                                    "eth0",
                                    conf)
                            .rc())
                    .isZero();
            assertNothingLeft(n + host.sfx, "eth0");
        }
    }

    @Test
    void statusAndGcOfVersion110() {
        String conf = host.conf("1.1.0", "");
        CniHost.Call status = host.call("calico-java-cni", "STATUS", "", null, "", conf);
        assertThat(status.rc()).as(status.toString()).isZero();
        String deadEtcd = conf.replace(host.etcdInside, "http://127.0.0.1:1");
        CniHost.Call down = host.call("calico-java-cni", "STATUS", "", null, "", deadEtcd);
        assertThat(down.json().get("code").asInt()).as(down.toString()).isEqualTo(CniException.NOT_AVAILABLE);

        for (String n : List.of("g1", "g2")) {
            CniHost.Call add = host.call("calico-java-cni", "ADD", n + host.sfx, host.container(n), "eth0", conf);
            assertThat(add.rc()).as(add.toString()).isZero();
            assertThat(add.json().get("cniVersion").asText()).isEqualTo("1.1.0");
        }
        String gc = host.conf(
                "1.1.0",
                ",\"cni.dev/valid-attachments\":[{\"containerID\":\"g1" + host.sfx + "\",\"ifname\":\"eth0\"}]");
        CniHost.Call collected = host.call("calico-java-cni", "GC", "", null, "", gc);
        assertThat(collected.rc()).as(collected.toString()).isZero();
        assertNothingLeft("g2" + host.sfx, "eth0");
        assertThat(host.caliLinks()).contains(hostIf("g1" + host.sfx, "eth0"));
        assertThat(host.store.get(host.keys.ipamHandle(handle("g1" + host.sfx, "eth0"))))
                .isPresent();
        assertThat(host.call("calico-java-cni", "DEL", "g1" + host.sfx, null, "eth0", conf)
                        .rc())
                .isZero();
        assertNothingLeft("g1" + host.sfx, "eth0");
    }

    private CniHost.Call expectError(String id, Path ns, String conf, int code) {
        CniHost.Call c = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf);
        assertThat(c.rc()).as(c.toString()).isNotZero();
        JsonNode e = c.json();
        assertThat(e.get("code").asInt()).as(c.toString()).isEqualTo(code);
        assertThat(e.get("msg").asText()).isNotBlank();
        assertThat(e.get("cniVersion").asText()).isNotBlank();
        assertNothingLeft(id, "eth0");
        if (Files.exists(ns)) {
            try (Netlink c2 = NetNs.openAt(ns)) {
                assertThat(c2.links()).extracting(Link::name).containsOnly("lo");
            }
        }
        return c;
    }

    void assertNothingLeft(String id, String ifname) {
        assertThat(host.caliLinks()).doesNotContain(hostIf(id, ifname));
        assertThat(host.endpoints()).noneMatch(kv -> kv.key().contains("/workload/cni/" + id + "/"));
        assertThat(host.store.get(host.keys.ipamHandle(handle(id, ifname)))).isEmpty();
    }

    static void assertResultShape(JsonNode r, Path ns) {
        assertThat(r.get("cniVersion").asText()).isEqualTo("1.0.0");
        JsonNode ifaces = r.get("interfaces");
        assertThat(ifaces.isArray()).isTrue();
        for (JsonNode i : ifaces) {
            assertThat(i.get("name").isTextual()).isTrue();
            assertThat(i.get("mac").asText()).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}");
        }
        assertThat(ifaces.get(0).has("sandbox"))
                .as("the host end has no sandbox")
                .isFalse();
        assertThat(ifaces.get(1).get("sandbox").asText()).isEqualTo(ns.toString());
        assertThat(r.get("ips").size()).isGreaterThan(0);
        for (JsonNode ip : r.get("ips")) {
            assertThat(ip.has("version")).as("1.0.0 has no version in ips").isFalse();
            Cidr.parse(ip.get("address").asText(), true);
            assertThat(ip.get("interface").asInt()).isBetween(0, ifaces.size() - 1);
            assertThat(ifaces.get(ip.get("interface").asInt()).has("sandbox")).isTrue();
            Cidr.host(ip.get("gateway").asText());
        }
        for (JsonNode rt : r.get("routes")) {
            Cidr.parse(rt.get("dst").asText(), true);
            Cidr.host(rt.get("gw").asText());
        }
    }
}
