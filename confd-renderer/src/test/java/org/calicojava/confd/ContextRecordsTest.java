package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The context's records refuse anything but validated tokens, even if a caller skipped ContextBuilder's checks. */
class ContextRecordsTest {
    @Test
    void peerRefusesUnvalidatedValues() {
        assertThat(new Peer("Mesh", "10.0.0.2", 4, 64512, true, false, true, "10.0.0.1", "n-2.x").name())
                .isEqualTo("Mesh_10_0_0_2");
        assertThatThrownBy(() -> new Peer("Mesh;", "10.0.0.2", 4, 64512, true, false, true, null, null))
                .hasMessageStartingWith("peer kind: ");
        assertThatThrownBy(() -> new Peer("Global", "10.0.0.2;\n}", 4, 64512, false, false, true, null, null))
                .hasMessageStartingWith("peer address: \"10.0.0.2;\\n}\"");
        assertThatThrownBy(() -> new Peer("Global", "10.0.0.2", 4, 0, false, false, true, null, null))
                .hasMessageStartingWith("AS number: 0");
        assertThatThrownBy(() -> new Peer("Node", "10.0.0.2", 4, 1, false, false, true, null, "a}b"))
                .hasMessageStartingWith("node name: ");
        assertThatThrownBy(() -> new Peer("Node", "10.0.0.2", 5, 1, false, false, true, null, null))
                .hasMessageStartingWith("peer version: 5");
        assertThatThrownBy(() ->
                        new Peer("Mesh", "10.0.0.2", 4, 1, false, false, true, null, null, null, false, null, true))
                .hasMessage("peer 10.0.0.2: gracefulNotification is for peers outside the mesh");
    }

    @Test
    void nodeInfoRefusesUnvalidatedValues() {
        assertThat(new NodeInfo("n1", "10.0.0.1", "fd00::1", 1, false, "224.000.0.1").rrClusterId())
                .isEqualTo("224.0.0.1");
        assertThatThrownBy(() -> new NodeInfo("n1\n", "10.0.0.1", null, 1, false, null))
                .hasMessageStartingWith("node name: ");
        assertThatThrownBy(() -> new NodeInfo("n1", "10.0.0.1 ", null, 1, false, null))
                .hasMessageStartingWith("node IPv4 address: ");
        assertThatThrownBy(() -> new NodeInfo("n1", "10.0.0.1", null, 1, false, HostileValuesTest.INJECTION))
                .hasMessageStartingWith("rr cluster id: ");
    }

    @Test
    void prefixRefusesUnvalidatedValues() {
        assertThat(new Prefix("10.1.0.0/16", 4, 16, 32, false, false).cidr()).isEqualTo("10.1.0.0/16");
        assertThatThrownBy(() -> new Prefix("10.1.0.0/16+ ] then accept; [", 4, 16, 32, false, false))
                .hasMessageStartingWith("prefix: ");
        assertThatThrownBy(() -> new Prefix("10.1.0.0;/16", 4, 16, 32, false, false))
                .hasMessageStartingWith("prefix: ");
        assertThatThrownBy(() -> new Prefix(null, 4, 16, 32, false, false)).hasMessageStartingWith("prefix: null");
    }
}
