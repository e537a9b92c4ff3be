package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.felix.encap.VxlanCalc;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.calicojava.model.EncapMode;
import org.calicojava.model.IpPool;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * VXLAN mode, felix alone (no BGP), three simulated hosts against one real etcd: h1 and h2 on 192.0.2.0/24 (a
 * bridge in the router namespace), h3 on 198.51.100.0/24; the router forwards between the subnets and has no route to
 * the pool. Each host runs its own agent and has one workload whose address IPAM assigned (so each host owns a
 * block). The test writes what node registration would (ip_addr_v4) and the pool; felix assigns the tunnel
 * addresses and MACs, creates vxlan.calico and programs routes, neighbour and FDB entries; workloads ping across
 * hosts through the tunnel; cross-subnet mode routes h1 - h2 natively; a removed host's entries go; a removed pool
 * takes the device and the tunnel address with it. IPv6 the same way through vxlan-v6.calico (2001:db8:1::/64 and
 * 2001:db8:3::/64).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FelixVxlanIT {
    static final Cidr POOL = Cidr.parse("10.65.0.0/16");
    static final Cidr POOL6 = Cidr.parse("fd00:65::/64");
    static final String[] HOST_IP = {null, "192.0.2.1", "192.0.2.2", "198.51.100.3"};
    static final String[] HOST_IP6 = {null, "2001:db8:1::1", "2001:db8:1::2", "2001:db8:3::3"};
    /** The host side of a workload veth (MAC ee:ee:ee:ee:ee:ee): the workload's IPv6 default gateway. */
    static final String HOST_LINK_LOCAL = "fe80::ecee:eeff:feee:eeee";

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final List<String> namespaces = new ArrayList<>();
    final String router = "vx-" + id + "-r";
    JetcdStore store;
    final List<JetcdStore> agentStores = new ArrayList<>();
    Keys keys;
    Ipam ipam;
    final Agent[] agents = new Agent[4];
    /** Per workload: 1-3 on hosts 1-3 from their own blocks, 4 on h2 with an address of h3's block. */
    final String[] workloadIp = new String[5];

    final String[] workloadIp6 = new String[5];

    @BeforeAll
    void setUp() {
        Sh.require("ip", "bridge", "iptables-restore", "iptables-save", "ipset", "ping");
        String endpoints = System.getenv("ETCD_ENDPOINTS");
        assertThat(endpoints)
                .as("ETCD_ENDPOINTS (start etcd with scripts/lib/etcd.sh)")
                .isNotBlank();
        keys = new Keys("/cj-test-" + UUID.randomUUID());
        store = new JetcdStore(EtcdConfig.of(endpoints));
        ipam = new Ipam(store, keys);
        try {
            fabric();
            pool(EncapMode.ALWAYS);
            store.put(
                    keys.pool(POOL6),
                    Json.write(IpPool.of(POOL6, EncapMode.NEVER, EncapMode.ALWAYS, false, false, 122)));
            store.put(keys.felixConfig("IptablesRefreshInterval"), "2"); // drift repair of entries removed by hand
            Records.profile(store, keys, "all", "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
            for (int n = 1; n <= 3; n++) {
                store.put(keys.bgpHostIp(host(n), 4), HOST_IP[n]);
                store.put(keys.bgpHostIp(host(n), 6), HOST_IP6[n]);
                workloadIp[n] = ipam.autoAssign(new Ipam.AutoRequest(host(n), "wl-" + host(n), Map.of(), 4, null))
                        .ip();
                workloadIp6[n] = ipam.autoAssign(new Ipam.AutoRequest(host(n), "wl-" + host(n), Map.of(), 6, null))
                        .ip();
                workload(n);
                store.put(
                        keys.endpoint(host(n), "test", "wl", "eth0"),
                        Records.endpoint(iface(n), "all", workloadIp[n], workloadIp6[n]));
            }
            for (int n = 1; n <= 3; n++) {
                agents[n] = startAgent(n, endpoints);
            }
        } catch (RuntimeException | Error e) {
            tearDown();
            throw e;
        }
    }

    @AfterAll
    void tearDown() {
        for (Agent a : agents) {
            if (a != null) {
                a.close();
            }
        }
        agentStores.forEach(JetcdStore::close);
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            Sh.run("ip", "netns", "delete", namespaces.get(i));
        }
        if (store != null) {
            store.deletePrefix(keys.root() + "/");
            store.close();
        }
    }

    static String host(int n) {
        return "h" + n;
    }

    String ns(int n) {
        return "vx-" + id + "-h" + n;
    }

    String wns(int n) {
        return "vx-" + id + "-w" + n;
    }

    String iface(int n) {
        return "cali" + id + String.format("%05d", n);
    }

    private void netns(String name) {
        Sh.ok("ip", "netns", "add", name);
        namespaces.add(name);
        Sh.ok("ip", "-n", name, "link", "set", "lo", "up");
    }

    /** The router with a bridge for 192.0.2.0/24 (h1, h2) and a link to 198.51.100.0/24 (h3). */
    private void fabric() {
        netns(router);
        Sh.ok("ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        Sh.ok("ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        Sh.ok("ip", "-n", router, "link", "add", "br0", "type", "bridge");
        // counters only: what crosses the router between the subnets
        Sh.ok("ip", "netns", "exec", router, "iptables", "-A", "FORWARD", "-p", "udp", "--dport", "4789");
        Sh.ok("ip", "netns", "exec", router, "iptables", "-A", "FORWARD", "-d", POOL.toString());
        Sh.ok("ip", "-n", router, "addr", "add", "192.0.2.254/24", "dev", "br0");
        Sh.ok("ip", "-n", router, "addr", "add", "2001:db8:1::fe/64", "dev", "br0", "nodad");
        Sh.ok("ip", "-n", router, "link", "set", "br0", "up");
        for (int n = 1; n <= 3; n++) {
            netns(ns(n));
            String rside = "h" + n;
            Sh.ok("ip", "-n", router, "link", "add", rside, "type", "veth", "peer", "name", "eth0", "netns", ns(n));
            if (n < 3) {
                Sh.ok("ip", "-n", router, "link", "set", rside, "master", "br0");
            } else {
                Sh.ok("ip", "-n", router, "addr", "add", "198.51.100.254/24", "dev", rside);
                Sh.ok("ip", "-n", router, "addr", "add", "2001:db8:3::fe/64", "dev", rside, "nodad");
            }
            Sh.ok("ip", "-n", router, "link", "set", rside, "up");
            Sh.ok("ip", "-n", ns(n), "addr", "add", HOST_IP[n] + "/24", "dev", "eth0");
            Sh.ok("ip", "-n", ns(n), "link", "set", "eth0", "up");
            Sh.ok("ip", "-n", ns(n), "addr", "add", HOST_IP6[n] + "/64", "dev", "eth0", "nodad");
            Sh.ok("ip", "-n", ns(n), "route", "add", "default", "via", n < 3 ? "192.0.2.254" : "198.51.100.254");
            String gw6 = n < 3 ? "2001:db8:1::fe" : "2001:db8:3::fe";
            Sh.ok("ip", "-n", ns(n), "-6", "route", "add", "default", "via", gw6);
        }
    }

    /** Workload {@code n} on host {@code n}. */
    private void workload(int n) {
        workload(n, n);
    }

    /** Workload {@code n} (its namespace, interface and addresses) on host {@code on}. */
    private void workload(int on, int n) {
        netns(wns(n));
        Sh.ok("ip", "-n", ns(on), "link", "add", iface(n), "type", "veth", "peer", "name", "eth0", "netns", wns(n));
        Sh.ok("ip", "-n", ns(on), "link", "set", iface(n), "address", "ee:ee:ee:ee:ee:ee");
        Sh.ok("ip", "-n", ns(on), "link", "set", iface(n), "up");
        Sh.ok("ip", "-n", wns(n), "addr", "add", workloadIp[n] + "/32", "dev", "eth0");
        if (workloadIp6[n] != null) {
            Sh.ok("ip", "-n", wns(n), "addr", "add", workloadIp6[n] + "/128", "dev", "eth0", "nodad");
        }
        Sh.ok("ip", "-n", wns(n), "link", "set", "eth0", "up");
        Sh.ok("ip", "-n", wns(n), "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
        Sh.ok("ip", "-n", wns(n), "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
        Sh.ok("ip", "-n", wns(n), "-6", "route", "add", "default", "via", HOST_LINK_LOCAL, "dev", "eth0");
    }

    private void pool(EncapMode vxlan) {
        store.put(keys.pool(POOL), Json.write(IpPool.of(POOL, EncapMode.NEVER, vxlan, false, false, 26)));
    }

    private Agent startAgent(int n, String endpoints) {
        JetcdStore s = new JetcdStore(EtcdConfig.of(endpoints));
        agentStores.add(s);
        s.get("/warm-up"); // gRPC threads start here, in the root namespace
        Agent a = new Agent(
                s,
                keys,
                host(n),
                Map.of("FELIX_REPORTINGINTERVALSECS", "5", "FELIX_DATAPLANEBACKEND", "iptables"),
                Namespace.named(ns(n)));
        a.start();
        assertThat(Sh.waitFor(30, a::ready)).as("agent " + n + " ready").isNotNegative();
        return a;
    }

    String tunnelAddr(int n) {
        return hostConfig(n, VxlanCalc.ADDR_V4);
    }

    String tunnelMac(int n) {
        return hostConfig(n, VxlanCalc.MAC_V4);
    }

    String hostConfig(int n, String name) {
        return store.get(keys.hostConfig(host(n), name)).map(kv -> kv.value()).orElse(null);
    }

    String block(int n) {
        return ipam.affinities(host(n), 4).get(0).toString();
    }

    String tunnelAddr6(int n) {
        return hostConfig(n, VxlanCalc.ADDR_V6);
    }

    String tunnelMac6(int n) {
        return hostConfig(n, VxlanCalc.MAC_V6);
    }

    String block6(int n) {
        return ipam.affinities(host(n), 6).get(0).toString();
    }

    /** The IPv6 route, neighbour and FDB entries on host {@code on} for remote host {@code n}. */
    boolean tunnelEntries6(int on, int n) {
        String t = tunnelAddr6(n);
        String mac = tunnelMac6(n);
        return t != null
                && mac != null
                && Sh.ok("ip", "-n", ns(on), "-6", "route", "show", "proto", "80")
                        .lines()
                        .anyMatch(l ->
                                l.startsWith(block6(n) + " via " + t + " dev vxlan-v6.calico") && l.contains("onlink"))
                && Sh.run("ip", "-n", ns(on), "-6", "neigh", "show", "dev", "vxlan-v6.calico")
                        .out()
                        .contains(t + " lladdr " + mac + " PERMANENT")
                && Sh.run("bridge", "-n", ns(on), "fdb", "show", "dev", "vxlan-v6.calico")
                        .out()
                        .contains(mac + " dst " + HOST_IP6[n] + " self permanent");
    }

    boolean ping6(int from, int to) {
        return Sh.run("ip", "netns", "exec", wns(from), "ping", "-6", "-c", "1", "-W", "1", workloadIp6[to])
                        .exit()
                == 0;
    }

    String routes(int n) {
        return Sh.ok("ip", "-n", ns(n), "route", "show", "proto", "80");
    }

    String neighbours(int n) {
        return Sh.run("ip", "-n", ns(n), "neigh", "show", "dev", "vxlan.calico").out();
    }

    String fdb(int n) {
        return Sh.run("bridge", "-n", ns(n), "fdb", "show", "dev", "vxlan.calico")
                .out();
    }

    boolean ping(int from, int to) {
        return Sh.run("ip", "netns", "exec", wns(from), "ping", "-c", "1", "-W", "1", workloadIp[to])
                        .exit()
                == 0;
    }

    void expect(String what, BooleanSupplier... all) {
        System.out.println("[vxlan-it] expecting " + what);
        long ms = Sh.waitFor(30, () -> {
            for (BooleanSupplier b : all) {
                if (!b.getAsBoolean()) {
                    return false;
                }
            }
            return true;
        });
        if (ms < 0) {
            for (int n = 1; n <= 3; n++) {
                System.out.println("[vxlan-it] " + host(n) + " routes:\n" + routes(n) + "neigh:\n" + neighbours(n)
                        + "fdb:\n" + fdb(n) + "link:\n"
                        + Sh.run("ip", "-n", ns(n), "-d", "link", "show").out());
            }
        }
        assertThat(ms).as(what).isNotNegative();
    }

    /** Route, neighbour and FDB entries on host {@code on} for remote host {@code n}, through the tunnel. */
    boolean tunnelEntries(int on, int n) {
        String t = tunnelAddr(n);
        String mac = tunnelMac(n);
        return t != null
                && mac != null
                && routes(on).contains(block(n) + " via " + t + " dev vxlan.calico onlink")
                && neighbours(on).contains(t + " lladdr " + mac + " PERMANENT")
                && fdb(on).contains(mac + " dst " + HOST_IP[n] + " self permanent");
    }

    @Test
    @Order(1)
    void alwaysModeProgramsTheTunnelAndWorkloadsReachEachOtherThroughIt() {
        expect(
                "tunnel addresses and MACs assigned",
                () -> tunnelAddr(1) != null
                        && tunnelAddr(2) != null
                        && tunnelAddr(3) != null
                        && tunnelMac(1) != null
                        && tunnelMac(2) != null
                        && tunnelMac(3) != null);
        for (int n = 1; n <= 3; n++) {
            assertThat(POOL.contains(Cidr.host(tunnelAddr(n)))).isTrue();
            assertThat(ipam.info(Cidr.host(tunnelAddr(n))).handle()).isEqualTo("vxlan-tunnel-addr-" + host(n));
            assertThat(Cidr.parse(block(n)).contains(Cidr.host(tunnelAddr(n))))
                    .as("in the host's own block")
                    .isTrue();
        }
        expect(
                "every host has route, neighbour and FDB entries for the others",
                () -> tunnelEntries(1, 2),
                () -> tunnelEntries(1, 3),
                () -> tunnelEntries(2, 1),
                () -> tunnelEntries(2, 3),
                () -> tunnelEntries(3, 1),
                () -> tunnelEntries(3, 2));
        String dev = Sh.ok("ip", "-n", ns(1), "-d", "link", "show", "vxlan.calico");
        assertThat(dev)
                .contains(
                        "mtu 1450",
                        "link/ether " + tunnelMac(1),
                        "vxlan id 4096 local 192.0.2.1 dev eth0",
                        "dstport 4789",
                        "nolearning");
        assertThat(Sh.ok("ip", "-n", ns(1), "addr", "show", "dev", "vxlan.calico"))
                .contains(tunnelAddr(1) + "/32");
        expect(
                "workloads reach each other across hosts and subnets",
                () -> ping(1, 2),
                () -> ping(1, 3),
                () -> ping(3, 2),
                () -> ping(2, 1));
        assertThat(Sh.ok("ip", "-n", router, "route")).doesNotContain("10.65.");
        long before = routerPackets("udp dpt:4789");
        assertThat(ping(1, 3)).isTrue();
        assertThat(routerPackets("udp dpt:4789"))
                .as("VXLAN packets across the router")
                .isGreaterThan(before);
        assertThat(routerPackets(POOL.toString()))
                .as("no plain packet to the pool crossed the router")
                .isZero();
        String dfPing = "ip netns exec " + wns(1) + " ping -M do -s 1372 -c 1 -W 2 " + workloadIp[3];
        assertThat(Sh.run(dfPing.split(" ")).exit())
                .as("1,400-byte packet with DF set through the tunnel")
                .isZero();

        Sh.ok("ip", "-n", ns(2), "link", "del", "vxlan.calico");
        Sh.ok("ip", "-n", ns(3), "route", "del", block(1), "proto", "80");
        Sh.ok("ip", "-n", ns(3), "neigh", "del", tunnelAddr(1), "dev", "vxlan.calico");
        expect(
                "a device removed by hand comes back at once, entries at the next refresh",
                () -> tunnelEntries(2, 1),
                () -> tunnelEntries(2, 3),
                () -> tunnelEntries(3, 1),
                () -> ping(2, 1),
                () -> ping(3, 1));
    }

    /** Packets counted by the router's FORWARD rule whose listing contains {@code match}. */
    long routerPackets(String match) {
        return Sh.ok("ip", "netns", "exec", router, "iptables", "-nvxL", "FORWARD")
                .lines()
                .filter(l -> l.contains(match))
                .mapToLong(l -> Long.parseLong(l.strip().split("\\s+")[0]))
                .sum();
    }

    @Test
    @Order(2)
    void ipv6GoesThroughVxlanV6() {
        expect(
                "IPv6 entries for every pair",
                () -> tunnelEntries6(1, 2),
                () -> tunnelEntries6(1, 3),
                () -> tunnelEntries6(2, 3),
                () -> tunnelEntries6(3, 1),
                () -> tunnelEntries6(3, 2),
                () -> tunnelEntries6(2, 1));
        assertThat(Sh.ok("ip", "-n", ns(3), "-d", "link", "show", "vxlan-v6.calico"))
                .contains("mtu 1430", "vxlan id 4096 local 2001:db8:3::3 dev eth0", "dstport 4789", "nolearning");
        expect("IPv6 workloads reach each other", () -> ping6(1, 3), () -> ping6(3, 2), () -> ping6(2, 1));
        assertThat(Sh.ok("ip", "-n", router, "-6", "route")).doesNotContain("fd00:65:");
    }

    @Test
    @Order(3)
    void crossSubnetRoutesHostsOfOneSubnetNatively() {
        pool(EncapMode.CROSS_SUBNET);
        expect(
                "h1 - h2 native, h3 through the tunnel",
                () -> routes(1).contains(block(2) + " via 192.0.2.2 dev eth0"),
                () -> routes(2).contains(block(1) + " via 192.0.2.1 dev eth0"),
                () -> tunnelEntries(1, 3),
                () -> tunnelEntries(3, 1),
                () -> tunnelEntries(3, 2));
        expect("traffic still flows", () -> ping(1, 2), () -> ping(1, 3), () -> ping(2, 3));
        pool(EncapMode.ALWAYS);
        expect("back to the tunnel", () -> tunnelEntries(1, 2), () -> tunnelEntries(2, 1));
    }

    @Test
    @Order(4)
    void anAddressBorrowedFromAnotherHostsBlockIsRoutedToTheHostItRunsOn() {
        workloadIp[4] = Cidr.parse(block(3)).addressAt(20).ip(); // IPAM borrows so when h2's blocks are full
        workload(2, 4);
        String key = keys.endpoint(host(2), "test", "borrowed", "eth0");
        store.put(key, Records.endpoint(iface(4), "all", workloadIp[4], null));
        String route = workloadIp[4] + " via " + tunnelAddr(2) + " dev vxlan.calico onlink";
        expect(
                "a route of its own to h2 on h1 and on h3 (the block's owner)",
                () -> routes(1).contains(route),
                () -> routes(3).contains(route));
        expect("reached from h1 and h3", () -> ping(1, 4), () -> ping(3, 4));
        store.delete(key);
        expect(
                "its routes go with its endpoint",
                () -> !routes(1).contains(workloadIp[4] + " "),
                () -> !routes(3).contains(workloadIp[4] + " "));
    }

    @Test
    @Order(5)
    void aRemovedHostsEntriesDisappear() {
        String t3 = tunnelAddr(3);
        String mac3 = tunnelMac(3);
        String block3 = block(3);
        agents[3].close();
        agents[3] = null;
        String block36 = block6(3);
        store.delete(keys.bgpHostIp(host(3), 4));
        store.delete(keys.bgpHostIp(host(3), 6));
        ipam.releaseByHandle("vxlan-v6-tunnel-addr-" + host(3));
        store.deletePrefix(keys.host(host(3)) + "/");
        ipam.releaseByHandle("vxlan-tunnel-addr-" + host(3));
        ipam.releaseByHandle("wl-" + host(3));
        ipam.releaseHostAffinities(host(3));
        for (int on = 1; on <= 2; on++) {
            int h = on;
            expect(
                    "h3's entries gone on " + host(h),
                    () -> !routes(h).contains(block3),
                    () -> !neighbours(h).contains(t3 + " "),
                    () -> !fdb(h).contains(mac3));
        }
        expect(
                "h3's IPv6 route gone on h1",
                () -> !Sh.ok("ip", "-n", ns(1), "-6", "route").contains(block36));
        expect("h1 - h2 unaffected", () -> tunnelEntries(1, 2), () -> ping(1, 2), () -> tunnelEntries6(1, 2));
    }

    @Test
    @Order(6)
    void removingThePoolRemovesTheDeviceRoutesAndTunnelAddress() {
        store.delete(keys.pool(POOL));
        store.delete(keys.pool(POOL6));
        expect(
                "device, routes and tunnel addresses gone",
                () -> Sh.run("ip", "-n", ns(1), "link", "show", "vxlan.calico").exit() != 0,
                () -> Sh.run("ip", "-n", ns(2), "link", "show", "vxlan.calico").exit() != 0,
                () -> Sh.run("ip", "-n", ns(1), "link", "show", "vxlan-v6.calico")
                                .exit()
                        != 0,
                () -> !routes(1).contains(" via "),
                () -> tunnelAddr(1) == null,
                () -> tunnelAddr(2) == null,
                () -> tunnelAddr6(1) == null);
        assertThat(tunnelMac(1)).as("the MAC is written once and kept").isNotNull();
    }
}
