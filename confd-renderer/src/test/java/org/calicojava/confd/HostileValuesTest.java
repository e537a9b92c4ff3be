package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.process.CommandRunner;
import org.calicojava.process.ProcessRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The table of hostile values (newline, ';', '}', '"', '#', '{', over-long, non-ASCII, binary, and the issue's
 * rr_cluster_id injection) in every etcd-sourced field the templates use: each case renders both shipped templates; the
 * BIRD config passes the real `bird -p` and has exactly the expected protocols, the speaker YAML passes both of the
 * speaker's loader and has exactly the expected neighbours, and the bad record is reported under its key.
 */
class HostileValuesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String INJECTION =
            "1.2.3.4;\n}\nprotocol bgp evil from bgp_template4 {\n  neighbor 203.0.113.66 as 666;\n"
                    + "}\nprotocol bgp evil2 {\n  ipv4 { import all; export all; };\n  neighbor 203.0.113.67 as 667;\n  local as 1;\n";

    static final List<String> HOSTILE = List.of(
            "10.0.0.7\n}",
            "10.0.0.7;",
            "}",
            "\"",
            "#",
            "{",
            "10.0.0.7\"; evil: \"x",
            "10.0.0.7 # c",
            "1".repeat(5000),
            "a".repeat(300),
            "10.0.0.ü",
            "１0.0.0.7",
            "\u0000\u0001\u00ff\ud800",
            "10.0.0.7\u0000",
            INJECTION,
            "{\"ip\":\"10.0.0.7\"",
            "[]");
    /** More bad values for keys whose value is a JSON object: null, other JSON types, truncated JSON. */
    static final List<String> NOT_AN_OBJECT = List.of("null", "42", "true", "\"x\"", "[{}]", "{\"ip\":", "{}");

    /** The expected BGP protocols (BIRD) and neighbours (speaker) of node n1 in the baseline. */
    static final List<String> BIRD_BGP =
            List.of("Global_192_0_2_1", "Mesh_10_0_0_2", "Mesh_fd00__2", "Node_198_51_100_1");

    static final List<String> NEIGHBOURS = List.of("10.0.0.2", "192.0.2.1", "198.51.100.1", "fd00::2");
    static final List<String> OTHER_PROTOCOLS = List.of(
            "device", "direct", "kernel kernel4", "kernel kernel6", "static static_blocks4", "static static_blocks6");

    static Path bird;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void needsBird() {
        assertThat(Path.of("/usr/sbin/bird"))
                .as("BIRD 2 (apt package bird2) must be installed")
                .exists();
    }

    static Fixtures baseline() {
        return new Fixtures()
                .globalAs("64512")
                .mesh(true)
                .node("n1", "10.0.0.1", "fd00::1")
                .node("n2", "10.0.0.2", "fd00::2")
                .globalPeer("192.0.2.1", "65001")
                .nodePeer("n1", "198.51.100.1", "65002")
                .pool("10.1.0.0/16")
                .block("n1", "10.1.0.64/26");
    }

    /** A field: how to put a hostile value into the baseline, the key it lands on, and what is lost with it. */
    record Field(
            String name,
            BiConsumer<Fixtures, String> put,
            java.util.function.Function<Keys, String> key,
            List<String> lostBgp,
            List<String> lostNeighbours) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final Keys K = new Keys();
    static final List<Field> FIELDS = List.of(
            new Field(
                    "n2 ip_addr_v4",
                    (f, v) -> f.kv.put(K.bgpHostIp("n2", 4), v),
                    k -> k.bgpHostIp("n2", 4),
                    List.of("Mesh_10_0_0_2"),
                    List.of("10.0.0.2")),
            new Field(
                    "n2 ip_addr_v6",
                    (f, v) -> f.kv.put(K.bgpHostIp("n2", 6), v),
                    k -> k.bgpHostIp("n2", 6),
                    List.of("Mesh_fd00__2"),
                    List.of("fd00::2")),
            new Field(
                    "n2 as_num",
                    (f, v) -> f.kv.put(K.bgpHostAsNum("n2"), v),
                    k -> k.bgpHostAsNum("n2"),
                    List.of(),
                    List.of()),
            new Field(
                    "n1 as_num",
                    (f, v) -> f.kv.put(K.bgpHostAsNum("n1"), v),
                    k -> k.bgpHostAsNum("n1"),
                    List.of(),
                    List.of()),
            new Field(
                    "n1 rr_cluster_id",
                    (f, v) -> f.kv.put(K.bgpHostRrClusterId("n1"), v),
                    k -> k.bgpHostRrClusterId("n1"),
                    List.of(),
                    List.of()),
            new Field(
                    "n2 rr_cluster_id",
                    (f, v) -> f.kv.put(K.bgpHostRrClusterId("n2"), v),
                    k -> k.bgpHostRrClusterId("n2"),
                    List.of(),
                    List.of()),
            new Field(
                    "node name in key",
                    (f, v) -> f.kv.put(K.bgpHosts() + v + "/ip_addr_v4", "10.0.0.9"),
                    k -> null,
                    List.of(),
                    List.of()),
            new Field(
                    "global as_num",
                    (f, v) -> f.kv.put(K.bgpGlobalAsNum(), v),
                    k -> k.bgpGlobalAsNum(),
                    List.of(),
                    List.of()),
            new Field("node_mesh", (f, v) -> f.kv.put(K.bgpNodeMesh(), v), k -> k.bgpNodeMesh(), List.of(), List.of()),
            new Field(
                    "node_mesh enabled",
                    (f, v) -> f.kv.put(K.bgpNodeMesh(), "{\"enabled\":" + Json.write(v) + "}"),
                    k -> k.bgpNodeMesh(),
                    List.of(),
                    List.of()),
            new Field(
                    "global peer value",
                    (f, v) -> f.kv.put(K.bgpGlobalPeer("192.0.2.7"), v),
                    k -> k.bgpGlobalPeer("192.0.2.7"),
                    List.of(),
                    List.of()),
            new Field(
                    "global peer ip",
                    (f, v) -> f.kv.put(
                            K.bgpGlobalPeer("192.0.2.7"), "{\"ip\":" + Json.write(v) + ",\"as_num\":\"65001\"}"),
                    k -> k.bgpGlobalPeer("192.0.2.7"),
                    List.of(),
                    List.of()),
            new Field(
                    "global peer as_num",
                    (f, v) -> f.kv.put(
                            K.bgpGlobalPeer("192.0.2.7"), "{\"ip\":\"192.0.2.7\",\"as_num\":" + Json.write(v) + "}"),
                    k -> k.bgpGlobalPeer("192.0.2.7"),
                    List.of(),
                    List.of()),
            new Field(
                    "global peer key",
                    (f, v) -> f.kv.put(K.bgpGlobalPeers(4) + v, "{\"ip\":\"192.0.2.7\",\"as_num\":\"65001\"}"),
                    k -> null,
                    List.of(),
                    List.of()),
            new Field(
                    "node peer value",
                    (f, v) -> f.kv.put(K.bgpHostPeer("n1", "198.51.100.7"), v),
                    k -> k.bgpHostPeer("n1", "198.51.100.7"),
                    List.of(),
                    List.of()),
            new Field(
                    "node peer ip",
                    (f, v) -> f.kv.put(
                            K.bgpHostPeer("n1", "198.51.100.7"), "{\"ip\":" + Json.write(v) + ",\"as_num\":\"65002\"}"),
                    k -> k.bgpHostPeer("n1", "198.51.100.7"),
                    List.of(),
                    List.of()),
            new Field(
                    "node peer as_num",
                    (f, v) -> f.kv.put(
                            K.bgpHostPeer("n1", "198.51.100.7"),
                            "{\"ip\":\"198.51.100.7\",\"as_num\":" + Json.write(v) + "}"),
                    k -> k.bgpHostPeer("n1", "198.51.100.7"),
                    List.of(),
                    List.of()),
            new Field(
                    "pool value",
                    (f, v) -> f.kv.put(K.pools(4) + "10.9.0.0-16", v),
                    k -> k.pools(4) + "10.9.0.0-16",
                    List.of(),
                    List.of()),
            new Field(
                    "pool cidr",
                    (f, v) -> f.kv.put(K.pools(4) + "10.9.0.0-16", "{\"cidr\":" + Json.write(v) + "}"),
                    k -> k.pools(4) + "10.9.0.0-16",
                    List.of(),
                    List.of()),
            new Field(
                    "affinity key",
                    (f, v) -> f.kv.put(K.ipamAffinities("n1", 4) + v, "{\"state\":\"confirmed\"}"),
                    k -> null,
                    List.of(),
                    List.of()));

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Field f : FIELDS) {
            for (String v : HOSTILE) {
                out.add(Arguments.of(f, Named.of(LogText.quote(v), v)));
            }
            if (f.name().endsWith("value") || f.name().equals("node_mesh")) {
                for (String v : NOT_AN_OBJECT) {
                    out.add(Arguments.of(f, Named.of(LogText.quote(v), v)));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("cases")
    void hostileValueIsSkippedAndInjectsNothing(Field field, String value) throws Exception {
        Fixtures f = baseline();
        field.put().accept(f, value);
        ContextBuilder builder = new ContextBuilder(f.keys, "n1");
        Map<String, Object> ctx = builder.build(f.kv);
        String key = field.key().apply(f.keys);
        if (key != null) {
            assertThat(builder.invalid())
                    .as("reported")
                    .anySatisfy(i -> assertThat(i.key()).isEqualTo(key));
        } else {
            assertThat(builder.invalid()).as("reported").isNotEmpty();
        }
        assertThat(builder.invalid()).allSatisfy(i -> assertThat(i.toString()).doesNotContain("\n", "\r"));
        Helpers.install(ctx, TreeNode.build(f.keys.root(), f.kv, "n1"), f.kv, f.keys.root());
        List<String> bgp = new ArrayList<>(BIRD_BGP);
        bgp.removeAll(field.lostBgp());
        List<String> neighbours = new ArrayList<>(NEIGHBOURS);
        neighbours.removeAll(field.lostNeighbours());
        assertRendersExactly(ctx, bgp, neighbours);
    }

    /** The issue's reproduction: rr_cluster_id = "1.2.3.4;" + newline + "}" + two protocols. */
    @Test
    void rrClusterIdInjectionFromIssue14WritesNoExtraSessions() throws Exception {
        Fixtures f = baseline().rr("n1", INJECTION);
        ContextBuilder builder = new ContextBuilder(f.keys, "n1");
        Map<String, Object> ctx = builder.build(f.kv);
        assertThat(builder.invalid()).singleElement().satisfies(i -> {
            assertThat(i.key()).isEqualTo(f.keys.bgpHostRrClusterId("n1"));
            assertThat(i.toString())
                    .startsWith("\"/calico/bgp/v1/host/n1/rr_cluster_id\": \"rr cluster id: \\\"1.2.3.4;\\\\n}")
                    .doesNotContain("\n");
        });
        assertThat(ctx.get("rrClusterId")).isNull();
        String conf = assertRendersExactly(ctx, BIRD_BGP, NEIGHBOURS);
        assertThat(conf).doesNotContain("203.0.113.66", "evil", "rr cluster id");
    }

    @Test
    void aValidClusterIdIsRenderedCanonical() throws Exception {
        Fixtures f = baseline().rr("n1", " \"224.000.0.1\"\n");
        Map<String, Object> ctx = new ContextBuilder(f.keys, "n1").build(f.kv);
        String conf = assertRendersExactly(ctx, BIRD_BGP, NEIGHBOURS);
        assertThat(conf).contains("rr cluster id 224.0.0.1;");
    }

    /** Renders both shipped templates; returns the BIRD config. */
    static String assertRendersExactly(Map<String, Object> ctx, List<String> bgp, List<String> neighbours)
            throws Exception {
        TemplateRenderer r = new TemplateRenderer(ShippedTemplatesTest.CONFDIR.resolve("templates"));
        String conf = r.render(ShippedTemplatesTest.CONFDIR.resolve("templates/bird.conf.mustache"), ctx);
        assertPrintableAscii(conf);
        assertThat(protocols(conf))
                .as(conf)
                .containsExactlyInAnyOrderElementsOf(concat(
                        OTHER_PROTOCOLS, bgp.stream().map(p -> "bgp " + p).toList()));
        assertBirdParses(conf);
        String yaml = r.render(ShippedTemplatesTest.CONFDIR.resolve("templates/bgp-speaker.yaml.mustache"), ctx);
        assertPrintableAscii(yaml);
        assertSpeakerNeighbours(yaml, neighbours);
        return conf;
    }

    static void assertSpeakerNeighbours(String yaml, List<String> neighbours) throws Exception {
        JsonNode y = YAML.readTree(yaml);
        TreeSet<String> got = new TreeSet<>();
        y.get("neighbors").forEach(n -> got.add(n.get("address").asText()));
        assertThat(got).as(yaml).containsExactlyElementsOf(new TreeSet<>(neighbours));
        assertThat(SpeakerYamlLoader.parse(yaml).speaker().neighbors()).hasSize(neighbours.size());
        SpeakerYamlLoader.parse(yaml).routing();
    }

    static List<String> protocols(String conf) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*protocol\\s+(\\S+)(?:\\s+([A-Za-z0-9_]+))?")
                .matcher(conf);
        while (m.find()) {
            out.add(m.group(2) == null || m.group(2).equals("from") ? m.group(1) : m.group(1) + " " + m.group(2));
        }
        return out;
    }

    static void assertPrintableAscii(String text) {
        assertThat(text.chars().filter(c -> c != '\n' && (c < 0x20 || c > 0x7e)).count())
                .as(text)
                .isZero();
    }

    static void assertBirdParses(String conf) throws Exception {
        Path file = Files.createTempFile(tmp, "bird", ".conf");
        Files.writeString(file, conf);
        CommandRunner.Result res = ProcessRunner.local().shell("bird -p -c " + file, Duration.ofSeconds(20));
        assertThat(res.ok()).as("bird -p: " + res.oneLine() + "\n" + conf).isTrue();
        Files.delete(file);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
