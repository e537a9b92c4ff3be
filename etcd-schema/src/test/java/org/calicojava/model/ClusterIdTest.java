package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterIdTest {
    static Stream<Arguments> good() {
        return Stream.of(
                Arguments.of("1.2.3.4", "1.2.3.4", 16909060L),
                Arguments.of("  224.0.0.1\n", "224.0.0.1", 3758096385L),
                Arguments.of("\"10.0.0.1\"", "10.0.0.1", 167772161L),
                Arguments.of("001.002.003.004", "1.2.3.4", 16909060L),
                Arguments.of("255.255.255.255", "255.255.255.255", 4294967295L),
                Arguments.of("0.0.0.0", "0.0.0.0", 0L));
    }

    @ParameterizedTest
    @MethodSource("good")
    void acceptsDottedQuads(String text, String canonical, long number) {
        ClusterId id = ClusterId.parse(text);
        assertThat(id.value()).isEqualTo(canonical);
        assertThat(id.asLong()).isEqualTo(number);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "1.2.3",
                "1.2.3.4.5",
                "256.0.0.1",
                "1.2.3.4;",
                "1.2.3.4;\n}\nprotocol bgp x {",
                "1.2.3.4 x",
                "1.2.3.4\"",
                "\"1.2.3.4",
                "1.2.3.-4",
                "fd00::1",
                "1.2.3.4/32",
                "１.2.3.4",
                "1.2.3.4\u0000",
                "1234.2.3.4",
                "16909060",
                "a.b.c.d",
                "{\"x\":1}",
                "null"
            })
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> ClusterId.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("rr cluster id: ")
                .hasMessageEndingWith("(expected: an IPv4 dotted quad like 224.0.0.1)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void nullAndOverLongAreRefused() {
        assertThatThrownBy(() -> ClusterId.parse(null)).hasMessageContaining("missing");
        assertThatThrownBy(() -> new ClusterId("1".repeat(100_000))).hasMessageContaining("...(");
    }
}
