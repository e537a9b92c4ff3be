package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.session.Await;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * ADD-PATH send (RFC 7911) over real TCP: A learns one prefix from B and from C; D negotiated ADD-PATH receive with A
 * and gets both paths, each with its own path id on the wire (as D's Adj-RIB-In decoded them); E without ADD-PATH gets
 * only the best. When B withdraws, D loses exactly B's path id and keeps C's.
 */
class AddPathTest {
    static final Duration T = Duration.ofSeconds(40);
    final int port = Ports.free();
    final String net = "127.0." + (50 + ThreadLocalRandom.current().nextInt(10)) + ".";
    final int base = 100 + 10 * ThreadLocalRandom.current().nextInt(15);
    final List<Node> nodes = new ArrayList<>();
    static final String POLICIES = "policies: {all: [{action: accept}]}";

    String ip(int i) {
        return net + (base + i);
    }

    String nb(int self, int peer, long as, String extra) {
        return "{address: " + ip(peer) + ", asNumber: " + as + (peer < self ? ", passive: true" : "") + extra + "}";
    }

    Node node(int i, long as, List<String> neighbors, String extra) {
        Node n = new Node(ip(i), port, Node.yaml(ip(i), as, port, neighbors, extra));
        nodes.add(n);
        return n;
    }

    static Set<Integer> ids(List<Path> paths) {
        return paths.stream().map(p -> p.pathId).collect(Collectors.toSet());
    }

    @Test
    void allPathsWithTheirOwnPathIds() {
        try {
            String all = ", import: [all], export: [all]";
            node(
                    1,
                    65001,
                    List.of(
                            nb(1, 2, 65002, all),
                            nb(1, 3, 65003, all),
                            nb(1, 4, 65004, all + ", addPath: send"),
                            nb(1, 5, 65005, all)),
                    POLICIES);
            String b = Node.yaml(
                    ip(2), 65002, port, List.of(nb(2, 1, 65001, all)), "originate: [10.77.0.0/24]\n" + POLICIES);
            Node nb = new Node(ip(2), port, b);
            nodes.add(nb);
            node(3, 65003, List.of(nb(3, 1, 65001, all)), "originate: [10.77.0.0/24]\n" + POLICIES);
            Node d = node(4, 65004, List.of(nb(4, 1, 65001, all + ", addPath: receive")), POLICIES);
            Node e = node(5, 65005, List.of(nb(5, 1, 65001, all)), POLICIES);

            Await.until("D has both paths", T, () -> d.paths("10.77.0.0/24").size() == 2);
            List<Path> ps = d.paths("10.77.0.0/24");
            assertThat(ps).allSatisfy(p -> assertThat(p.from.address).isEqualTo(Ip.parse(ip(1))));
            assertThat(ids(ps)).hasSize(2).doesNotContain(0);
            assertThat(ps.stream().map(p -> p.attrs.asPath().toString()).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder("65001 65002", "65001 65003");
            int cId = ps.stream()
                    .filter(p -> p.attrs.asPath().toString().endsWith("65003"))
                    .findFirst()
                    .orElseThrow()
                    .pathId;

            Await.until("E has the best path", T, () -> e.best("10.77.0.0/24") != null);
            assertThat(e.paths("10.77.0.0/24")).hasSize(1);
            assertThat(e.paths("10.77.0.0/24").get(0).pathId).isZero(); // no ADD-PATH with E: no path id

            nb.reload(Node.yaml(ip(2), 65002, port, List.of(nb(2, 1, 65001, all)), POLICIES)); // B withdraws
            Await.until(
                    "D keeps only C's path", T, () -> d.paths("10.77.0.0/24").size() == 1);
            assertThat(d.paths("10.77.0.0/24").get(0).pathId).isEqualTo(cId);
            assertThat(d.paths("10.77.0.0/24").get(0).attrs.asPath().toString()).isEqualTo("65001 65003");
            assertThat(e.paths("10.77.0.0/24")).hasSize(1);
        } finally {
            for (Node n : nodes) {
                n.close();
            }
        }
    }
}
