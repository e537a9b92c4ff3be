package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.model.Json;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.netlink.Address;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.WorkloadInterface;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The resident CNI server ({@code calico-java-cni serve}) behind the shim: run inside the test's host namespace, it
 * answers ADD/CHECK/DEL exactly as the one-shot process does (same result JSON, veth, endpoint key), 20 ADDs at once,
 * refuses bad requests with a CNI error JSON and keeps serving; with no server (no socket, or a stale one) the shim
 * runs the plugin in a JVM of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CniServerIT {
    CniHost host;
    Path socket;
    Process server;
    Map<String, String> viaServer;

    @BeforeAll
    void setUp() throws Exception {
        host = new CniHost();
        host.pool("10.95.0.0/16", 0);
        // traversable by others (the temp directory is 0700): the non-root peer of the refusal test must reach it
        Files.setPosixFilePermissions(host.tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        socket = host.tmp.resolve("run/cni.sock");
        viaServer = Map.of("CALICO_JAVA_CNI_SOCKET", socket.toString());
        server = host.startServer(socket, host.tmp.resolve("server.log"));
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            if (server != null) {
                server.destroy();
                if (!server.waitFor(20, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
                assertThat(socket).as("removed by the server on SIGTERM").doesNotExist();
            }
        } finally {
            if (host != null) {
                host.close();
            }
        }
    }

    @Test
    void addCheckDelAsTheOneShotProcess() {
        Path ns = host.container("s");
        String id = "srv" + host.sfx;
        String conf = host.conf("1.0.0", "");
        long before = served("ADD", 0);
        CniHost.Call oneShot = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf);
        assertThat(oneShot.rc()).as(oneShot.toString()).isZero();
        // the same ADD again through the server: a retried ADD, which must answer with the same result
        CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf, viaServer);
        assertThat(add.rc()).as(add.toString()).isZero();
        assertThat(served("ADD", 0)).as("through the server").isEqualTo(before + 1);
        assertThat(withoutContainerMac(add.json())).isEqualTo(withoutContainerMac(oneShot.json()));
        JsonNode r = add.json();
        CniConformanceIT.assertResultShape(r, ns);
        String address = r.get("ips").get(0).get("address").asText();
        String hostIf = CniConformanceIT.hostIf(id, "eth0");
        assertThat(r.get("interfaces").get(0).get("name").asText()).isEqualTo(hostIf);
        Link veth = host.hostLink(hostIf).orElseThrow();
        assertThat(veth.mac()).isEqualTo(WorkloadInterface.HOST_MAC_ADDRESS);
        assertThat(host.caliLinks()).containsOnlyOnce(hostIf);
        try (Netlink c = NetNs.openAt(ns)) {
            Link eth0 = c.link("eth0").orElseThrow();
            assertThat(eth0.mac().toString())
                    .isEqualTo(r.get("interfaces").get(1).get("mac").asText());
            assertThat(c.addresses(2).stream()
                            .filter(a -> a.ifindex() == eth0.index())
                            .map(Address::prefix))
                    .contains(IpPrefix.parse(address));
        }
        List<WorkloadEndpoint> eps = host.endpoints().stream()
                .filter(kv -> kv.key()
                        .endsWith("/workload/cni/" + id + "/endpoint/"
                                + NetworkPlugin.endpointId(new CniEnv("ADD", id, "/x", "eth0", Map.of(), List.of()))))
                .map(kv -> Json.read(kv.value(), WorkloadEndpoint.class))
                .toList();
        assertThat(eps).hasSize(1);
        assertThat(eps.get(0).name()).isEqualTo(hostIf);

        CniHost.Call check = host.call(
                "calico-java-cni", "CHECK", id, ns, "eth0", host.conf("1.0.0", ",\"prevResult\":" + r), viaServer);
        assertThat(check.rc()).as(check.toString()).isZero();
        assertThat(check.out()).isEmpty();
        CniHost.Call badCheck = host.call("calico-java-cni", "CHECK", id, ns, "eth1", conf, viaServer);
        assertThat(badCheck.rc()).as("exit status passed on: " + badCheck).isEqualTo(1);
        assertThat(badCheck.json().get("code").asInt()).isEqualTo(CniException.CHECK_FAILED);
        assertThat(badCheck.err()).as("the plugin's stderr line passed on").contains("failed (code 102)");

        for (int i = 0; i < 2; i++) {
            CniHost.Call del = host.call("calico-java-cni", "DEL", id, ns, "eth0", conf, viaServer);
            assertThat(del.rc()).as("DEL #" + (i + 1) + ": " + del).isZero();
            assertThat(del.out()).isEmpty();
        }
        assertThat(host.caliLinks()).doesNotContain(hostIf);
        assertThat(host.endpoints()).noneMatch(kv -> kv.key().contains("/workload/cni/" + id + "/"));
        assertThat(host.store.get(host.keys.ipamHandle(CniConformanceIT.handle(id, "eth0"))))
                .isEmpty();

        CniHost.Call version =
                host.call("calico-java-ipam", "VERSION", "", null, "", "{\"cniVersion\":\"0.4.0\"}", viaServer);
        assertThat(version.rc()).isZero();
        assertThat(version.out()).isEqualTo(Versions.versionResult("0.4.0").toString());
    }

    private static JsonNode withoutContainerMac(JsonNode r) {
        ObjectNode copy = r.deepCopy();
        ((ObjectNode) copy.get("interfaces").get(1)).remove("mac"); // a retried ADD makes a new veth pair
        return copy;
    }

    @Test
    void twentyParallelAddsThroughTheServer() throws Exception {
        int n = 20;
        String conf = host.conf("1.0.0", "");
        List<Path> nss = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nss.add(host.container("p" + i));
        }
        long before = served("ADD", 0);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<CniHost.Call>> adds = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                adds.add(pool.submit(() -> host.call(
                        "calico-java-cni", "ADD", "spar" + k + host.sfx, nss.get(k), "eth0", conf, viaServer)));
            }
            Set<String> addresses = new HashSet<>();
            for (Future<CniHost.Call> f : adds) {
                CniHost.Call c = f.get();
                assertThat(c.rc()).as(c.toString()).isZero();
                addresses.add(c.json().get("ips").get(0).get("address").asText());
            }
            assertThat(addresses).as("unique addresses").hasSize(n);
            assertThat(served("ADD", 0)).as("all through the server").isEqualTo(before + n);
            assertThat(host.caliLinks()).hasSize(n);
            List<Future<CniHost.Call>> dels = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                dels.add(pool.submit(() -> host.call(
                        "calico-java-cni", "DEL", "spar" + k + host.sfx, nss.get(k), "eth0", conf, viaServer)));
            }
            for (Future<CniHost.Call> f : dels) {
                CniHost.Call c = f.get();
                assertThat(c.rc()).as(c.toString()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(host.caliLinks()).isEmpty();
        assertThat(host.endpoints()).isEmpty();
        assertThat(host.store.list(host.keys.ipamHandles()).kvs()).isEmpty();
    }

    @Test
    void withoutAServerTheShimRunsThePluginItself() throws Exception {
        Path stale = host.tmp.resolve("stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale)); // closed below: a socket file nobody listens on
        }
        String conf = host.conf("1.0.0", "");
        for (Path sock : List.of(host.tmp.resolve("absent.sock"), stale)) {
            Path ns = host.container("f" + sock.getFileName().toString().charAt(0));
            String id = "fall" + sock.getFileName().toString().charAt(0) + host.sfx;
            Map<String, String> env = Map.of("CALICO_JAVA_CNI_SOCKET", sock.toString());
            long before = served("ADD", 0);
            CniHost.Call add = host.call("calico-java-cni", "ADD", id, ns, "eth0", conf, env);
            assertThat(add.rc()).as(add.toString()).isZero();
            CniConformanceIT.assertResultShape(add.json(), ns);
            assertThat(host.caliLinks()).contains(CniConformanceIT.hostIf(id, "eth0"));
            assertThat(served("ADD", 0)).as("not through the server").isEqualTo(before);
            CniHost.Call del = host.call("calico-java-cni", "DEL", id, ns, "eth0", conf, env);
            assertThat(del.rc()).as(del.toString()).isZero();
            assertThat(host.caliLinks()).doesNotContain(CniConformanceIT.hostIf(id, "eth0"));
        }
    }

    @Test
    void badRequestsGetCniErrorsAndTheServerKeepsRunning() throws Exception {
        assertError(http("hello\r\n\r\n"), 400, CniException.DECODE_FAILURE);
        assertError(
                http("POST /v1/nothing HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
                404,
                CniException.INVALID_ENVIRONMENT);
        assertError(
                http("GET /v1/network HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
                405,
                CniException.INVALID_ENVIRONMENT);
        assertError(
                http("POST /v1/network HTTP/1.1\r\nHost: x\r\nCNI_COMMAND: ADD\r\nCNI_COMMAND: DEL\r\n"
                        + "Content-Length: 0\r\nConnection: close\r\n\r\n"),
                400,
                CniException.INVALID_ENVIRONMENT);
        assertError(
                http("POST /v1/network HTTP/1.1\r\nHost: x\r\nCNI_COMMAND: " + "A".repeat(20_000) + "\r\n"
                        + "Content-Length: 0\r\nConnection: close\r\n\r\n"),
                400,
                CniException.INVALID_ENVIRONMENT);
        byte[] latin =
                "POST /v1/network HTTP/1.1\r\nHost: x\r\nCNI_NETNS: /x\u00ff\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1);
        assertError(http(latin), 400, CniException.INVALID_ENVIRONMENT);
        assertError(
                http("POST /v1/network HTTP/1.1\r\nHost: x\r\nCNI_COMMAND: ADD\r\nContent-Length: "
                        + (NetConf.MAX_BYTES + 10) + "\r\nConnection: close\r\n\r\n"
                        + "x".repeat(NetConf.MAX_BYTES + 10)),
                413,
                CniException.DECODE_FAILURE);
        // valid HTTP, invalid CNI: the plugin's own answer with exit status 1
        String r = http("POST /v1/network HTTP/1.1\r\nHost: x\r\nCNI_COMMAND: ADD\r\nCNI_CONTAINERID: ../x\r\n"
                + "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
        assertThat(r).startsWith("HTTP/1.1 200 ").contains("CNI-Exit-Code: 1");
        assertThat(Json.read(body(r), JsonNode.class).get("code").asInt()).isEqualTo(CniException.INVALID_ENVIRONMENT);
        // a peer that is not root (though in the socket's group, so the file mode lets it connect)
        String nobody = CniHost.sh(List.of(
                "sh",
                "-c",
                "printf 'GET /health HTTP/1.1\\r\\nHost: x\\r\\nConnection: "
                        + "close\\r\\n\\r\\n' | setpriv --reuid 65534 --regid 0 --clear-groups nc -U " + socket));
        assertError(nobody, 403, CniException.INVALID_ENVIRONMENT);

        assertThat(server.isAlive()).isTrue();
        String health = http("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(health).startsWith("HTTP/1.1 200 ").contains("\"ok\"");
        String metrics = http("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(metrics)
                .contains("calico_java_cni_refused_requests_total{status=\"400\"}")
                .contains("calico_java_cni_refused_requests_total{status=\"403\"} 1");
    }

    private static void assertError(String response, int status, int code) {
        assertThat(response).startsWith("HTTP/1.1 " + status + " ");
        JsonNode j = Json.read(body(response), JsonNode.class);
        assertThat(j.get("code").asInt()).as(response).isEqualTo(code);
        assertThat(j.get("msg").asText()).isNotBlank();
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    /** How many calls of {@code command} the server ran with that exit status, from its /metrics. */
    long served(String command, int exit) {
        String m = http("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Matcher x = Pattern.compile("calico_java_cni_requests_total\\{plugin=\"network\",command=\"" + command
                        + "\",exit=\"" + exit + "\"} (\\d+)")
                .matcher(m);
        return x.find() ? Long.parseLong(x.group(1)) : 0;
    }

    String http(String request) {
        return http(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends raw bytes on the socket; returns all the server answered until it closed. */
    String http(byte[] request) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                try {
                    ch.write(ByteBuffer.wrap(request));
                } catch (IOException e) {
                    // the server may answer and close before taking it all (an oversized body)
                }
            });
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(65536);
            try {
                while (ch.read(b) >= 0) {
                    out.write(b.array(), 0, b.position());
                    b.clear();
                }
            } catch (IOException e) {
                // reset after the answer
            }
            w.get(30, TimeUnit.SECONDS);
            return out.toString(StandardCharsets.ISO_8859_1);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
