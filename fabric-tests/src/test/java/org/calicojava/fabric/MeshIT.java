package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** Three hosts in a full node-to-node mesh: reachability, churn, policy across hosts. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshIT {
    static final String BACKEND = System.getProperty("fabric.backend", "java");
    private Fabric f;
    private final String[][] ips = new String[4][3];

    @BeforeAll
    void up() {
        f = new Fabric(3, "--backend", BACKEND);
        f.javactlOk("pool", "add", "10.65.0.0/16");
        f.javactlOk("profile", "add", "demo");
        for (int h = 1; h <= 3; h++) {
            ips[h][1] = f.addWorkload(h, "w1", "demo");
            ips[h][2] = f.addWorkload(h, "w2", "demo");
        }
        f.awaitSessions(2, Duration.ofMinutes(3));
    }

    @AfterAll
    void down() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    @Order(1)
    void everyWorkloadReachesEveryOtherAcrossHosts() {
        for (int from = 1; from <= 3; from++) {
            for (int to = 1; to <= 3; to++) {
                for (int w = 1; w <= 2; w++) {
                    int a = from;
                    String ip = ips[to][w];
                    Fabric.eventually(Duration.ofSeconds(60), "h" + a + "-w1 reaches " + ip, () -> f.ping(a, "w1", ip));
                }
            }
        }
        assertThat(f.routes(1))
                .containsPattern("10\\.65\\.0\\.64/26 via 192\\.0\\.2\\.12 dev eth0 proto (bird|186|bgp)")
                .containsPattern("10\\.65\\.0\\.128/26 via 192\\.0\\.2\\.13 dev eth0 proto (bird|186|bgp)");
        assertThat(f.nodeStatus(2)).contains("calico-java is running.").contains("node-to-node mesh");
    }

    @Test
    @Order(2)
    void aNewWorkloadIsReachableAndARemovedOneDisappears() {
        String ip = f.addWorkload(2, "w3", "demo");
        long t0 = System.nanoTime();
        Fabric.eventually(Duration.ofSeconds(30), "h1 reaches the new " + ip, () -> f.ping(1, "w1", ip));
        Fabric.eventually(Duration.ofSeconds(30), "h3 reaches the new " + ip, () -> f.ping(3, "w1", ip));
        System.out.printf(
                "new workload %s reachable from h1 and h3 after %d ms%n", ip, (System.nanoTime() - t0) / 1_000_000);
        f.removeWorkload(2, "w3");
        Fabric.eventually(
                Duration.ofSeconds(30),
                "h2 drops the route to " + ip,
                () -> !f.routes(2).contains(ip + " dev cali"));
        assertThat(f.ping(1, "w1", ip)).isFalse();
        assertThat(f.javactlOk("endpoint", "show", "--host", "h2")).doesNotContain("-w3");
    }

    @Test
    @Order(3)
    void aProfileThatAllowsOnlyTagAHoldsAcrossHosts() {
        f.javactlOk("profile", "add", "b");
        f.javactlOk("profile", "b", "rule", "remove", "inbound", "--at=1");
        f.javactlOk("profile", "b", "rule", "add", "inbound", "allow", "from", "tag", "a");
        f.javactlOk("profile", "add", "a");
        f.javactlOk("profile", "add", "c");
        String b = f.addWorkload(2, "b", "b");
        f.addWorkload(1, "a", "a");
        f.addWorkload(3, "c", "c");
        Fabric.eventually(Duration.ofSeconds(60), "a (h1) reaches b (h2)", () -> f.ping(1, "a", b));
        assertThat(f.ping(3, "c", b)).as("c (h3) must not reach b").isFalse();
        // c gets tag a: now allowed
        f.javactlOk("profile", "c", "tag", "add", "a");
        Fabric.eventually(
                Duration.ofSeconds(30), "c reaches b once its profile carries tag a", () -> f.ping(3, "c", b));
    }
}
