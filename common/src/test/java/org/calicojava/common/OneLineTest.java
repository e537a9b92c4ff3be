package org.calicojava.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OneLineTest {
    @Test
    void lineBreaksAndTabsAreWrittenAsTheirEscapes() {
        assertThat(OneLine.of("a\nWARN forged\r\tb")).isEqualTo("a\\nWARN forged\\r\\tb");
        assertThat(OneLine.of(null)).isEqualTo("(no message)");
    }

    @Test
    void otherControlsSeparatorsAndBidiMarksAreEscapedByCode() {
        // a terminal escape would recolour the log, U+2028 ends a line in some viewers, U+202E reverses what follows
        assertThat(OneLine.of("\u0000\u001b[31m\u007f\u0085\u2028\u2029x\u202ey\u2066\u061c"))
                .isEqualTo("\\u0000\\u001b[31m\\u007f\\u0085\\u2028\\u2029x\\u202ey\\u2066\\u061c");
    }

    @Test
    void textThatIsAlreadyOneLineStaysAsItIs() {
        String s = "peer 10.0.0.1: \"caf\u00e9\" \\ 100% {ok}";
        assertThat(OneLine.of(s)).isEqualTo(s);
        assertThat(OneLine.escape("x".repeat(5000))).hasSize(5000); // nothing cut
    }
}
