package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input matrix against the real daemon ({@code bin/confd-renderer} as a process, a real etcd, the real
 * {@code bird -p} and {@code bin/bgp-speaker --check} as check_cmds): for each key type and each kind of bad value, the
 * bad value is written while the daemon runs, then a good change (a new global peer); the good change is rendered, the
 * bad record is reported (metric and one quoted log line), and nothing was injected: both rendered files pass their
 * checks and hold exactly the expected peers. Every line the daemon logged is one well-formed log line.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfdBadInputIT {
    static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    static final Path SPEAKER = HOME.resolve("bin/bgp-speaker");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    static Keys keys;
    static JetcdStore store;
    static Process daemon;
    static Path log;
    static int metricsPort;
    static int goodPeers;

    /** Peers (BIRD protocol names) of node "me" now; the good changes add to it. */
    static final TreeSet<String> expectedBgp =
            new TreeSet<>(List.of("Global_192_0_2_1", "Mesh_10_0_0_2", "Mesh_fd00__2", "Node_198_51_100_1"));

    @BeforeAll
    static void start() throws Exception {
        keys = new Keys("/cj-bad-" + UUID.randomUUID().toString().substring(0, 8));
        store = new JetcdStore(EtcdConfig.of(ConfdHarness.endpoints()));
        Path confdir = ConfdHarness.createConfdir(dir);
        Files.writeString(
                confdir.resolve("conf.d/bgp-speaker.toml"),
                Files.readString(confdir.resolve("conf.d/bgp-speaker.toml")) + "check_cmd = \"'" + SPEAKER
                        + "' --check --config {{.src}}\"\n");
        put(keys.bgpGlobalAsNum(), "64512");
        put(keys.bgpHostIp("me", 4), "10.0.0.1");
        put(keys.bgpHostIp("me", 6), "fd00::1");
        put(keys.bgpHostIp("n2", 4), "10.0.0.2");
        put(keys.bgpHostIp("n2", 6), "fd00::2");
        put(keys.bgpGlobalPeer("192.0.2.1"), "{\"ip\":\"192.0.2.1\",\"as_num\":\"65001\"}");
        put(keys.bgpHostPeer("me", "198.51.100.1"), "{\"ip\":\"198.51.100.1\",\"as_num\":\"65002\"}");
        put(keys.pools(4) + "10.1.0.0-16", "{\"cidr\":\"10.1.0.0/16\"}");
        put(keys.ipamAffinities("me", 4) + "10.1.0.64-26", "{\"state\":\"confirmed\"}");
        try (ServerSocket s = new ServerSocket(0)) {
            metricsPort = s.getLocalPort();
        }
        log = dir.resolve("confd.log");
        daemon = new ProcessBuilder(
                        HOME.resolve("bin/confd-renderer").toString(),
                        "--node",
                        "me",
                        "--confdir",
                        confdir.toString(),
                        "--dest-root",
                        dir.resolve("out").toString(),
                        "--etcd-endpoints",
                        ConfdHarness.endpoints(),
                        "--etcd-prefix",
                        keys.root(),
                        "--metrics-port",
                        Integer.toString(metricsPort),
                        "--metrics-host",
                        "127.0.0.1")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        awaitPeers("start");
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(15, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        if (store != null) {
            store.deletePrefix(keys.root() + "/");
            store.close();
        }
    }

    static void put(String key, String value) {
        store.put(key, value);
    }

    static Path bird() {
        return dir.resolve("out/etc/bird/bird.conf");
    }

    static Path speaker() {
        return dir.resolve("out/etc/calico-java/bgp-speaker.yaml");
    }

    /** One kind of bad value: a name and how to write it (as a String, or as raw bytes through etcdctl). */
    record Bad(String kind, String value) {
        @Override
        public String toString() {
            return kind;
        }
    }

    static final String INJECTION =
            "1.2.3.4;\n}\nprotocol bgp evil from bgp_template4 {\n  neighbor 203.0.113.66 as 666;\n"
                    + "}\nprotocol bgp evil2 {\n  ipv4 { import all; export all; };\n  neighbor 203.0.113.67 as 667;\n  local as 1;\n";
    static final String YAML_INJECTION = "10.0.0.9\"\nneighbors:\n  - address: \"203.0.113.66\"\n    asNumber: 666\n#";
    static final String BINARY = "\u0000\u0001\u00ff\u00fe\ud800";

    /** Bad values for keys holding plain text (an address, an AS number, a cluster id). */
    static final List<Bad> PLAIN = List.of(
            new Bad("null", "null"),
            new Bad("wrong JSON type", "{\"value\":\"10.0.0.9\"}"),
            new Bad("wrong JSON type (list)", "[1,2]"),
            new Bad("BIRD syntax", INJECTION),
            new Bad("YAML syntax", YAML_INJECTION),
            new Bad("over-long", "1".repeat(100_000)),
            new Bad("binary", BINARY),
            new Bad("truncated JSON", "\"10.0.0."));

    /** Bad values for keys holding a JSON object; {@code %s} is the field the record type validates. */
    static List<Bad> jsonBad(String good, String field) {
        String open = good.substring(0, good.length() - 1);
        return List.of(
                new Bad("null", "null"),
                new Bad("wrong JSON type", "[" + good + "]"),
                new Bad(
                        "wrong JSON field type",
                        good.replaceFirst("\"" + field + "\":\"?[^,}\"]*\"?", "\"" + field + "\":{\"a\":[1]}")),
                new Bad(
                        "BIRD syntax",
                        good.replaceFirst(
                                "\"" + field + "\":\"?[^,}\"]*\"?", "\"" + field + "\":" + Json.write(INJECTION))),
                new Bad(
                        "YAML syntax",
                        good.replaceFirst(
                                "\"" + field + "\":\"?[^,}\"]*\"?", "\"" + field + "\":" + Json.write(YAML_INJECTION))),
                new Bad(
                        "over-long",
                        good.replaceFirst(
                                "\"" + field + "\":\"?[^,}\"]*\"?",
                                "\"" + field + "\":\"" + "1".repeat(100_000) + "\"")),
                new Bad("binary", BINARY + good),
                new Bad("truncated JSON", open.substring(0, open.length() - 3)),
                new Bad("string", Json.write(good)));
    }

    /** Bad key segments (node names, block CIDRs). */
    static final List<Bad> SEGMENTS = List.of(
            new Bad("newline", "x\ny"),
            new Bad("BIRD syntax", "a;}{#\""),
            new Bad("YAML syntax", "a: \"b\"\n- c"),
            new Bad("over-long", "a".repeat(300)),
            new Bad("non-ASCII", "nöde"),
            new Bad("binary", "\u0001\u00ff"),
            new Bad("null", "null\u0000"));

    /** A key type: its key for a bad value, the bad values, the peers lost while it is bad, how to restore it. */
    record KeyType(String name, Function<String, String> key, List<Bad> bads, List<String> lost, String restore) {}

    static List<KeyType> keyTypes() {
        String peer = "{\"ip\":\"192.0.2.9\",\"as_num\":\"65009\"}";
        String nodePeer = "{\"ip\":\"198.51.100.9\",\"as_num\":\"65019\"}";
        String pool = "{\"cidr\":\"10.9.0.0/16\",\"ipip\":false}";
        return List.of(
                new KeyType(
                        "node ip_addr_v4", v -> keys.bgpHostIp("n2", 4), PLAIN, List.of("Mesh_10_0_0_2"), "10.0.0.2"),
                new KeyType("node ip_addr_v6", v -> keys.bgpHostIp("n2", 6), PLAIN, List.of("Mesh_fd00__2"), "fd00::2"),
                new KeyType("node as_num", v -> keys.bgpHostAsNum("me"), PLAIN, List.of(), null),
                new KeyType("node rr_cluster_id", v -> keys.bgpHostRrClusterId("me"), PLAIN, List.of(), null),
                new KeyType("global as_num", v -> keys.bgpGlobalAsNum(), PLAIN, List.of(), "64512"),
                new KeyType(
                        "global node_mesh",
                        v -> keys.bgpNodeMesh(),
                        jsonBad("{\"enabled\":true}", "enabled"),
                        List.of(),
                        null),
                new KeyType("global peer", v -> keys.bgpGlobalPeer("192.0.2.9"), jsonBad(peer, "ip"), List.of(), null),
                new KeyType(
                        "global peer as_num",
                        v -> keys.bgpGlobalPeer("192.0.2.9"),
                        jsonBad(peer, "as_num"),
                        List.of(),
                        null),
                new KeyType(
                        "node peer",
                        v -> keys.bgpHostPeer("me", "198.51.100.9"),
                        jsonBad(nodePeer, "ip"),
                        List.of(),
                        null),
                new KeyType("pool", v -> keys.pools(4) + "10.9.0.0-16", jsonBad(pool, "cidr"), List.of(), null));
    }

    @Test
    @Order(1)
    void everyBadValueIsReportedAndTheNextGoodChangeRendered() throws Exception {
        List<String> failures = new ArrayList<>();
        for (KeyType t : keyTypes()) {
            for (Bad b : t.bads()) {
                String key = t.key().apply(b.value());
                String what = t.name() + " / " + b.kind();
                checkCase(what, key, t.lost(), failures, () -> put(key, b.value()));
                if (t.restore() == null) {
                    store.delete(key);
                } else {
                    put(key, t.restore());
                }
                awaitNoInvalid(what);
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    @Order(2)
    void badKeySegmentsAreReportedAndTheNextGoodChangeRendered() throws Exception {
        List<String> failures = new ArrayList<>();
        for (Bad b : SEGMENTS) {
            String nodeKey = keys.bgpHosts() + b.value() + "/ip_addr_v4";
            checkCase(
                    "node name / " + b.kind(),
                    keys.bgpHosts() + b.value(),
                    List.of(),
                    failures,
                    () -> put(nodeKey, "10.0.0.9"));
            store.delete(nodeKey);
            awaitNoInvalid("node name / " + b.kind());
            String block = keys.ipamAffinities("me", 4) + b.value();
            checkCase(
                    "affinity key / " + b.kind(),
                    block,
                    List.of(),
                    failures,
                    () -> put(block, "{\"state\":\"confirmed\"}"));
            store.delete(block);
            awaitNoInvalid("affinity key / " + b.kind());
        }
        assertThat(failures).isEmpty();
    }

    @Test
    @Order(3)
    void rawBinaryBytesThroughEtcdctlAreReported() throws Exception {
        List<String> failures = new ArrayList<>();
        String key = keys.bgpHostRrClusterId("me");
        checkCase("rr_cluster_id / raw bytes", key, List.of(), failures, () -> {
            try {
                Process p = new ProcessBuilder(
                                "sh",
                                "-c",
                                "ETCDCTL_API=3 etcdctl --endpoints \"$1\" put \"$2\" "
                                        + "\"$(printf '1.2.3.4\\377\\376\\001;}')\"",
                                "sh",
                                ConfdHarness.endpoints(),
                                key)
                        .redirectErrorStream(true)
                        .start();
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue())
                        .as(new String(p.getInputStream().readAllBytes()))
                        .isZero();
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        store.delete(key);
        awaitNoInvalid("raw bytes");
        assertThat(failures).isEmpty();
    }

    /** Issue 14's reproduction: the rr_cluster_id injection wrote two extra BGP sessions into bird.conf. */
    @Test
    @Order(4)
    void rrClusterIdInjectionFromIssue14() throws Exception {
        List<String> failures = new ArrayList<>();
        String key = keys.bgpHostRrClusterId("me");
        checkCase("issue 14 rr_cluster_id injection", key, List.of(), failures, () -> put(key, INJECTION));
        assertThat(failures).isEmpty();
        assertThat(Files.readString(bird())).doesNotContain("203.0.113.66", "203.0.113.67", "evil", "rr cluster id");
        assertThat(Files.readString(speaker())).doesNotContain("203.0.113.66", "evil", "routeReflector");
        // and a valid id afterwards is rendered (canonical)
        put(key, "224.0.0.001");
        await(
                "valid rr id",
                () -> read(bird()).contains("rr cluster id 224.0.0.1;")
                        && read(speaker()).contains("clusterId: \"224.0.0.1\""));
        assertChecksPass("valid rr id");
        store.delete(key);
    }

    /** Unknown fields are ignored (forward compatible, as Calico does); their content goes nowhere. */
    @Test
    @Order(5)
    void unknownFieldsAreIgnoredAndRenderNothing() throws Exception {
        put(
                keys.bgpGlobalPeer("192.0.2.250"),
                "{\"ip\":\"192.0.2.250\",\"as_num\":\"65250\",\"evil\":" + Json.write(INJECTION)
                        + ",\"comment\":\"x\\\"\\n}\"}"); // (a "password" is a known field now, validated: issue 22)
        expectedBgp.add("Global_192_0_2_250");
        awaitPeers("unknown fields");
        assertThat(read(bird())).doesNotContain("203.0.113", "evil");
        assertThat(read(speaker())).doesNotContain("203.0.113", "evil", "comment", "password");
    }

    @Test
    @Order(6)
    void everyLogLineIsOneWellFormedLine() throws Exception {
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).isNotEmpty();
        assertThat(lines).allSatisfy(l -> assertThat(l).matches("\\[[^\\]]+\\] (INFO|WARN|ERROR|DEBUG) \\S+ - .*"));
        assertThat(String.join("\n", lines))
                .contains("invalid record skipped: key " + LogText.quote(keys.bgpHostRrClusterId("me"))
                        + ": \"rr cluster id: \\\"1.2.3.4;\\\\n}");
        assertThat(daemon.isAlive()).isTrue();
    }

    /** After a bad write: a good change is rendered, the bad record reported, and both files are clean. */
    static void checkCase(String what, String badKey, List<String> lost, List<String> failures, Runnable writeBad)
            throws Exception {
        double reportedBefore = metric("confd_invalid_records_reported_total");
        String quoted = "invalid record skipped: key " + LogText.quote(badKey) + ": ";
        int linesBefore = count(read(log), quoted);
        writeBad.run();
        int n = ++goodPeers;
        String ip = "192.0.2." + (100 + n);
        put(keys.bgpGlobalPeer(ip), "{\"ip\":\"" + ip + "\",\"as_num\":\"" + (65100 + n) + "\"}");
        expectedBgp.add("Global_192_0_2_" + (100 + n));
        TreeSet<String> expected = new TreeSet<>(expectedBgp);
        lost.forEach(expected::remove);
        try {
            await(
                    what,
                    () -> protocols(read(bird())).equals(expected)
                            && neighbours(read(speaker())).size() == expected.size());
            assertChecksPass(what);
            assertThat(metric("confd_invalid_records"))
                    .as(what + ": confd_invalid_records")
                    .isEqualTo(1.0);
            assertThat(metric("confd_invalid_records_reported_total"))
                    .as(what + ": reported")
                    .isGreaterThan(reportedBefore);
            await(what + ": one log line", () -> count(read(log), quoted) == linesBefore + 1);
        } catch (AssertionError e) {
            failures.add(what + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Waits until the daemon rendered a state without invalid records (so the next bad value is new to it). */
    static void awaitNoInvalid(String what) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        while (metric("confd_invalid_records") != 0) {
            if (System.nanoTime() > end) {
                throw new AssertionError(what + ": confd_invalid_records still " + metric("confd_invalid_records"));
            }
            Thread.sleep(50);
        }
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    static void assertChecksPass(String what) throws Exception {
        Process p = new ProcessBuilder("bird", "-p", "-c", bird().toString())
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue())
                .as(what + ": bird -p " + new String(p.getInputStream().readAllBytes()))
                .isZero();
        String yaml = read(speaker());
        SpeakerYamlLoader.parse(yaml).speaker();
        SpeakerYamlLoader.parse(yaml).routing();
        assertThat(protocols(read(bird()))).as(what).isEqualTo(neighboursAsProtocols(yaml));
        assertThat(read(bird()) + yaml).as(what).doesNotContain("203.0.113", "evil");
    }

    static void awaitPeers(String what) throws Exception {
        TreeSet<String> expected = new TreeSet<>(expectedBgp);
        await(
                what,
                () -> protocols(read(bird())).equals(expected)
                        && neighbours(read(speaker())).size() == expected.size());
        assertChecksPass(what);
    }

    static TreeSet<String> protocols(String conf) {
        TreeSet<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^protocol bgp (\\S+) ").matcher(conf);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static List<String> neighbours(String yaml) {
        List<String> out = new ArrayList<>();
        try {
            JsonNode n = YAML.readTree(yaml).get("neighbors");
            n.forEach(x -> out.add(x.get("address").asText()));
        } catch (IOException | RuntimeException e) {
            out.add("unparseable");
        }
        return out;
    }

    /** The speaker's neighbours named as the BIRD template names them (kind from the comment line above each). */
    static TreeSet<String> neighboursAsProtocols(String yaml) {
        TreeSet<String> out = new TreeSet<>();
        Matcher m =
                Pattern.compile("(?m)^  # ((?:Mesh|Global|Node)_[0-9a-f_]+)").matcher(yaml);
        while (m.find()) {
            out.add(m.group(1));
        }
        assertThat(out).hasSize(neighbours(yaml).size());
        return out;
    }

    static double metric(String name) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(r.body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static String read(Path p) {
        return ConfdHarness.read(p);
    }

    static void await(String what, java.util.function.BooleanSupplier ok) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(what + ": not reached within " + WAIT.toSeconds() + " s; bird.conf protocols "
                        + protocols(read(bird())) + ", speaker neighbours " + neighbours(read(speaker())));
            }
            Thread.sleep(50);
        }
    }
}
