package org.calicojava.confd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TomlParserTest {

    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("a = \"x\"", "x"),
                Arguments.of("a = 'C:\\no\\escape'", "C:\\no\\escape"),
                Arguments.of("a = \"tab\\there \\\"q\\\" \\u0041\"", "tab\there \"q\" A"),
                Arguments.of("a = \"{{.src}}\"", "{{.src}}"),
                Arguments.of("a = 42", 42L),
                Arguments.of("a = 0644", 420L),     // confd-style unquoted mode: octal
                Arguments.of("a = 0o755", 493L),
                Arguments.of("a = 1_000", 1000L),
                Arguments.of("a = true", true),
                Arguments.of("a = false # comment", false),
                Arguments.of("a = []", List.of()),
                Arguments.of("a = [\"x\", 'y',]", List.of("x", "y")),
                Arguments.of("a = [\n  \"x\", # first\n  \"y\"\n]", List.of("x", "y")),
                Arguments.of("\"quoted key\" = 1", 1L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void parsesValue(String doc, Object expected) {
        Map<String, Object> top = TomlParser.parse(doc).get("");
        assertThat(top.values()).containsExactly(expected);
    }

    @Test
    void parsesConfdTemplateResource() {
        String doc = """
                # a comment
                [template]
                src = "bird.conf.mustache"
                dest = "/etc/bird/bird.conf"
                keys = [
                  "/bgp/v1/host/NODENAME",
                  "/bgp/v1/global",
                ]
                mode = "0644"
                check_cmd = "bird -p -c {{.src}}"
                reload_cmd = "birdc configure"
                """;
        Map<String, Map<String, Object>> t = TomlParser.parse(doc);
        assertThat(t).containsOnlyKeys("template");
        assertThat(t.get("template")).containsEntry("keys", List.of("/bgp/v1/host/NODENAME", "/bgp/v1/global"))
                .containsEntry("check_cmd", "bird -p -c {{.src}}").containsEntry("mode", "0644");
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("a = \"open", "line 1: unterminated string"),
                Arguments.of("a = 1.5", "line 1: unsupported value '1.5'"),
                Arguments.of("x\n\na = {b = 1}", "line 1: '=' expected"),
                Arguments.of("a = 1\nb = {b = 1}", "line 2: unsupported value '{b'"),
                Arguments.of("a = 1\na = 2", "line 2: key 'a' defined twice"),
                Arguments.of("[t]\n[t]", "line 2: table [t] defined twice"),
                Arguments.of("a = [1 2]", "line 1: ',' or ']' expected in array"),
                Arguments.of("a = 1 b = 2", "line 1: unexpected 'b' (expected: end of line)"),
                Arguments.of("a = \"\\x\"", "line 1: unknown escape \\x"),
                Arguments.of("a = [1,", "line 1: unexpected end of file"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void refusesWithLineNumber(String doc, String message) {
        assertThatThrownBy(() -> TomlParser.parse(doc)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }
}
