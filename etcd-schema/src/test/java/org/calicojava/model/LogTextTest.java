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
    void escapesWhatReordersALine() {
        // a right-to-left override in a peer's name would show "evil" as "live" and hide what follows
        assertThat(LogText.quote("peer\u202eevil\u2066x\u200f")).isEqualTo("\"peer\\u202eevil\\u2066x\\u200f\"");
        assertThat(LogText.quote("caf\u00e9 \u00e4")).isEqualTo("\"caf\u00e9 \u00e4\""); // letters stay
    }

    @Test
    void oneLineEscapesTheSameAndKeepsQuotes() {
        assertThat(LogText.oneLine("key \"a\nb\": bad\u202e")).isEqualTo("key \"a\\nb\": bad\\u202e");
        assertThat(LogText.oneLine(null)).isEqualTo("null");
        assertThat(LogText.oneLine("x".repeat(1000))).hasSize(1000);
    }

    @Test
    void cutsLongText() {
        String q = LogText.quote("x".repeat(1000));
        assertThat(q).startsWith("\"xxx").endsWith("\"...(800 more)").hasSize(LogText.MAX + 2 + 13);
        assertThat(q).doesNotContain("\n");
    }
}
