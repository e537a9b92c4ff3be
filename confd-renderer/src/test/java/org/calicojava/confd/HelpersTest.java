package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The generic template helpers (README examples), rendered through mustache.java as templates use them. */
class HelpersTest {
    @TempDir
    Path dir;

    private String render(String template, Fixtures f, String node) throws IOException {
        Path t = dir.resolve("t" + template.hashCode() + ".mustache");
        Files.writeString(t, template);
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("nodeName", node);
        Helpers.install(ctx, TreeNode.build(f.keys.root(), f.kv, node), f.kv, f.keys.root());
        return new TemplateRenderer(dir).render(t, ctx);
    }

    private static Fixtures sample() {
        return new Fixtures()
                .node("b", "10.0.0.2", null)
                .node("a", "10.0.0.1", "fd00::1")
                .globalAs("65000")
                .mesh(false)
                .globalPeer("192.0.2.1", "65100");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // children of a key, sorted, with the last path segment
                "{{#tree.child.bgp.child.v1.child.host.children}}{{name}};{{/tree.child.bgp.child.v1.child.host.children}}|a;b;",
                // is this my node
                "{{#tree.child.bgp.child.v1.child.host.children}}{{name}}{{#mine}}*{{/mine}};{{/tree.child.bgp.child.v1.child.host.children}}|a;b*;",
                // a value, and a JSON field of a value
                "{{tree.child.bgp.child.v1.child.global.child.as_num.value}}|65000",
                "{{#tree.child.bgp.child.v1.child.global.child.node_mesh.json}}enabled={{enabled}}{{/tree.child.bgp.child.v1.child.global.child.node_mesh.json}}|enabled=false",
                // children whose names have dots: iterate, then read their JSON
                "{{#tree.child.bgp.child.v1.child.global.child.peer_v4.children}}{{name}} as {{json.as_num}}{{/tree.child.bgp.child.v1.child.global.child.peer_v4.children}}|192.0.2.1 as 65100",
                // lambdas: base, underscores, getv, jsonField
                "{{#base}}/calico/bgp/v1/host/b{{/base}}|b",
                "{{#underscores}}fd00::1{{/underscores}} {{#underscores}}10.0.0.1{{/underscores}}|fd00__1 10_0_0_1",
                "{{#getv}}/bgp/v1/host/{{nodeName}}/ip_addr_v4{{/getv}}|10.0.0.2",
                "[{{#getv}}/bgp/v1/host/nobody/ip_addr_v4{{/getv}}]|[]",
                "{{#jsonField}}/bgp/v1/global/peer_v4/192.0.2.1 as_num{{/jsonField}}|65100",
                "{{#tree.child.bgp.child.v1.child.host.child.zz.exists}}yes{{/tree.child.bgp.child.v1.child.host.child.zz.exists}}{{^tree.child.bgp.child.v1.child.host.child.zz}}none{{/tree.child.bgp.child.v1.child.host.child.zz}}|none",
            })
    void helper(String template, String expected) throws IOException {
        assertThat(render(template, sample(), "b")).isEqualTo(expected);
    }

    @Test
    void treeAtWalksSegmentsWithDots() {
        Fixtures f = sample();
        TreeNode root = TreeNode.build("/calico", f.kv, "a");
        assertThat(root.at("bgp/v1/global/peer_v4/192.0.2.1").name()).isEqualTo("192.0.2.1");
        assertThat(root.at("/bgp/v1/host/a/ip_addr_v6").value()).isEqualTo("fd00::1");
        assertThat(root.at("bgp/v1/nothing")).isNull();
        assertThat(root.at("bgp/v1/host").children()).extracting(TreeNode::name).containsExactly("a", "b");
    }
}
