package org.calicojava.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.bgp.rib.Node;
import org.calicojava.bgp.session.Await;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * ADD-PATH send (RFC 7911) to a real gobgpd that negotiated ADD-PATH receive: our speaker A learns 10.78.0.0/24 from B
 * and from C (our speakers) and GoBGP gets both paths from A, each with its own path identifier; when B withdraws,
 * GoBGP keeps exactly C's. GoBGP refuses loopback NEXT_HOPs, so A sets 203.0.113.10.
 */
class AddPathGoBgpIT {
    static final Duration T = Duration.ofSeconds(40);
    final int port = Ports.free(0, 1000);
    final String net = "127.0." + (50 + ThreadLocalRandom.current().nextInt(10)) + ".";
    final int base = 10 + 10 * ThreadLocalRandom.current().nextInt(8);
    static final String ALL = ", import: [all], export: [all]", POLICIES = "policies: {all: [{action: accept}]}";

    String ip(int i) {
        return net + (base + i);
    }

    String nb(int peer, long as, String extra) {
        return "{address: " + ip(peer) + ", asNumber: " + as + extra + "}";
    }

    GoBgp gobgp() {
        return new GoBgp("""
                global:
                  config:
                    as: 65020
                    router-id: %s
                    port: %d
                    local-address-list: ["%s"]
                neighbors:
                  - config:
                      neighbor-address: %s
                      peer-as: 65001
                    timers:
                      config: {connect-retry: 1, hold-time: 9, keepalive-interval: 3}
                    transport:
                      config: {local-address: %s, remote-port: %d, passive-mode: true}
                    afi-safis:
                      - config: {afi-safi-name: ipv4-unicast}
                        add-paths:
                          config: {receive: true}
                """.formatted(ip(3), port, ip(3), ip(0), ip(3), port), port + 1000);
    }

    @Test
    void gobgpGetsEveryPathWithItsOwnId() {
        List<Node> nodes = new ArrayList<>();
        try (GoBgp g = gobgp()) {
            nodes.add(new Node(
                    ip(0),
                    port,
                    Node.yaml(
                            ip(0),
                            65001,
                            port,
                            List.of(
                                    nb(1, 65002, ", passive: true" + ALL),
                                    nb(2, 65003, ", passive: true" + ALL),
                                    nb(3, 65020, ALL + ", addPath: send")),
                            "nextHop: {ipv4: 203.0.113.10}\n" + POLICIES)));
            String b =
                    Node.yaml(ip(1), 65002, port, List.of(nb(0, 65001, ALL)), "originate: [10.78.0.0/24]\n" + POLICIES);
            Node nodeB = new Node(ip(1), port, b);
            nodes.add(nodeB);
            nodes.add(new Node(
                    ip(2),
                    port,
                    Node.yaml(
                            ip(2), 65003, port, List.of(nb(0, 65001, ALL)), "originate: [10.78.0.0/24]\n" + POLICIES)));

            Await.until(
                    "both paths in GoBGP",
                    T,
                    () -> lines(g).size() == 2,
                    () -> g.gobgp("neighbor", ip(0), "adj-in", "-a", "ipv4") + g.output());
            List<String> ls = lines(g);
            assertThat(ls)
                    .anySatisfy(l -> assertThat(l).contains("65001 65002"))
                    .anySatisfy(l -> assertThat(l).contains("65001 65003"));
            assertThat(ls).allSatisfy(l -> assertThat(l).contains("203.0.113.10"));
            List<String> ids =
                    ls.stream().map(l -> l.trim().split("\\s+")[0]).distinct().toList();
            assertThat(ids).hasSize(2).doesNotContain("0");
            String cId = ls.stream()
                    .filter(l -> l.contains("65001 65003"))
                    .findFirst()
                    .orElseThrow()
                    .trim()
                    .split("\\s+")[0];

            nodeB.reload(Node.yaml(ip(1), 65002, port, List.of(nb(0, 65001, ALL)), POLICIES)); // B withdraws
            Await.until(
                    "only C's path left in GoBGP",
                    T,
                    () -> lines(g).size() == 1,
                    () -> g.gobgp("neighbor", ip(0), "adj-in", "-a", "ipv4"));
            String left = lines(g).get(0);
            assertThat(left).contains("65001 65003");
            assertThat(left.trim().split("\\s+")[0]).isEqualTo(cId);
        } finally {
            for (Node n : nodes) {
                n.close();
            }
        }
    }

    /** GoBGP's adj-in lines for the prefix (first column: the path identifier). */
    List<String> lines(GoBgp g) {
        return g.gobgp("neighbor", ip(0), "adj-in", "-a", "ipv4")
                .lines()
                .filter(l -> l.contains("10.78.0.0/24"))
                .toList();
    }
}
