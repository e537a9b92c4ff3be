package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * VXLAN with no BGP at all (--backend none: felix alone programs the tunnel routes, neighbours and FDB entries), IPv4
 * always and IPv6 cross-subnet, on three dual-stack hosts in two subnets (h1, h3 | h2) joined by a router.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VxlanNoBgpIT {
    private Fabric f;
    private final String[] v4 = new String[4];
    private final String[] v6 = new String[4];

    @BeforeAll
    void up() {
        f = new Fabric(3, "--subnets", "2", "--ipv6", "--backend", "none");
        f.javactlOk("pool", "add", "10.71.0.0/16", "--vxlan");
        f.javactlOk("pool", "add", "fd00:71::/64", "--vxlan", "cross-subnet");
        f.javactlOk("profile", "add", "demo");
        for (int h = 1; h <= 3; h++) {
            v4[h] = f.addWorkloadFrom(h, "w4", "10.71.0.0/16", "demo");
            v6[h] = f.addWorkloadFrom(h, "w6", "fd00:71::/64", "demo");
        }
        Fabric.Result r = Fabric.sh(
                List.of(
                        "bash",
                        "-c",
                        "ip netns exec " + f.ns("net") + " nft -f - <<'EOF'\n"
                                + "table ip6 cjcount { counter vxlan {}\n chain cjforward { type filter hook forward priority -300;"
                                + " udp dport 4789 counter name vxlan; }\n}\nEOF"),
                Duration.ofSeconds(20));
        assertThat(r.ok()).as(r.out()).isTrue();
    }

    @AfterAll
    void down() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void everyWorkloadReachesEveryOtherWithoutBgp() {
        for (int from = 1; from <= 3; from++) {
            for (int to = 1; to <= 3; to++) {
                if (from != to) {
                    int a = from;
                    String t4 = v4[to];
                    String t6 = v6[to];
                    Fabric.eventually(Duration.ofSeconds(60), "h" + a + " reaches " + t4, () -> f.ping(a, "w4", t4));
                    Fabric.eventually(Duration.ofSeconds(60), "h" + a + " reaches " + t6, () -> f.ping(a, "w6", t6));
                }
            }
        }
        assertThat(f.routes(1))
                .containsPattern(
                        "10\\.71\\.\\d+\\.\\d+/26 via 10\\.71\\.\\d+\\.\\d+ dev vxlan\\.calico proto \\S+ onlink");
        assertThat(f.routes6(1))
                .containsPattern("fd00:71::\\S*/122 via fd00:71::\\S* dev vxlan-v6\\.calico proto \\S+ .*onlink")
                .containsPattern("fd00:71::\\S*/122 via 2001:db8:1::13 dev eth0 proto");
        assertThat(Fabric.sh("bridge", "-n", f.ns("h1"), "fdb", "show", "dev", "vxlan-v6.calico")
                        .out())
                .contains("dst 2001:db8:2::12"); // (same-subnet VTEPs keep their entries, as Calico; their routes are
        // native)
        String out = Fabric.sh("ip", "netns", "exec", f.ns("net"), "nft", "list", "counter", "ip6", "cjcount", "vxlan")
                .out();
        long before = Long.parseLong(out.replaceAll("(?s).*packets (\\d+).*", "$1"));
        for (int i = 0; i < 3; i++) {
            assertThat(f.ping(1, "w6", v6[2])).isTrue();
        }
        out = Fabric.sh("ip", "netns", "exec", f.ns("net"), "nft", "list", "counter", "ip6", "cjcount", "vxlan")
                .out();
        assertThat(Long.parseLong(out.replaceAll("(?s).*packets (\\d+).*", "$1")) - before)
                .isGreaterThanOrEqualTo(6);
    }
}
