package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.config.MaxPrefixes;
import org.calicojava.bgp.config.NeighborConfig;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.policy.Policy;
import org.calicojava.bgp.policy.RouteSource;
import org.calicojava.bgp.rib.RoutingConfig;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;
import org.calicojava.process.CommandRunner;
import org.calicojava.process.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22 in the shipped templates: safe defaults for peers outside the mesh, the stale-route cap, prefix limits and
 * passwords. The speaker YAML goes through the speaker's own loader and its policy chains are evaluated on prefixes;
 * the BIRD config through the real {@code bird -p}.
 */
class SafePeersTemplatesTest {
    private static final List<String> ETCD = List.of("192.0.2.1");

    @TempDir
    Path tmp;

    /** n1 (10.0.0.1, fd00::1) with block 10.1.0.64/26; a ToR global peer with a password and a limit; a node peer. */
    static Fixtures fabric() {
        Fixtures f = new Fixtures()
                .globalAs("64512")
                .node("n1", "10.0.0.1", "fd00::1")
                .node("n2", "10.0.0.2", null)
                .pool("10.1.0.0/16")
                .block("n1", "10.1.0.64/26")
                .block("n2", "10.1.0.128/26");
        f.kv.put(f.keys.bgpNodeMesh(), "{\"enabled\":true,\"password\":\"mesh pw!\"}");
        f.kv.put(
                f.keys.bgpGlobalPeer("192.0.2.254"),
                "{\"ip\":\"192.0.2.254\",\"as_num\":\"65000\",\"password\":"
                        + "\"tor'pw $x\",\"max_prefixes\":{\"limit\":1000,\"action\":\"drop\",\"restart_after_s\":30}}");
        f.kv.put(
                f.keys.bgpHostPeer("n1", "192.0.2.253"),
                "{\"ip\":\"192.0.2.253\",\"as_num\":\"65001\"," + "\"accept_default\":true,\"max_prefixes\":500,"
                        + "\"graceful_restart_notification\":true}");
        f.kv.put(f.keys.bgpMaxStaleRoutesTime(), "90");
        return f;
    }

    static String render(Fixtures f, String template) {
        Map<String, Object> ctx = new ContextBuilder(f.keys, "n1", ETCD).build(f.kv);
        Helpers.install(
                ctx,
                TreeNode.build(f.keys.root(), f.kv, "n1"),
                f.kv,
                f.keys.root(),
                TemplateEncoder.forTemplate(Path.of(template)));
        Path dir = ShippedTemplatesTest.CONFDIR.resolve("templates");
        return new TemplateRenderer(dir).render(dir.resolve(template), ctx);
    }

    private static boolean accepted(RoutingConfig rc, String neighbour, String prefix) throws Exception {
        List<Policy> chain =
                rc.chain(rc.neighbor(InetAddress.getByName(neighbour)).importPolicies());
        return Policy.evaluate(chain, Prefix.parse(prefix), PathAttributes.EMPTY, RouteSource.BGP, 64512) != null;
    }

    @Test
    void speakerYamlRefusesWhatPeersOutsideTheMeshMustNotGiveUs() throws Exception {
        String yaml = render(fabric(), "bgp-speaker.yaml.mustache");
        SpeakerConfig sc = SpeakerYamlLoader.parse(yaml).speaker();
        RoutingConfig rc = SpeakerYamlLoader.parse(yaml).routing();
        assertThat(rc.maxStaleRoutesTime()).isEqualTo(90);

        // the ToR: no etcd /32, no host /32 (nor anything covering them), no martians, no default, nothing of our block
        for (String refused : List.of(
                "192.0.2.1/32",
                "192.0.2.0/24",
                "10.0.0.1/32",
                "10.0.0.0/8",
                "0.0.0.0/0",
                "169.254.0.0/16",
                "127.0.0.1/32",
                "224.0.0.0/24",
                "240.0.0.0/8",
                "0.0.0.0/8",
                "10.1.0.64/26",
                "10.1.0.80/28",
                "10.1.0.0/16",
                "fd00::1/128",
                "fd00::/8",
                "fe80::/64",
                "::/0",
                "ff02::/16",
                "::1/128")) {
            assertThat(accepted(rc, "192.0.2.254", refused))
                    .as("ToR gives us " + refused)
                    .isFalse();
        }
        for (String fine : List.of("10.99.0.0/24", "192.0.2.2/32", "10.1.0.128/26", "198.51.100.0/24", "fd10::/64")) {
            assertThat(accepted(rc, "192.0.2.254", fine))
                    .as("ToR gives us " + fine)
                    .isTrue();
        }
        // the node peer with accept_default: the default route, still none of the rest
        assertThat(accepted(rc, "192.0.2.253", "0.0.0.0/0")).isTrue();
        assertThat(accepted(rc, "192.0.2.253", "192.0.2.1/32")).isFalse();
        // mesh peers keep accepting what the mesh exports
        assertThat(accepted(rc, "10.0.0.2", "10.1.0.128/26")).isTrue();
        assertThat(rc.neighbor(InetAddress.getByName("10.0.0.2")).importPolicies())
                .containsExactly("calico_import");

        Map<String, NeighborConfig> byAddr = new java.util.HashMap<>();
        sc.neighbors().forEach(n -> byAddr.put(n.address().getHostAddress(), n));
        assertThat(byAddr.get("192.0.2.254").password()).isEqualTo("tor'pw $x");
        assertThat(byAddr.get("192.0.2.254").maxPrefixes())
                .isEqualTo(new MaxPrefixes(1000, MaxPrefixes.Action.DROP, 30));
        assertThat(byAddr.get("192.0.2.253").maxPrefixes())
                .isEqualTo(new MaxPrefixes(500, MaxPrefixes.Action.STOP, 60));
        assertThat(byAddr.get("192.0.2.253").password()).isNull();
        assertThat(byAddr.get("10.0.0.2").password()).isEqualTo("mesh pw!");
        // RFC 8538 only where the peer record asks for it
        assertThat(byAddr.get("192.0.2.253").grNotification()).isTrue();
        assertThat(byAddr.get("192.0.2.254").grNotification()).isFalse();
        assertThat(byAddr.get("10.0.0.2").grNotification()).isFalse();
    }

