package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The template encoders: YAML escapes round-trip through a YAML parser; BIRD gets validated tokens or nothing. */
class TemplateEncoderTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "plain",
                "a\nb: c",
                "\"",
                "\\",
                "x\"\n- evil: 1",
                "#",
                "{a: 1}",
                "}",
                "ü é 中 😀",
                "\u0000\u0001\u007f\u0085",
                "\u2028\u2029",
                "tab\there",
                "a: b",
                "- x",
                "'",
                "&anchor *ref !tag",
                "%YAML"
            })
    void yamlRoundTripsInsideDoubleQuotes(String value) throws Exception {
        String enc = TemplateEncoder.YAML.apply(value);
        assertThat(enc.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).as(enc).isTrue();
        String doc = "k: \"" + enc + "\"\nother: 1\n";
        var tree = YAML.readTree(doc);
        assertThat(tree.get("k").asText()).isEqualTo(value);
        assertThat(tree.size()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"10.0.0.1", "fd00::1", "10.1.0.0/16", "65000", "true", "Mesh_10_0_0_2", "node-1.example", ""})
    void tokensPassAsTheyAre(String value) {
        assertThat(TemplateEncoder.TOKENS.apply(value)).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4;", "a\nb", "}", "{", "\"", "#", "a b", "ü", "\u0000"})
    void tokensRefuseEverythingElse(String value) {
        assertThatThrownBy(() -> TemplateEncoder.TOKENS.apply(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a token")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void overLongTokenIsRefused() {
        assertThatThrownBy(() -> TemplateEncoder.TOKENS.apply("a".repeat(TemplateEncoder.MAX_TOKEN + 1)))
                .hasMessageContaining("at most 253");
    }

    @Test
    void encoderFollowsTheTemplateName() {
        assertThat(TemplateEncoder.forTemplate(Path.of("t/bgp-speaker.yaml.mustache")))
                .isEqualTo(TemplateEncoder.YAML);
        assertThat(TemplateEncoder.forTemplate(Path.of("x.yml.mustache"))).isEqualTo(TemplateEncoder.YAML);
        assertThat(TemplateEncoder.forTemplate(Path.of("bird.conf.mustache"))).isEqualTo(TemplateEncoder.TOKENS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{{v}}}", "{{& v}}", "{{=<% %>=}}<%v%>", "{{ {v} }}"})
    void unescapedOutputIsRefused(String template) throws Exception {
        Files.writeString(dir.resolve("t.yaml.mustache"), "x: " + template + "\n");
        TemplateRenderer r = new TemplateRenderer(dir);
        assertThatThrownBy(() -> r.render(dir.resolve("t.yaml.mustache"), Map.of("v", "a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not allowed");
    }

    @Test
    void unescapedOutputInAPartialIsRefused() throws Exception {
        Files.writeString(dir.resolve("p.mustache"), "{{{v}}}");
        Files.writeString(dir.resolve("t.yaml.mustache"), "x: {{> p}}\n");
        assertThatThrownBy(() -> new TemplateRenderer(dir).render(dir.resolve("t.yaml.mustache"), Map.of("v", "a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not allowed");
    }

    @Test
    void helperLambdasEncodeRawEtcdText() throws Exception {
        TreeMap<String, String> kv = new TreeMap<>();
        kv.put("/calico/bgp/v1/host/n1/rr_cluster_id", "1.2.3.4;\n}\nprotocol bgp evil {");
        Files.writeString(dir.resolve("t.yaml.mustache"), "v: \"{{#getv}}/bgp/v1/host/n1/rr_cluster_id{{/getv}}\"\n");
        Files.writeString(
                dir.resolve("t.conf.mustache"), "rr cluster id {{#getv}}/bgp/v1/host/n1/rr_cluster_id{{/getv}};\n");
        TemplateRenderer r = new TemplateRenderer(dir);
        Map<String, Object> yamlCtx = new HashMap<>();
        Helpers.install(yamlCtx, TreeNode.build("/calico", kv, "n1"), kv, "/calico", TemplateEncoder.YAML);
        String yaml = r.render(dir.resolve("t.yaml.mustache"), yamlCtx);
        assertThat(YAML.readTree(yaml).get("v").asText())
                .isEqualTo(kv.firstEntry().getValue());
        assertThat(yaml.lines()).hasSize(1);
        Map<String, Object> birdCtx = new HashMap<>();
        Helpers.install(birdCtx, TreeNode.build("/calico", kv, "n1"), kv, "/calico", TemplateEncoder.TOKENS);
        assertThatThrownBy(() -> r.render(dir.resolve("t.conf.mustache"), birdCtx))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a token");
    }

    @Test
    void treeValuesGoThroughTheEncoder() throws Exception {
        TreeMap<String, String> kv = new TreeMap<>();
        kv.put("/calico/bgp/v1/host/n1/as_num", "1;\n}");
        Files.writeString(
                dir.resolve("t.conf.mustache"),
                "{{#tree.child.bgp.child.v1.child.host.child.n1.child.as_num}}as {{value}};{{/tree.child.bgp.child.v1.child.host.child.n1.child.as_num}}\n");
        Map<String, Object> ctx = new HashMap<>();
        Helpers.install(ctx, TreeNode.build("/calico", kv, "n1"), kv, "/calico", TemplateEncoder.TOKENS);
        assertThatThrownBy(() -> new TemplateRenderer(dir).render(dir.resolve("t.conf.mustache"), ctx))
                .hasMessageContaining("is not a token");
    }
}
