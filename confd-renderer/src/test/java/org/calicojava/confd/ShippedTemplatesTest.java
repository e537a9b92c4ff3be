package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.calicojava.process.CommandRunner;
import org.calicojava.process.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renders the shipped templates (etc/confd) from key trees; the BIRD output goes through the real `bird -p`. */
class ShippedTemplatesTest {
    static final Path CONFDIR = Path.of("etc/confd");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;

    static String render(Fixtures f, String node, String template) {
        Map<String, Object> ctx = new ContextBuilder(f.keys, node).build(f.kv);
        Helpers.install(ctx, TreeNode.build(f.keys.root(), f.kv, node), f.kv, f.keys.root());
        return new TemplateRenderer(CONFDIR.resolve("templates"))
                .render(CONFDIR.resolve("templates").resolve(template), ctx);
    }

    static Fixtures rich() {
        return new Fixtures()
                .globalAs("65000")
                .node("n1", "10.0.0.1", "fd00::1")
                .node("n2", "10.0.0.2", "fd00::2")
                .node("n3", "10.0.0.30", null)
                .nodeAs("n3", "65003")
                .rr("n1", "224.0.0.1")
                .globalPeer("192.0.2.1", "65100")
                .nodePeer("n1", "2001:db8::9", "65200")
                .pool("10.1.0.0/16")
                .pool("fd10::/48")
                .block("n1", "10.1.0.0/26")
                .block("n1", "fd10::/122")
                .block("n2", "10.1.0.64/26");
    }

    @Test
    void speakerYamlHasTheIssueKeys() throws Exception {
        JsonNode y = YAML.readTree(render(rich(), "n1", "bgp-speaker.yaml.mustache"));
        assertThat(y.get("routerId").asText()).isEqualTo("10.0.0.1");
        assertThat(y.get("asNumber").asLong()).isEqualTo(65000);
        assertThat(y.get("listen").get("address").asText()).isEqualTo("10.0.0.1");
        assertThat(y.get("routeReflector").get("clusterId").asText()).isEqualTo("224.0.0.1");
        JsonNode ns = y.get("neighbors");
        assertThat(ns).hasSize(5);
        Map<String, JsonNode> byAddr = new java.util.HashMap<>();
        ns.forEach(n -> byAddr.put(n.get("address").asText(), n));
        assertThat(byAddr).containsOnlyKeys("10.0.0.2", "10.0.0.30", "192.0.2.1", "fd00::2", "2001:db8::9");
        assertThat(byAddr.get("10.0.0.2").get("passive").asBoolean()).isFalse(); // 10.0.0.1 < 10.0.0.2: we connect
        assertThat(byAddr.get("10.0.0.2").get("rrClient").asBoolean()).isTrue();
        assertThat(byAddr.get("10.0.0.30").get("asNumber").asLong()).isEqualTo(65003);
        assertThat(byAddr.get("10.0.0.30").get("rrClient")).isNull(); // eBGP
        assertThat(byAddr.get("192.0.2.1").get("asNumber").asLong()).isEqualTo(65100);
        assertThat(byAddr.get("10.0.0.2")
                        .get("gracefulRestart")
                        .get("restartTime")
                        .asInt())
                .isEqualTo(120);
        assertThat(byAddr.get("10.0.0.2").get("export").get(0).asText()).isEqualTo("calico_export");
        assertThat(y.get("originate").toString()).isEqualTo("[\"10.1.0.0/26\",\"fd10::/122\"]");
        JsonNode export = y.get("policies").get("calico_export");
        assertThat(export.toString())
                .isEqualTo(
                        "[{\"match\":{\"prefixes\":[\"10.1.0.0/16 le 32\"]},\"action\":\"accept\"},"
                                + "{\"match\":{\"prefixes\":[\"fd10::/48 le 128\"]},\"action\":\"accept\"},{\"action\":\"reject\"}]");

        JsonNode n2 = YAML.readTree(render(rich(), "n2", "bgp-speaker.yaml.mustache"));
        assertThat(n2.get("routeReflector")).isNull();
        assertThat(n2.get("originate").toString()).isEqualTo("[\"10.1.0.64/26\"]");
    }

    @Test
    void speakerYamlWithNothingToPeer() throws Exception {
        JsonNode y = YAML.readTree(
                render(new Fixtures().node("solo", "10.0.0.1", null), "solo", "bgp-speaker.yaml.mustache"));
        assertThat(y.get("neighbors").isArray()).isTrue();
        assertThat(y.get("neighbors")).isEmpty();
        assertThat(y.get("originate")).isEmpty();
        assertThat(y.get("asNumber").asLong()).isEqualTo(64512);
        assertThat(y.get("policies").get("calico_export").toString()).isEqualTo("[{\"action\":\"reject\"}]");
    }