    @Test
    void birdConfigHasTheSameFiltersAndPassesBirdParse() throws Exception {
        String conf = render(fabric(), "bird.conf.mustache");
        assertThat(conf)
                .contains(
                        "if 10.0.0.1 ~ net then return false;",
                        "if 192.0.2.1 ~ net then return false;",
                        "if fd00::1 ~ net then return false;",
                        "if net ~ [ 10.1.0.64/26+ ] then return false;",
                        "if net.len < 26 && 10.1.0.64 ~ net then return false;",
                        "import where calico_import_safe4(false);",
                        "import where calico_import_safe4(true);",
                        "import limit 1000 action block;",
                        "import limit 500 action restart;",
                        "password \"tor'pw $x\";",
                        "password \"mesh pw!\";",
                        "graceful restart time 90;")
                .doesNotContain("if 10.1.0.128 ~ net");
        assertThat(conf.split("protocol bgp Mesh_10_0_0_2")[1].split("\n}")[0])
                .doesNotContain("calico_import_safe")
                .contains("password \"mesh pw!\";");
        Path f = tmp.resolve("bird.conf");
        Files.writeString(f, conf);
        CommandRunner.Result r = ProcessRunner.local().shell("bird -p -c " + f, Duration.ofSeconds(20));
        assertThat(r.ok()).as("bird -p: " + r.oneLine() + "\n" + conf).isTrue();
    }

    @Test
    void badMaxStaleRoutesTimeAndMeshPasswordAreReportedAndDefaulted() {
        Fixtures f = fabric();
        f.kv.put(f.keys.bgpMaxStaleRoutesTime(), "5000");
        f.kv.put(f.keys.bgpNodeMesh(), "{\"enabled\":true,\"password\":\"a\\\"b\"}");
        ContextBuilder b = new ContextBuilder(f.keys, "n1", ETCD);
        Map<String, Object> ctx = b.build(f.kv);
        assertThat(ctx.get("maxStaleRoutesTime")).isEqualTo(120);
        assertThat(b.invalid().toString())
                .contains("max_stale_routes_time")
                .contains("mesh sessions without a password")
                .doesNotContain("a\"b");
        assertThat(render(f, "bgp-speaker.yaml.mustache")).contains("maxStaleRoutesTime: 120");
    }

    @Test
    void aPeerWithAPasswordNeitherLanguageCanCarryIsSkippedWithoutEchoingIt() {
        Fixtures f = fabric();
        f.kv.put(
                f.keys.bgpGlobalPeer("192.0.2.9"),
                "{\"ip\":\"192.0.2.9\",\"as_num\":\"65009\",\"password\":" + "\"x\\\";\\n}; protocol evil\"}");
        ContextBuilder b = new ContextBuilder(f.keys, "n1", ETCD);
        Map<String, Object> ctx = b.build(f.kv);
        assertThat(((List<?>) ctx.get("peers")).toString()).doesNotContain("192_0_2_9");
        assertThat(b.invalid().toString())
                .contains("192.0.2.9")
                .contains("password: contains")
                .doesNotContain("evil");
        assertThat(render(f, "bird.conf.mustache")).doesNotContain("evil").contains("Global_192_0_2_254");
    }

    @Test
    void birdTokensTakeAQuotedStringWithNothingToUnescapeAndNothingElse() {
        assertThat(TemplateEncoder.TOKENS.apply("\"a b!#$%&'()*+,-./:;<=>?@[]^_`{|}~\""))
                .startsWith("\"a b");
        for (String bad : List.of("\"a\"b\"", "\"a\\\"", "\"a\nb\"", "\"\"", "\"open", "x \"y\"")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TemplateEncoder.TOKENS.apply(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
