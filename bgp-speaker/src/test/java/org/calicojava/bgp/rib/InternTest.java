package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.bgp.session.Await;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * The intern maps forget what no destination uses: B re-announces its prefix with a new MED three times, A's replaced
 * paths are dropped by the compaction, and interning keeps working after it.
 */
class InternTest {
    static final Duration T = Duration.ofSeconds(40);
    final int port = Ports.free();
    final String net = "127.0." + (50 + ThreadLocalRandom.current().nextInt(10)) + ".";
    final int base = 150 + 10 * ThreadLocalRandom.current().nextInt(5);

    String ip(int i) {
        return net + (base + i);
    }

    String b(int med) {
        return Node.yaml(
                ip(2),
                65002,
                port,
                List.of("{address: " + ip(1) + ", asNumber: 65001, import: [all], export: [m]}"),
                "originate: [10.81.0.0/24]\npolicies: {all: [{action: accept}], m: [{action: accept, set: {med: " + med
                        + "}}]}");
    }

    @Test
    void replacedPathsAreForgotten() {
        List<Node> nodes = new ArrayList<>();
        try {
            Node a = new Node(
                    ip(1),
                    port,
                    Node.yaml(
                            ip(1),
                            65001,
                            port,
                            List.of("{address: " + ip(2)
                                    + ", asNumber: 65002, passive: true, import: [all], export: [all]}"),
                            "policies: {all: [{action: accept}]}"));
            nodes.add(a);
            Node nb = new Node(ip(2), port, b(1));
            nodes.add(nb);
            Await.until(
                    "A has MED 1",
                    T,
                    () -> a.best("10.81.0.0/24") != null
                            && a.best("10.81.0.0/24").attrs.med() == 1);
            for (int med = 2; med <= 4; med++) {
                nb.reload(b(med));
                int m = med;
                Await.until(
                        "A has MED " + m,
                        T,
                        () -> a.best("10.81.0.0/24") != null
                                && a.best("10.81.0.0/24").attrs.med() == m);
            }
            assertThat(a.rib.call(a.rib::internedPaths)).isGreaterThanOrEqualTo(4);
            assertThat(a.rib.call(a.rib::compactInterned)).isGreaterThanOrEqualTo(3);
            assertThat(a.rib.call(a.rib::internedPaths)).isEqualTo(1);

            nb.reload(b(1)); // an attribute set seen before the compaction, interned anew
            Await.until(
                    "A has MED 1 again",
                    T,
                    () -> a.best("10.81.0.0/24") != null
                            && a.best("10.81.0.0/24").attrs.med() == 1);
            assertThat(a.paths("10.81.0.0/24")).hasSize(1);
        } finally {
            for (Node n : nodes) {
                n.close();
            }
        }
    }
}