    @Test
    void birdConfigPassesRealBirdParse() throws Exception {
        String conf = render(rich(), "n1", "bird.conf.mustache");
        assertThat(conf)
                .contains(
                        "router id 10.0.0.1;",
                        "protocol bgp Mesh_10_0_0_2 from bgp_template4",
                        "protocol bgp Mesh_fd00__2 from bgp_template6",
                        "protocol bgp Global_192_0_2_1",
                        "protocol bgp Node_2001_db8__9",
                        "route 10.1.0.0/26 blackhole;",
                        "route fd10::/122 blackhole;",
                        "if net ~ [ 10.1.0.0/16+ ] then accept;",
                        "if net ~ [ fd10::/48+ ] then accept;",
                        "rr cluster id 224.0.0.1;",
                        "next hop self;",
                        "graceful restart;");
        assertBirdParses(conf);
        String n2 = render(rich(), "n2", "bird.conf.mustache");
        assertThat(n2).contains("passive on;").doesNotContain("rr client");
        assertBirdParses(n2);
        assertBirdParses(render(new Fixtures().node("solo", "10.0.0.1", null), "solo", "bird.conf.mustache"));
    }

    @Test
    void bfdGlobalAndNodeOverrideReachBothTemplates() throws Exception {
        Fixtures f = rich();
        f.kv.put(f.keys.bgpBfd(), "{\"enabled\":true,\"min_rx_ms\":150,\"min_tx_ms\":120,\"multiplier\":4}");
        JsonNode y = YAML.readTree(render(f, "n1", "bgp-speaker.yaml.mustache"));
        for (JsonNode n : y.get("neighbors")) {
            assertThat(n.get("bfd").toString())
                    .as(n.toString())
                    .isEqualTo("{\"minRx\":\"150ms\",\"minTx\":\"120ms\",\"multiplier\":4,\"graceful\":false}");
        }
        String bird = render(f, "n1", "bird.conf.mustache");
        assertThat(bird)
                .contains(
                        "protocol bfd {",
                        "min rx interval 150 ms;",
                        "min tx interval 120 ms;",
                        "multiplier 4;",
                        "  bfd on;",
                        "  direct;");
        assertBirdParses(bird);

        // n2 overrides: graceful and its own timers; n1 keeps the global ones
        f.kv.put(f.keys.bgpHostBfd("n2"), "{\"enabled\":true,\"min_rx_ms\":300,\"graceful\":true}");
        JsonNode y2 = YAML.readTree(render(f, "n2", "bgp-speaker.yaml.mustache"));
        assertThat(y2.get("neighbors").get(0).get("bfd").toString())
                .isEqualTo("{\"minRx\":\"300ms\",\"minTx\":\"100ms\",\"multiplier\":3,\"graceful\":true}");
        String bird2 = render(f, "n2", "bird.conf.mustache");
        assertThat(bird2).contains("bfd graceful;", "min rx interval 300 ms;");
        assertBirdParses(bird2);
        assertThat(render(f, "n1", "bird.conf.mustache")).contains("min rx interval 150 ms;");

        // a node that turns it off; a bad override falls back to the global record with a warning
        f.kv.put(f.keys.bgpHostBfd("n2"), "{\"enabled\":false}");
        assertThat(YAML.readTree(render(f, "n2", "bgp-speaker.yaml.mustache"))
                        .get("neighbors")
                        .get(0)
                        .get("bfd"))
                .isNull();
        assertThat(render(f, "n2", "bird.conf.mustache"))
                .doesNotContain("protocol bfd")
                .doesNotContain("bfd on");
        f.kv.put(f.keys.bgpHostBfd("n2"), "{\"enabled\":true,\"multiplier\":0}");
        ContextBuilder b = new ContextBuilder(f.keys, "n2");
        assertThat(b.build(f.kv).get("bfd").toString()).contains("minRxMs=150");
        assertThat(b.invalid().toString())
                .contains("bfd multiplier: 0 (expected: 1..255)")
                .contains("the global setting applies");
    }

    @Test
    void birdParseCatchesABrokenConfig() throws Exception {
        String conf = render(rich(), "n1", "bird.conf.mustache").replace("router id 10.0.0.1;", "router id 10.0.0;");
        Path f = tmp.resolve("broken.conf");
        Files.writeString(f, conf);
        assertThat(ProcessRunner.local()
                        .shell("bird -p -c " + f, Duration.ofSeconds(20))
                        .ok())
                .isFalse();
    }

    void assertBirdParses(String conf) throws Exception {
        assertThat(Path.of("/usr/sbin/bird"))
                .as("BIRD 2 (apt package bird2) must be installed")
                .exists();
        Path f = Files.createTempFile(tmp, "bird", ".conf");
        Files.writeString(f, conf);
        CommandRunner.Result r = ProcessRunner.local().shell("bird -p -c " + f, Duration.ofSeconds(20));
        assertThat(r.ok()).as("bird -p: " + r.oneLine() + "\n" + conf).isTrue();
    }
}
