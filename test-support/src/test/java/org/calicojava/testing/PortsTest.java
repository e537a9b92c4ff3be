package org.calicojava.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {
    @Test
    void blocksAreBelowTheEphemeralRangeBindableAndNeverGivenTwice() throws Exception {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int p = Ports.free(0, 1);
            assertThat(p).isBetween(20000, 32766);
            assertThat(seen.add(p)).isTrue();
            assertThat(seen.add(p + 1)).isTrue();
        }
        int p = Ports.free();
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", p));
            assertThat(s.getLocalPort()).isEqualTo(p);
        }
    }
}
