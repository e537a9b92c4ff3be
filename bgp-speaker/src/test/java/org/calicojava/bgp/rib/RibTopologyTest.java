package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.session.Await;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * Speakers with their RIBs over real TCP on 127.x.y.z (kernel off): which node sees which path with which attributes,
 * best-path changes on reload of policy and originated routes, route reflection with loop prevention, graceful restart.
 */
class RibTopologyTest {
    static final Duration T = Duration.ofSeconds(40);
    final int port = Ports.free();
    final String net = "127.4." + (1 + ThreadLocalRandom.current().nextInt(250)) + ".";
    final List<Node> nodes = new ArrayList<>();

    String ip(int i) {
        return net + i;
    }

    /** iBGP neighbour entry: the lower address connects, the higher waits. */
    String nb(int self, int peer, long as, String extra) {
        return "{address: " + ip(peer) + ", asNumber: " + as + (peer < self ? ", passive: true" : "") + extra + "}";
    }

    Node node(int i, long as, List<String> neighbors, String extra) {
        Node n = new Node(ip(i), port, Node.yaml(ip(i), as, port, neighbors, extra));
        nodes.add(n);
        return n;
    }

    void closeAll() {
        for (Node n : nodes) {
            n.close();
        }
    }

    @Test
    void fullMeshOfThreeThenReloadChangesBestPathsWithoutResettingSessions() {
        try {
            Node a = node(1, 65000, List.of(nb(1, 2, 65000, ""), nb(1, 3, 65000, "")), "originate: [10.1.0.0/24]");
            Node b = node(2, 65000, List.of(nb(2, 1, 65000, ""), nb(2, 3, 65000, "")), "originate: [10.2.0.0/24]");
            Node c = node(3, 65000, List.of(nb(3, 1, 65000, ""), nb(3, 2, 65000, "")), "");
            Await.until(
                    "C has A's and B's routes",
                    T,
                    () -> c.best("10.1.0.0/24") != null && c.best("10.2.0.0/24") != null);
            Path p = c.best("10.1.0.0/24");
            assertThat(p.from.address).isEqualTo(Ip.parse(ip(1)));
            assertThat(Ip.v4String(p.attrs.nextHop())).isEqualTo(ip(1)); // next hop self toward the mesh
            assertThat(p.attrs.localPref()).isEqualTo(100);
            assertThat(p.attrs.asPath().isEmpty()).isTrue();
            Await.until("B has A's route", T, () -> b.best("10.1.0.0/24") != null);
            assertThat(c.paths("10.1.0.0/24")).hasSize(1); // B does not re-advertise an iBGP route
            assertThat(a.paths("10.2.0.0/24")).hasSize(1);

            Instant ca = c.speaker.peer(ip(1)).since(),
                    cb = c.speaker.peer(ip(2)).since();
            // B originates 10.1.0.0/24 too: equal paths, A wins on the router id
            b.reload(Node.yaml(
                    ip(2),
                    65000,
                    port,
                    List.of(nb(2, 1, 65000, ""), nb(2, 3, 65000, "")),
                    "originate: [10.2.0.0/24, 10.1.0.0/24]"));
            Await.until("C has two paths", T, () -> c.paths("10.1.0.0/24").size() == 2);
            assertThat(c.best("10.1.0.0/24").from.address).isEqualTo(Ip.parse(ip(1)));
            assertThat(c.rib.showRoute(org.calicojava.bgp.codec.Prefix.parse("10.1.0.0/24"), true))
                    .contains("(lost: lower router id)");
            // C's import policy lowers A's local preference: B wins, without a session reset
            c.reload(
                    Node.yaml(
                            ip(3),
                            65000,
                            port,
                            List.of(nb(3, 1, 65000, ", import: [low]"), nb(3, 2, 65000, "")),
                            "policies: {low: [{match: {prefixes: [10.1.0.0/24]}, action: accept, set: {localPref: 50}}, {action: accept}]}"));
            Await.until(
                    "B's path best at C",
                    T,
                    () -> c.best("10.1.0.0/24").from.address.equals(Ip.parse(ip(2))));
            assertThat(c.rib.showRoute(org.calicojava.bgp.codec.Prefix.parse("10.1.0.0/24"), true))
                    .contains("(lost: higher local preference)");
            // A withdraws; B's stays
            a.reload(Node.yaml(ip(1), 65000, port, List.of(nb(1, 2, 65000, ""), nb(1, 3, 65000, "")), ""));
            Await.until("A's path gone at C", T, () -> c.paths("10.1.0.0/24").size() == 1);
            assertThat(c.best("10.1.0.0/24").from.address).isEqualTo(Ip.parse(ip(2)));
            assertThat(c.speaker.peer(ip(1)).since()).isEqualTo(ca);
            assertThat(c.speaker.peer(ip(2)).since()).isEqualTo(cb);
            assertThat(c.rib.protocols())
                    .allSatisfy(r -> assertThat(r.get("state")).isEqualTo("Established"));
        } finally {
            closeAll();
        }
    }

