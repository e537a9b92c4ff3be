package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TableTest {
    private static String render(Table t, String format) {
        StringWriter s = new StringWriter();
        t.print(new PrintWriter(s), format);
        return s.toString();
    }

    @Test
    void alignedWithMultiLineCells() {
        Table t = new Table("Name", "Peers").row("h1", "10.0.0.1\n10.0.0.22").row("host-two", "");
        assertThat(render(t, "table")).isEqualTo("""
                +----------+-----------+
                | Name     | Peers     |
                +----------+-----------+
                | h1       | 10.0.0.1  |
                |          | 10.0.0.22 |
                | host-two |           |
                +----------+-----------+
                """);
        assertThat(render(t, "json")).contains("\"name\" : \"h1\"");
        assertThat(render(t, "yaml"))
                .isEqualTo("- name: \"h1\"\n  peers: \"10.0.0.1\\n10.0.0.22\"\n- name: \"host-two\"\n  peers: \"\"\n");
    }
}
