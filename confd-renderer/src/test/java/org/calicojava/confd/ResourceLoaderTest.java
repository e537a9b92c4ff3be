package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ResourceLoaderTest {
    @TempDir
    Path dir;

    private void write(String name, String text) throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d").resolve(name), text);
    }

    @Test
    void tomlAndYamlWithNodeNameAndDestRoot() throws IOException {
        write("a.toml", """
                [template]
                src = "a.mustache"
                dest = "/etc/a.conf"
                keys = ["/bgp/v1/host/NODENAME", "/ipam/v2/host/NODENAME/ipv4/block"]
                mode = "0600"
                check_cmd = "check {{.src}}"
                reload_cmd = "reload"
                """);
        write("b.yaml", """
                template:
                  src: b.mustache
                  dest: /etc/b.conf
                  keys: [/bgp/v1/global]
                  mode: "0640"
                """);
        write("ignored.txt", "x");
        List<TemplateResource> rs = new ResourceLoader(dir, "node1", "/calico", Path.of("/tmp/root")).load();
        assertThat(rs).extracting(TemplateResource::name).containsExactly("a", "b");
        TemplateResource a = rs.get(0);
        assertThat(a.keys()).containsExactly("/calico/bgp/v1/host/node1", "/calico/ipam/v2/host/node1/ipv4/block");
        assertThat(a.dest()).isEqualTo(Path.of("/tmp/root/etc/a.conf"));
        assertThat(a.src()).isEqualTo(dir.resolve("templates/a.mustache"));
        assertThat(a.mode()).isEqualTo(0600);
        assertThat(a.checkCommandFor(Path.of("/x/.a.conf.1.tmp"))).isEqualTo("check /x/.a.conf.1.tmp");
        assertThat(a.watches("/calico/bgp/v1/host/node1/ip_addr_v4")).isTrue();
        assertThat(a.watches("/calico/bgp/v1/host/node10/ip_addr_v4")).isFalse();
        assertThat(rs.get(1).mode()).isEqualTo(0640);
        assertThat(rs.get(1).dest()).isEqualTo(Path.of("/tmp/root/etc/b.conf"));
        assertThat(rs.get(1).checkCmd()).isNull();
    }

    static Stream<Arguments> bad() {
        String ok = "[template]\nsrc = \"a\"\ndest = \"/a\"\nkeys = [\"/x\"]\n";
        return Stream.of(
                Arguments.of("[template]\nsrc = \"a\"\nkeys = [\"/x\"]", "a.toml: a: dest: missing"),
                Arguments.of("[template]\ndest = \"/a\"\nkeys = [\"/x\"]", "a.toml: a: src: missing"),
                Arguments.of("[template]\nsrc = \"a\"\ndest = \"/a\"", "a.toml: a: keys: missing"),
                Arguments.of("[template]\nsrc = \"a\"\ndest = \"/a\"\nkeys = \"/x\"", "a.toml: keys: expected a list"),
                Arguments.of(ok + "mode = \"9\"", "a.toml: mode: '9' (expected: octal"),
                Arguments.of(ok + "srcc = \"a\"", "a.toml: unknown field 'srcc'"),
                Arguments.of(ok + "dest2 = 5", "a.toml: unknown field 'dest2'"),
                Arguments.of("[other]\nsrc = \"a\"", "a.toml: no [template] table"),
                Arguments.of("[template]\nsrc = 'a", "a.toml: line 2: "),
                Arguments.of(ok + "mode = 0644", "a.toml: line 5: Zero-prefixed ints are not valid"),
                Arguments.of(ok + "src = \"b\"", "a.toml: line 5: Duplicate key"),
                Arguments.of("[template]\n[template]", "a.toml: line 2: Table redefined"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("bad")
    void badResourcesNameFileAndField(String toml, String message) throws IOException {
        write("a.toml", toml);
        assertThatThrownBy(() -> new ResourceLoader(dir, "n", "/calico", null).load())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @ParameterizedTest
    @CsvSource({"'\"0644\"', 420", "0o755, 493", "420, 420", "'\"0o600\"', 384"})
    void tomlModes(String tomlValue, int expected) throws IOException {
        write(
                "m.toml",
                "[template]\nsrc = \"m\"\ndest = \"/m\"\nkeys = [\n  \"/x\", # a comment\n]\nmode = " + tomlValue
                        + "\n");
        assertThat(new ResourceLoader(dir, "n", "/calico", null).load().get(0).mode())
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"0640, 416", "\"0640\", 416", "'\"0600\"', 384", "420, 420", "0o755, 493"})
    void yamlModes(String yamlValue, int expected) throws IOException {
        write("m.yaml", "template:\n  src: m\n  dest: /m\n  keys: [/x]\n  mode: " + yamlValue + "\n");
        assertThat(new ResourceLoader(dir, "n", "/calico", null).load().get(0).mode())
                .isEqualTo(expected);
    }

    @Test
    void emptyOrMissingConfDir() throws IOException {
        assertThatThrownBy(() -> new ResourceLoader(dir, "n", "/calico", null).load())
                .hasMessageContaining("no conf.d directory");
        Files.createDirectories(dir.resolve("conf.d"));
        assertThatThrownBy(() -> new ResourceLoader(dir, "n", "/calico", null).load())
                .hasMessageContaining("no *.toml or *.yaml template resources");
    }

    @ParameterizedTest
    @CsvSource({"/a/b, /a/c, /a/", "/calico/bgp/v1/host/n, /calico/v1/ipam, /calico/", "/x, /y, /", "/a/b, /a/b, /a/b/"
    })
    void commonPrefix(String p1, String p2, String expected) {
        assertThat(KeyPrefixes.common(List.of(p1, p2))).isEqualTo(expected);
    }
}
