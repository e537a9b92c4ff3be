package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void escapesWhatCouldForgeALine() {
        assertThat(LogText.quote("a\nWARN forged\r\t\"x\"\\")).isEqualTo("\"a\\nWARN forged\\r\\t\\\"x\\\"\\\\\"");
        assertThat(LogText.quote("\u0000\u001b[31m\u2028")).isEqualTo("\"\\u0000\\u001b[31m\\u2028\"");
        assertThat(LogText.quote(null)).isEqualTo("null");
    }

    @Test
    void cutsLongText() {
        String q = LogText.quote("x".repeat(1000));
        assertThat(q).startsWith("\"xxx").endsWith("\"...(800 more)").hasSize(LogText.MAX + 2 + 13);
        assertThat(q).doesNotContain("\n");
    }
}
