package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * VXLAN with no BGP at all (--backend none: felix alone programs the tunnel routes, neighbours and FDB entries), IPv4
 * always and IPv6 cross-subnet, on three dual-stack hosts in two subnets (h1, h3 | h2) joined by a router: reach,
 * DF pings of the full workload MTU in both families, and a removed host's IPv4 and IPv6 tunnel entries.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
    @Order(1)
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

    @Test
    @Order(2)
    void fullSizeDfPingsPassInBothFamilies() {
        // workload MTU = 1500 - 70 (VXLAN over IPv6, the largest overhead of the pools) = 1430, in both families
        for (String w : new String[] {"w4", "w6"}) {
            assertThat(f.inWorkload(1, w, "ip", "link", "show", "eth0").out())
                    .as(w + "'s MTU")
                    .contains("mtu 1430");
        }
        // h1 -> h2: across the router, encapsulated (IPv4 always, IPv6 cross-subnet); h1 -> h3: IPv6 native.
        // IPv4: 1,400 bytes (1372 + 8 + 20) and 1,430 (1402 + 28); IPv6: 1,400 (1352 + 8 + 40) and 1,430 (1382 + 48)
        for (int to : new int[] {2, 3}) {
            for (String size : new String[] {"1372", "1402"}) {
                dfPing("w4", "-4", size, v4[to]);
            }
            for (String size : new String[] {"1352", "1382"}) {
                dfPing("w6", "-6", size, v6[to]);
            }
        }
    }

    private void dfPing(String workload, String family, String size, String to) {
        Fabric.Result r = f.inWorkload(1, workload, "ping", family, "-M", "do", "-s", size, "-c", "1", "-W", "2", to);
        assertThat(r.ok())
                .as("ping " + family + " -M do -s " + size + " from h1-" + workload + " to " + to + ": " + r.out())
                .isTrue();
    }

    /** Host N's VXLAN tunnel address of a family (from its device), e.g. 10.71.0.128 or fd00:71::... */
    private String tunnelAddr(int host, int version) {
        String dev = version == 4 ? "vxlan.calico" : "vxlan-v6.calico";
        String out = Fabric.sh(
                        "ip",
                        "-n",
                        f.ns("h" + host),
                        "-" + version,
                        "-o",
                        "addr",
                        "show",
                        "dev",
                        dev,
                        "scope",
                        "global")
                .out();
        var m = java.util.regex.Pattern.compile("inet6? (\\S+)/").matcher(out);
        assertThat(m.find()).as("h" + host + " " + dev + ": " + out).isTrue();
        return m.group(1);
    }

    /** Host N's VXLAN entries for a peer: {route via tunnel, neighbour, FDB dst} present on the device of a family. */
    private boolean[] entries(int host, int version, String tunnel, String peerIp) {
        String dev = version == 4 ? "vxlan.calico" : "vxlan-v6.calico";
        String ns = f.ns("h" + host);
        String routes = version == 4 ? f.routes(host) : f.routes6(host);
        String neigh = Fabric.sh("ip", "-n", ns, "-" + version, "neigh", "show", "dev", dev)
                .out();
        String fdb = Fabric.sh("bridge", "-n", ns, "fdb", "show", "dev", dev).out();
        return new boolean[] {
            routes.contains("via " + tunnel + " dev " + dev),
            neigh.contains(tunnel + " lladdr"),
            fdb.contains("dst " + peerIp)
        };
    }

    @Test
    @Order(3)
    void aRemovedHostsIpv4AndIpv6TunnelEntriesAreGoneOnTheOthers() {
        String t4 = tunnelAddr(2, 4);
        String t6 = tunnelAddr(2, 6);
        // before: h1 and h3 (the other subnet from h2) hold h2's route, neighbour and FDB entry in both families
        for (int h : new int[] {1, 3}) {
            assertThat(entries(h, 4, t4, "198.51.100.12"))
                    .as("h" + h + " IPv4 entries for h2")
                    .containsOnly(true);
            assertThat(entries(h, 6, t6, "2001:db8:2::12"))
                    .as("h" + h + " IPv6 entries for h2")
                    .containsOnly(true);
        }
        String h3v6 = tunnelAddr(3, 6);
        assertThat(entries(1, 6, h3v6, "2001:db8:1::13")[2])
                .as("h1's IPv6 FDB entry for h3")
                .isTrue();
        assertThat(Fabric.sh(Fabric.HOME.resolve("scripts/fabric").toString(), "stop-node", "--id", f.id, "2")
                        .ok())
                .isTrue();
        f.javactlOk("node", "remove", "h2", "--remove-endpoints");
        for (int h : new int[] {1, 3}) {
            int host = h;
            Fabric.eventually(
                    Duration.ofSeconds(30),
                    "h" + h + " forgets h2's IPv4 and IPv6 VXLAN route, neighbour and FDB entries",
                    () -> java.util.Arrays.equals(entries(host, 4, t4, "198.51.100.12"), new boolean[3])
                            && java.util.Arrays.equals(entries(host, 6, t6, "2001:db8:2::12"), new boolean[3]));
        }
        // h3's entries stay, and h1 still reaches h3's workloads
        assertThat(entries(1, 6, h3v6, "2001:db8:1::13")[2])
                .as("h1 keeps its IPv6 FDB entry for h3")
                .isTrue();
        assertThat(f.ping(1, "w6", v6[3])).isTrue();
        assertThat(f.ping(1, "w4", v4[3])).isTrue();
    }
}
