package org.calicojava.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InterfaceNamesTest {
    @Test
    void lengthIsCountedInUtf8Bytes() {
        assertThat(InterfaceNames.problem("eth0")).isNull();
        assertThat(InterfaceNames.problem("a".repeat(15))).isNull();
        assertThat(InterfaceNames.problem("\u00e9".repeat(7) + "a"))
                .as("15 bytes")
                .isNull();
        assertThat(InterfaceNames.problem("\u00e9".repeat(9))).isEqualTo("expected: at most 15 bytes in UTF-8, got 18");
        assertThat(InterfaceNames.problem("a".repeat(16))).isEqualTo("expected: at most 15 bytes in UTF-8, got 16");
        assertThatThrownBy(() -> new LinkSpec("\u00e9".repeat(8), "ipip", 0, null, null))
                .hasMessage("interface name: " + "\u00e9".repeat(8) + " (expected: at most 15 bytes in UTF-8, got 16)");
    }

    @Test
    void theKernelsOtherRules() {
        for (String bad : new String[] {"", ".", "..", "a/b", "a:b", "a b", "a\tb", "a\u00e0", "a\u0000"}) {
            assertThat(InterfaceNames.problem(bad)).as(bad).isNotNull();
        }
        assertThat(InterfaceNames.problem(null)).isNotNull();
        assertThat(InterfaceNames.problem("net@1")).isNull();
        assertThat(InterfaceNames.problem("a.b")).isNull();
    }
}
