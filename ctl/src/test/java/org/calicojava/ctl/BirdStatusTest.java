package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BirdStatusTest {
    @Test
    void parsesBirdcShowProtocols() {
        String text = """
                BIRD 2.0.12 ready.
                Name       Proto      Table      State  Since         Info
                device1    Device     ---        up     17:10:35.123 \s
                kernel1    Kernel     master4    up     17:10:35.123 \s
                Mesh_172_30_0_12 BGP        ---        up     17:10:38.456  Established  \s
                Global_2001_db8__1 BGP      ---        start  17:10:35.123  Active        Socket: Connection refused
                Node_10_0_0_1 BGP        ---        start  17:10:35.123  Connect
                """;
        var s = NodeStatus.parseBird(text);
        assertThat(s).hasSize(3);
        assertThat(s.get(0))
                .isEqualTo(new NodeStatus.Session(
                        "172.30.0.12", "node-to-node mesh", "up", "17:10:38.456", "Established"));
        assertThat(s.get(1).address()).isEqualTo("2001:db8::1");
        assertThat(s.get(1).info()).isEqualTo("Active        Socket: Connection refused");
        assertThat(s.get(2).type()).isEqualTo("node specific");
    }

    @Test
    void parsesBirdcShowBfdSessions() {
        String text = """
                BIRD 2.0.12 ready.
                bfd1:
                IP address                Interface  State      Since         Interval  Timeout
                fd00:bf::1                bfb0       Up         14:07:12.749    0.100    0.300
                10.201.0.1                bfb0       Down       14:07:12.746    1.000    0.000
                """;
        assertThat(NodeStatus.parseBirdBfd(text))
                .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("fd00:bf::1", "Up", "10.201.0.1", "Down"));
    }
}