    @Test
    void routeReflectorWithTwoClientsANonClientAndClusterLoopPrevention() {
        long as = 65000;
        String rr = "routeReflector: {clusterId: 9.9.9.9}";
        try {
            Node r = node(
                    10,
                    as,
                    List.of(
                            nb(10, 11, as, ", rrClient: true"),
                            nb(10, 12, as, ", rrClient: true"),
                            nb(10, 13, as, ""),
                            nb(10, 14, as, "")),
                    rr);
            Node c1 = node(11, as, List.of(nb(11, 10, as, ""), nb(11, 14, as, "")), "originate: [10.11.0.0/24]");
            Node c2 = node(12, as, List.of(nb(12, 10, as, "")), "");
            Node n = node(13, as, List.of(nb(13, 10, as, "")), "originate: [10.13.0.0/24]");
            Node r2 = node(14, as, List.of(nb(14, 10, as, ""), nb(14, 11, as, ", rrClient: true")), rr);
            Await.until(
                    "C2 and N have C1's route",
                    T,
                    () -> c2.best("10.11.0.0/24") != null && n.best("10.11.0.0/24") != null);
            for (Node x : List.of(c2, n)) {
                Path p = x.best("10.11.0.0/24");
                assertThat(Ip.v4String(p.attrs.nextHop()))
                        .as("reflected next hop kept")
                        .isEqualTo(ip(11));
                assertThat(p.attrs.originatorId()).isEqualTo(Ip.v4Int(ip(11)) & 0xffffffffL);
                assertThat(p.attrs.clusterList()).containsExactly(Ip.v4Int("9.9.9.9"));
            }
            Await.until(
                    "clients have N's route",
                    T,
                    () -> c1.best("10.13.0.0/24") != null && c2.best("10.13.0.0/24") != null);
            assertThat(c1.best("10.13.0.0/24").attrs.clusterList()).containsExactly(Ip.v4Int("9.9.9.9"));
            // R2 (same cluster) gets C1's route from C1 directly and from R with our cluster id in CLUSTER_LIST:
            // refused
            Await.until(
                    "R2 has both paths",
                    T,
                    () -> r2.paths("10.11.0.0/24").size() == 2,
                    () -> r2.paths("10.11.0.0/24").toString());
            assertThat(r2.paths("10.11.0.0/24"))
                    .filteredOn(p -> p.from.address.equals(Ip.parse(ip(10))))
                    .singleElement()
                    .satisfies(p -> assertThat(p.attrs).as("cluster loop").isNull());
            assertThat(r2.best("10.11.0.0/24").from.address).isEqualTo(Ip.parse(ip(11)));
            // a non-client's route is not reflected to another non-client
            assertThat(r2.best("10.13.0.0/24")).isNull();
            assertThat(n.paths("10.13.0.0/24"))
                    .allSatisfy(p -> assertThat(p.from).isNull());
        } finally {
            closeAll();
        }
    }

    @Test
    void gracefulRestartKeepsRoutesStaleThenSweeps() {
        String gr = ", gracefulRestart: {restartTime: 4}";
        try {
            Node a = node(21, 65000, List.of(nb(21, 22, 65000, gr)), "");
            Node b = new Node(
                    ip(22),
                    port,
                    Node.yaml(
                            ip(22),
                            65000,
                            port,
                            List.of(nb(22, 21, 65000, gr)),
                            "originate: [10.22.0.0/24, 10.23.0.0/24]"));
            Await.until("A has B's routes", T, () -> a.best("10.22.0.0/24") != null && a.best("10.23.0.0/24") != null);
            b.speaker.close(true); // no NOTIFICATION: a restart
            b.rib.close();
            Await.until(
                    "A marks B's routes stale",
                    T,
                    () -> !a.up(ip(22)) && a.best("10.22.0.0/24") != null && a.best("10.22.0.0/24").stale);
            assertThat(a.best("10.23.0.0/24")).isNotNull();
            Node b2 = node(22, 65000, List.of(nb(22, 21, 65000, gr)), "originate: [10.22.0.0/24]");
            Await.until(
                    "B's End-of-RIB sweeps what it did not send again",
                    T,
                    () -> a.best("10.23.0.0/24") == null
                            && a.best("10.22.0.0/24") != null
                            && !a.best("10.22.0.0/24").stale);
            b2.speaker.close(true);
            Await.until("stale again", T, () -> a.best("10.22.0.0/24") != null && a.best("10.22.0.0/24").stale);
            Await.until("swept after the restart time", T, () -> a.best("10.22.0.0/24") == null);
        } finally {
            closeAll();
        }
    }
}
