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
 * IP-in-IP and VXLAN pools, always and cross-subnet, on four hosts in two subnets joined by a router that knows no
 * pool route (scripts/fabric up --subnets 2: h1, h3 on 192.0.2.0/24; h2, h4 on 198.51.100.0/24), BGP by the java
 * speaker. One workload per pool per host. Counters in nftables tables of the test's own (the router's forward hook,
 * host h3's prerouting hook on eth0) show what crosses the wire. The IP-in-IP pools are only set up where the kernel
 * can make an {@code ipip} device (some VM kernels are built without it: their IP-in-IP checks are skipped and say
 * so); VXLAN and the plain pool always run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EncapIT {
    static final int IPIP = 0;
    static final int IPIP_CROSS = 1;
    static final int VXLAN = 2;
    static final int VXLAN_CROSS = 3;
    static final int NEVER = 4;
    static final List<List<String>> POOLS = List.of(
            List.of("10.66.0.0/16", "--ipip"),
            List.of("10.67.0.0/16", "--ipip", "cross-subnet"),
            List.of("10.68.0.0/16", "--vxlan"),
            List.of("10.69.0.0/16", "--vxlan", "cross-subnet"),
            List.of("10.70.0.0/16"));
    static final String ROUTER_COUNTERS = """
            table ip cjcount {
              counter ipip {}
              counter vxlan {}
              counter plain {}
              chain cjforward {
                type filter hook forward priority -300;
                ip protocol 4 counter name ipip
                udp dport 4789 counter name vxlan
                ip saddr 10.64.0.0/10 counter name plain
              }
            }
            """;
    static final String HOST_COUNTERS = """
            table ip cjcount {
              counter ipip {}
              counter vxlan {}
              counter plain67 {}
              counter plain69 {}
              chain cjprerouting {
                type filter hook prerouting priority -300;
                iifname "eth0" ip protocol 4 counter name ipip
                iifname "eth0" udp dport 4789 counter name vxlan
                iifname "eth0" ip saddr 10.67.0.0/16 counter name plain67
                iifname "eth0" ip saddr 10.69.0.0/16 counter name plain69
              }
            }
            """;

    private Fabric f;
    private final String[][] ips = new String[POOLS.size()][5];
    private boolean ipip;

    /** Whether this kernel can make an ipip device (tried in a namespace of its own). */
    static boolean kernelHasIpip() {
        String ns = "cjipip" + java.util.UUID.randomUUID().toString().substring(0, 4);
        Fabric.sh("ip", "netns", "add", ns);
        try {
            return Fabric.sh("ip", "-n", ns, "link", "add", "cjprobe", "type", "ipip")
                    .ok();
        } finally {
            Fabric.sh("ip", "netns", "del", ns);
        }
    }

    private boolean used(int pool) {
        return ipip || (pool != IPIP && pool != IPIP_CROSS);
    }

    private void needIpip() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ipip, "this kernel cannot make an ipip device (no ipip module): IP-in-IP not tested here");
    }

    @BeforeAll
    void up() {
        ipip = kernelHasIpip();
        f = new Fabric(4, "--subnets", "2");
        for (int p = 0; p < POOLS.size(); p++) {
            if (!used(p)) {
                continue;
            }
            List<String> pool = POOLS.get(p);
            String[] args = new String[pool.size() + 2];
            args[0] = "pool";
            args[1] = "add";
            for (int i = 0; i < pool.size(); i++) {
                args[i + 2] = pool.get(i);
            }
            f.javactlOk(args);
        }
        f.javactlOk("profile", "add", "demo");
        f.javactlOk("profile", "add", "other");
        for (int p = 0; p < POOLS.size(); p++) {
            for (int h = 1; h <= 4 && used(p); h++) {
                ips[p][h] = f.addWorkloadFrom(h, "w" + p, POOLS.get(p).get(0), "demo");
            }
        }
        nft("net", ROUTER_COUNTERS);
        nft("h3", HOST_COUNTERS);
        f.awaitSessions(3, Duration.ofMinutes(3));
    }

    @AfterAll
    void down() {
        if (f != null) {
            f.close();
        }
    }

    private void nft(String ns, String ruleset) {
        Fabric.Result r = Fabric.sh(
                List.of("bash", "-c", "ip netns exec " + f.ns(ns) + " nft -f - <<'EOF'\n" + ruleset + "EOF"),
                Duration.ofSeconds(20));
        assertThat(r.ok()).as(r.out()).isTrue();
    }

    /** Packets counted so far by counter {@code name} in namespace {@code ns}. */
    private long count(String ns, String name) {
        String out = Fabric.sh("ip", "netns", "exec", f.ns(ns), "nft", "list", "counter", "ip", "cjcount", name)
                .out();
        var m = java.util.regex.Pattern.compile("packets (\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Long.parseLong(m.group(1));
    }

    private void reach(int from, int pool, int to) {
        Fabric.eventually(
                Duration.ofSeconds(60),
                "h" + from + "-w" + pool + " reaches " + ips[pool][to] + " on h" + to,
                () -> f.ping(from, "w" + pool, ips[pool][to]));
    }

    private void pings(int from, int pool, int to, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(f.ping(from, "w" + pool, ips[pool][to]))
                    .as("ping h" + from + " -> " + ips[pool][to])
                    .isTrue();
        }
    }

    @Test
    @Order(1)
    void everyEncapsulatedPoolReachesEveryHostAcrossTheRouter() {
        for (int p : new int[] {IPIP, IPIP_CROSS, VXLAN, VXLAN_CROSS}) {
            if (!used(p)) {
                continue;
            }
            for (int from = 1; from <= 4; from++) {
                for (int to = 1; to <= 4; to++) {
                    if (from != to) {
                        reach(from, p, to);
                    }
                }
            }
        }
    }

    @Test
    @Order(2)
    void vxlanRoutesGoThroughTheTunnelOnlyWhereTheModeSaysSo() {
        String r = f.routes(1);
        // VXLAN always: via the remote tunnel address on vxlan.calico; cross-subnet: native to h3
        assertThat(r)
                .containsPattern(
                        "10\\.68\\.\\d+\\.\\d+/26 via 10\\.68\\.\\d+\\.\\d+ dev vxlan\\.calico proto \\S+ onlink")
                .containsPattern(
                        "10\\.69\\.\\d+\\.\\d+/26 via 10\\.6[89]\\.\\d+\\.\\d+ dev vxlan\\.calico proto \\S+ onlink")
                .containsPattern("10\\.69\\.\\d+\\.\\d+/26 via 192\\.0\\.2\\.13 dev eth0 proto");
        assertThat(Fabric.sh("bridge", "-n", f.ns("h1"), "fdb", "show", "dev", "vxlan.calico")
                        .out())
                .contains("dst 198.51.100.12")
                .contains("dst 192.0.2.13")
                .contains("dst 198.51.100.14");
        assertThat(Fabric.sh("ip", "-n", f.ns("h1"), "neigh", "show", "dev", "vxlan.calico")
                        .out())
                .containsPattern("10\\.6[89]\\.\\d+\\.\\d+ lladdr \\S+ PERMANENT");
        assertThat(Fabric.sh("ip", "-n", f.ns("h1"), "-d", "link", "show", "vxlan.calico")
                        .out())
                .contains("vxlan id 4096")
                .contains("dstport 4789")
                .contains("nolearning")
                .contains("mtu 1450");
        // felix's tunnel addresses are IPAM allocations its host config names: no leak, nothing refused
        String check = f.javactlOk("ipam", "check");
        assertThat(check).contains("no problem").doesNotContain("leaked");
        assertThat(f.javactlOk("datastore", "check")).contains(": none refused");
    }

    @Test
    @Order(2)
    void ipipRoutesGoThroughTunl0OnlyWhereTheModeSaysSo() {
        needIpip();
        // IPIP always: through tunl0 to both subnets; cross-subnet: native to h3 (same subnet), tunl0 to h2
        assertThat(f.routes(1))
                .containsPattern("10\\.66\\.\\d+\\.\\d+/26 via 198\\.51\\.100\\.12 dev tunl0 proto \\S+ onlink")
                .containsPattern("10\\.66\\.\\d+\\.\\d+/26 via 192\\.0\\.2\\.13 dev tunl0 proto \\S+ onlink")
                .containsPattern("10\\.67\\.\\d+\\.\\d+/26 via 198\\.51\\.100\\.12 dev tunl0 proto \\S+ onlink")
                .containsPattern("10\\.67\\.\\d+\\.\\d+/26 via 192\\.0\\.2\\.13 dev eth0 proto");
        assertThat(Fabric.sh("ip", "-n", f.ns("h1"), "link", "show", "tunl0").out())
                .contains("mtu 1480");
    }

    @Test
    @Order(3)
    void whatCrossesTheRouterIsEncapsulated() {
        long ipipCount = count("net", "ipip");
        long vxlan = count("net", "vxlan");
        long plain = count("net", "plain");
        if (ipip) {
            pings(1, IPIP, 2, 3);
            pings(1, IPIP_CROSS, 4, 3);
            assertThat(count("net", "ipip") - ipipCount).isGreaterThanOrEqualTo(12); // 3 requests + 3 replies, twice
        }
        pings(1, VXLAN, 2, 3);
        pings(3, VXLAN_CROSS, 4, 3);
        assertThat(count("net", "vxlan") - vxlan).isGreaterThanOrEqualTo(12);
        assertThat(count("net", "plain"))
                .as("no workload address crosses the router unencapsulated")
                .isEqualTo(plain);
    }

    @Test
    @Order(4)
    void crossSubnetModesRouteNativelyWithinASubnet() {
        long ipipCount = count("h3", "ipip");
        long vxlan = count("h3", "vxlan");
        long plain67 = count("h3", "plain67");
        long plain69 = count("h3", "plain69");
        pings(1, VXLAN_CROSS, 3, 3);
        assertThat(count("h3", "plain69") - plain69).isGreaterThanOrEqualTo(3);
        assertThat(count("h3", "vxlan")).isEqualTo(vxlan);
        pings(1, VXLAN, 3, 3); // always: encapsulated also within the subnet
        assertThat(count("h3", "vxlan") - vxlan).isGreaterThanOrEqualTo(3);
        if (ipip) {
            pings(1, IPIP_CROSS, 3, 3);
            assertThat(count("h3", "plain67") - plain67).isGreaterThanOrEqualTo(3);
            assertThat(count("h3", "ipip")).isEqualTo(ipipCount);
            pings(1, IPIP, 3, 3);
            assertThat(count("h3", "ipip") - ipipCount).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    @Order(5)
    void theWorkloadMtuLeavesRoomForTheTunnelSoNothingFragments() {
        // every workload gets uplink - the largest overhead of any pool (VXLAN over IPv4: 50), whatever its own pool
        for (int p = 0; p < POOLS.size(); p++) {
            if (used(p)) {
                assertThat(f.inWorkload(1, "w" + p, "ip", "link", "show", "eth0")
                                .out())
                        .as("workload MTU in pool " + POOLS.get(p).get(0))
                        .contains("mtu 1450");
            }
        }
        // DF pings of 1,400 bytes and of the full workload MTU (1,450: 1,422 + 8 + 20) across the router (h1 -> h2:
        // encapsulated in every mode) and, for the cross-subnet pools, within the subnet (h1 -> h3: native)
        for (int p : new int[] {IPIP, IPIP_CROSS, VXLAN, VXLAN_CROSS}) {
            if (!used(p)) {
                continue;
            }
            for (int to : p == IPIP_CROSS || p == VXLAN_CROSS ? new int[] {2, 3} : new int[] {2}) {
                for (String size : new String[] {"1372", "1422"}) {
                    Fabric.Result r =
                            f.inWorkload(1, "w" + p, "ping", "-M", "do", "-s", size, "-c", "1", "-W", "2", ips[p][to]);
                    assertThat(r.ok())
                            .as((Integer.parseInt(size) + 28) + "-byte ping with DF set through pool "
                                    + POOLS.get(p).get(0) + " h1 -> h" + to + ": " + r.out())
                            .isTrue();
                }
            }
        }
    }

    @Test
    @Order(6)
    void withoutEncapsulationOnlyTheSameSubnetIsReached() {
        reach(1, NEVER, 3);
        reach(2, NEVER, 4);
        for (int i = 0; i < 3; i++) {
            assertThat(f.ping(1, "w" + NEVER, ips[NEVER][2]))
                    .as("h1 -> h2 without encapsulation")
                    .isFalse();
        }
    }

    @Test
    @Order(7)
    void policyStillAppliesToEncapsulatedTraffic() {
        // in every encapsulated pool: workloads of profile "other" on h1 and h2 (different subnets: the tunnel in
        // every mode) reach each other; h1's "demo" workload is refused by h2's, although its packets cross the router
        // encapsulated (the router counts them: the refusal is h2's policy, not a missing path)
        for (int p : new int[] {IPIP, IPIP_CROSS, VXLAN, VXLAN_CROSS}) {
            if (!used(p)) {
                continue;
            }
            String pool = POOLS.get(p).get(0);
            String x1 = f.addWorkloadFrom(1, "x" + p, pool, "other");
            String x2 = f.addWorkloadFrom(2, "x" + p, pool, "other");
            int pp = p;
            Fabric.eventually(
                    Duration.ofSeconds(60),
                    "h1-x" + p + " reaches h2-x" + p + " (profile other, pool " + pool + ")",
                    () -> f.ping(1, "x" + pp, x2));
            String counter = p == IPIP || p == IPIP_CROSS ? "ipip" : "vxlan";
            long crossed = count("net", counter);
            for (int i = 0; i < 3; i++) {
                assertThat(f.ping(1, "w" + p, x2))
                        .as("demo -> other through the tunnel, pool " + pool)
                        .isFalse();
            }
            assertThat(count("net", counter) - crossed)
                    .as("the refused pings crossed the router encapsulated (" + counter + "), pool " + pool)
                    .isGreaterThanOrEqualTo(3);
            assertThat(f.ping(2, "x" + p, x1))
                    .as("other -> other, pool " + pool)
                    .isTrue();
        }
    }

    @Test
    @Order(8)
    void aWorkloadOfScriptsFabricIsReachedAndItsRouteGoesWithIt() {
        // scripts/fabric workload add|exec|remove (as a user exploring a fabric would): a workload on h3 with an
        // address
        // borrowed from h1's block of the plain pool, so it is a /32 of its own that h3 announces and h1 installs
        String[] own = ips[NEVER][1].split("\\.");
        String addr = own[0] + "." + own[1] + "." + own[2] + "." + ((Integer.parseInt(own[3]) & ~63) + 61);
        Fabric.Result add = f.script("workload", "add", "3", "wb", "--profile", "demo", "--pool", addr);
        assertThat(add.ok()).as(add.out()).isTrue();
        assertThat(add.out().strip().lines().reduce((a, b) -> b).orElse("")).isEqualTo(addr);
        Fabric.eventually(
                Duration.ofSeconds(60),
                "h1 installs " + addr + "/32 via h3",
                () -> f.routes(1).contains(addr + " via 192.0.2.13 dev eth0"));
        Fabric.eventually(
                Duration.ofSeconds(30),
                "workload exec wb reaches h1-w" + NEVER,
                () -> f.script("workload", "exec", "wb", "ping", "-c1", "-W1", ips[NEVER][1])
                        .ok());
        assertThat(f.ping(1, "w" + NEVER, addr)).isTrue();
        List<Integer> had = new java.util.ArrayList<>();
        for (int h : new int[] {1, 2, 4}) {
            if (f.routes(h).contains(addr + " ")) {
                had.add(h);
            }
        }
        System.out.println("workload wb " + addr + " on h3: a route to it on h" + had);
        assertThat(f.routes(3)).contains(addr + " dev cali");

        Fabric.Result rm = f.script("workload", "remove", "wb");
        assertThat(rm.ok()).as(rm.out()).isTrue();
        assertThat(Fabric.sh("ip", "netns", "list").out()).doesNotContain(f.ns("w-wb"));
        assertThat(f.script("workload", "exec", "wb", "true").ok()).isFalse();
        Fabric.eventually(
                Duration.ofSeconds(30), "h3 drops " + addr, () -> !f.routes(3).contains(addr + " "));
        for (int h : had) {
            Fabric.eventually(
                    Duration.ofSeconds(30),
                    "h" + h + " drops " + addr,
                    () -> !f.routes(h).contains(addr + " "));
        }
        assertThat(f.ping(1, "w" + NEVER, addr)).isFalse();
    }

    @Test
    @Order(9)
    void aRemovedHostsTunnelEntriesAreGoneOnTheOthers() {
        String tunnel4 = Fabric.sh("ip", "-n", f.ns("h4"), "-4", "-o", "addr", "show", "dev", "vxlan.calico")
                .out()
                .replaceAll("(?s).*inet (\\S+)/.*", "$1")
                .trim();
        assertThat(tunnel4).matches("10\\.6[89]\\.\\d+\\.\\d+");
        assertThat(Fabric.sh(Fabric.HOME.resolve("scripts/fabric").toString(), "stop-node", "--id", f.id, "4")
                        .ok())
                .isTrue();
        f.javactlOk("node", "remove", "h4", "--remove-endpoints");
        Fabric.eventually(
                Duration.ofSeconds(30),
                "h1 forgets h4's VXLAN entries",
                () -> !Fabric.sh("bridge", "-n", f.ns("h1"), "fdb", "show", "dev", "vxlan.calico")
                                .out()
                                .contains("198.51.100.14")
                        && !Fabric.sh("ip", "-n", f.ns("h1"), "neigh", "show", "dev", "vxlan.calico")
                                .out()
                                .contains(tunnel4 + " ")
                        && !f.routes(1).contains("via " + tunnel4 + " "));
        assertThat(Fabric.sh("bridge", "-n", f.ns("h1"), "fdb", "show", "dev", "vxlan.calico")
                        .out())
                .contains("dst 198.51.100.12");
    }
}
