package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.calicojava.netlink.NetNs;
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
 * IPv6 policy and anti-spoofing against a real kernel and a real etcd: a dual-stack simulated host with three
 * workloads (w1 profile a, w2 profile b, w3 profile c with label role=db), real TCP, UDP and ICMPv6 traffic.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FelixV6IT {
    static final String HOST = "v6host";
    DualStackNet net;
    JetcdStore store;
    JetcdStore agentStore;
    Keys keys;
    Agent agent;
    Traffic.TcpServer tcp2;
    Traffic.TcpServer tcp2b;
    Traffic.TcpServer tcp2v4;
    Traffic.UdpServer udp2;
    Traffic.UdpServer udp2v4;
    String w1;
    String w2;
    String w3;

    @BeforeAll
    void setUp() {
        Sh.require(requiredBinaries());
        String endpoints = System.getenv("ETCD_ENDPOINTS");
        assertThat(endpoints)
                .as("ETCD_ENDPOINTS (start etcd with scripts/lib/etcd.sh)")
                .isNotBlank();
        keys = new Keys("/cj-test-" + UUID.randomUUID());
        store = new JetcdStore(EtcdConfig.of(endpoints));
        agentStore = new JetcdStore(EtcdConfig.of(endpoints));
        net = new DualStackNet(namespacePrefix());
        for (int i = 1; i <= 3; i++) {
            net.addWorkload(i);
        }
        w1 = net.workloadNs(1);
        w2 = net.workloadNs(2);
        w3 = net.workloadNs(3);
        tcp2 = new Traffic.TcpServer(w2, DualStackNet.ip6(2), 8080);
        tcp2b = new Traffic.TcpServer(w2, DualStackNet.ip6(2), 8081);
        tcp2v4 = new Traffic.TcpServer(w2, DualStackNet.ip(2), 8080);
        udp2 = new Traffic.UdpServer(w2, DualStackNet.ip6(2), 9000);
        udp2v4 = new Traffic.UdpServer(w2, DualStackNet.ip(2), 9000);
        store.put(keys.pool(Cidr.parse("10.66.0.0/16")), "{\"cidr\":\"10.66.0.0/16\"}");
        store.put(keys.pool(Cidr.parse("fd00:66::/64")), "{\"cidr\":\"fd00:66::/64\",\"masquerade\":true}");
        store.put(keys.felixConfig("IptablesRefreshInterval"), "1");
        for (String p : new String[] {"a", "b", "c"}) {
            profile(p, "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        }
        store.put(keys.profileLabels("c"), "{\"role\":\"db\"}");
        for (int i = 1; i <= 3; i++) {
            endpoint(i, "abc".substring(i - 1, i));
        }
        agentStore.get("/warm-up"); // gRPC threads start here, in this namespace
        agent = startAgent();
    }

    Agent startAgent() {
        Agent a = new Agent(
                agentStore,
                keys,
                HOST,
                Map.of(
                        "FELIX_HEALTHPORT",
                        "0",
                        "FELIX_PROMETHEUSMETRICSPORT",
                        "0",
                        "FELIX_DATAPLANEBACKEND",
                        backend()),
                Namespace.named(net.host));
        a.start();
        assertThat(Sh.waitFor(30, a::ready)).as("agent ready").isNotNegative();
        return a;
    }

    /** The counter of policy writes (iptables-restore or nft calls). */
    String writesMetric() {
        return "felix_iptables_restore_calls";
    }

    String backend() {
        return "iptables";
    }

    String[] requiredBinaries() {
        return new String[] {"ip", "iptables-restore", "ip6tables-restore", "ip6tables-save", "ipset", "ping"};
    }

    String namespacePrefix() {
        return "v6";
    }

    /** What a failed expectation shows: the IPv6 policy as programmed. */
    String dump() {
        return net.save(6, "filter");
    }

    @AfterAll
    void tearDown() throws Exception {
        Cleanup.close(agent, tcp2, tcp2b, tcp2v4, udp2, udp2v4, net, Cleanup.dropKeys(store, keys), agentStore);
    }

    void profile(String name, String rulesJson) {
        Records.profile(store, keys, name, rulesJson);
    }

    void endpoint(int n, String profile) {
        store.put(
                keys.endpoint(HOST, "test", "wl" + n, "eth0"),
                Records.endpoint(net.iface(n), profile, DualStackNet.ip(n), DualStackNet.ip6(n)));
    }

    long expect(String what, BooleanSupplier... all) {
        System.out.println("[felix-v6-it] expecting " + what);
        long ms = Sh.waitFor(15, () -> {
            for (BooleanSupplier b : all) {
                if (!b.getAsBoolean()) {
                    return false;
                }
            }
            return true;
        });
        assertThat(ms).as(what + "\n" + dump()).isNotNegative();
        System.out.println("[felix-v6-it] " + what + ": " + ms + " ms");
        return ms;
    }

    BooleanSupplier tcp6(String from, int to, int port, boolean ok) {
        return () -> Traffic.tcpConnects(from, DualStackNet.ip6(to), port) == ok;
    }

    BooleanSupplier tcp4(String from, int to, int port, boolean ok) {
        return () -> Traffic.tcpConnects(from, DualStackNet.ip(to), port) == ok;
    }

    BooleanSupplier ping6(String from, int to, boolean ok) {
        return () -> net.ping(from, DualStackNet.ip6(to)) == ok;
    }

    /** Sends a fresh UDP token from {@code src} (bound inside {@code ns}) and says whether {@code server} got it. */
    static boolean udpArrives(String ns, String src, String dst, int port, Traffic.UdpServer server) {
        String token = UUID.randomUUID().toString();
        try {
            NetNs.run(ns, () -> {
                try (DatagramSocket c = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(src), 0))) {
                    byte[] b = token.getBytes(StandardCharsets.UTF_8);
                    c.send(new DatagramPacket(b, b.length, new InetSocketAddress(dst, port)));
                }
                return null;
            });
            long deadline = System.nanoTime() + 700_000_000L;
            while (System.nanoTime() < deadline) {
                if (token.equals(server.got.poll(50, TimeUnit.MILLISECONDS))) {
                    return true;
                }
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    @Order(1)
    void ipv6RoutesChainsIpsetsAndTrafficAreProgrammed() {
        expect(
                "/128 routes",
                () -> net.routes6().contains(DualStackNet.ip6(1) + " dev " + net.iface(1))
                        && net.routes6().contains(DualStackNet.ip6(3) + " dev " + net.iface(3)));
        expect(
                "allow-all profiles: TCP, UDP and ping over IPv6 (neighbour discovery works)",
                tcp6(w1, 2, 8080, true),
                () -> udpArrives(w1, DualStackNet.ip6(1), DualStackNet.ip6(2), 9000, udp2),
                ping6(w1, 2, true),
                tcp4(w1, 2, 8080, true));
        assertProgrammed();
    }

    /** The IPv6 tables, raw chains of both families, NAT66 and inet6 ipsets as the iptables backend writes them. */
    void assertProgrammed() {
        String save = net.save(6, "filter");
        assertThat(save)
                .contains(
                        "-A FORWARD -m comment --comment \"cali:",
                        ":cali-tw-" + net.iface(1),
                        "-A cali-from-wl-dispatch -i " + net.iface(2) + " -m comment --comment",
                        "-A cali-wl-to-host -p ipv6-icmp -m comment --comment");
        assertThat(net.save(6, "raw"))
                .contains(
                        "-A PREROUTING -m comment --comment",
                        "-j cali-PREROUTING",
                        "-A cali-PREROUTING -i cali+ -m comment --comment")
                .containsPattern("-m rpfilter --invert -j DROP");
        assertThat(net.save(4, "raw")).containsPattern("-A cali-PREROUTING -i cali\\+ .*-m rpfilter --invert -j DROP");
        assertThat(net.save(6, "nat")).contains("cali6-masq-ipam-pools", "-j MASQUERADE");
        assertThat(Sh.ok(Sh.in(net.host, "ipset", "list", "cali6-all-ipam-pools")))
                .contains("family inet6", "fd00:66::/64");
    }

    @Test
    @Order(2)
    void ipv6RulesAllowAndDeny() {
        String in = "{\"outbound_rules\":[{}],\"inbound_rules\":";
        profile("b", in + "[]}");
        expect("no inbound rule: IPv6 dropped", tcp6(w1, 2, 8080, false), ping6(w1, 2, false));
        profile("b", in + "[{\"protocol\":\"tcp\",\"dst_ports\":[8080]}]}");
        expect("dst_ports over IPv6", tcp6(w1, 2, 8080, true), tcp6(w1, 2, 8081, false), ping6(w1, 2, false));
        profile("b", in + "[{\"src_net\":\"fd00:66::1/128\"}]}");
        expect(
                "IPv6 src_net: w1 allowed over IPv6 only (not rendered into iptables)",
                tcp6(w1, 2, 8080, true),
                tcp6(w3, 2, 8080, false),
                tcp4(w1, 2, 8080, false));
        profile("b", in + "[{\"!src_net\":\"fd00:66::1/128\"}]}");
        expect("IPv6 !src_net", tcp6(w1, 2, 8080, false), tcp6(w3, 2, 8080, true));
        profile("b", in + "[{\"src_net\":\"10.66.0.1/32\"}]}");
        expect("IPv4 src_net: not rendered into ip6tables", tcp4(w1, 2, 8080, true), tcp6(w1, 2, 8080, false));
        profile("b", in + "[{\"dst_net\":\"fd00:66::2/128\",\"protocol\":\"udp\"}]}");
        expect(
                "IPv6 dst_net with udp",
                () -> udpArrives(w1, DualStackNet.ip6(1), DualStackNet.ip6(2), 9000, udp2),
                tcp6(w1, 2, 8080, false));
        profile("b", in + "[{\"protocol\":\"icmpv6\",\"icmp_type\":128}]}");
        expect(
                "icmpv6 type 128 (echo request)",
                ping6(w1, 2, true),
                tcp6(w1, 2, 8080, false),
                () -> !net.ping(w1, DualStackNet.ip(2)));
        profile("b", in + "[{\"protocol\":\"icmpv6\",\"!icmp_type\":128}]}");
        expect("icmpv6 !type 128", ping6(w1, 2, false));
        profile("b", in + "[{\"protocol\":\"icmp\",\"icmp_type\":8}]}");
        expect("icmp (v4) type 8: IPv4 ping only", () -> net.ping(w1, DualStackNet.ip(2)), ping6(w1, 2, false));
        profile("b", in + "[{\"src_tag\":\"a\"}]}");
        expect("src_tag over IPv6 (cali6- ipset)", tcp6(w1, 2, 8080, true), tcp6(w3, 2, 8080, false));
        assertSetHolds("cali6-t-a", DualStackNet.ip6(1));
        profile("b", in + "[{\"src_selector\":\"role == 'db'\"}]}");
        expect("src_selector over IPv6", tcp6(w1, 2, 8080, false), tcp6(w3, 2, 8080, true));
        profile("b", in + "[{\"action\":\"deny\",\"protocol\":\"icmpv6\"},{}]}");
        expect(
                "deny icmpv6, allow the rest",
                ping6(w1, 2, false),
                tcp6(w1, 2, 8080, true),
                () -> net.ping(w1, DualStackNet.ip(2)));
        profile("b", in + "[{}]}");
        expect("back to allow all", tcp6(w1, 2, 8080, true), ping6(w1, 2, true));
    }

    @Test
    @Order(3)
    void outboundIpv6RulesOfTheSourceApply() {
        profile(
                "a",
                "{\"inbound_rules\":[{}],\"outbound_rules\":[{\"action\":\"deny\",\"protocol\":\"tcp\","
                        + "\"dst_net\":\"fd00:66::/64\",\"dst_ports\":[8081]},{}]}");
        expect("outbound deny 8081 over IPv6 only", tcp6(w1, 2, 8081, false), tcp6(w1, 2, 8080, true));
        profile("a", "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        expect("outbound allow", tcp6(w1, 2, 8081, true));
    }

    @Test
    @Order(4)
    void neighbourDiscoveryWorksWhenPolicyDeniesEverything() {
        profile("c", "{\"inbound_rules\":[],\"outbound_rules\":[]}");
        Sh.run(Sh.in(w3, "ip", "-6", "neigh", "flush", "dev", "eth0"));
        long ns0 = ndpAccepted(135);
        expect("w3 cannot send anything", () -> !net.ping(w3, DualStackNet.ip6(2)));
        String neigh = Sh.ok(Sh.in(w3, "ip", "-6", "neigh", "show", "dev", "eth0"));
        assertThat(neigh)
                .as("the host's link-local address resolved by NDP")
                .containsPattern(Pattern.quote(DualStackNet.HOST_LINK_LOCAL)
                        + " lladdr ee:ee:ee:ee:ee:ee (router )?(REACHABLE|STALE|DELAY|PROBE)");
        assertThat(ndpAccepted(135) - ns0)
                .as("neighbour solicitations accepted before policy")
                .isPositive();
        profile("c", "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        expect("w3 sends again", () -> net.ping(w3, DualStackNet.ip6(2)));
    }

    @Test
    @Order(5)
    void forgedSourceAddressesAreDroppedRealOnesPass() {
        // inside w1: an address the endpoint does not own, and w3's address (spoofing a neighbour)
        Sh.ok(Sh.in(w1, "ip", "addr", "add", "10.66.0.99/32", "dev", "eth0"));
        Sh.ok(Sh.in(w1, "ip", "addr", "add", "10.66.0.3/32", "dev", "eth0"));
        Sh.ok(Sh.in(w1, "ip", "addr", "add", "fd00:66::99/128", "dev", "eth0", "nodad"));
        Sh.ok(Sh.in(w1, "ip", "addr", "add", "fd00:66::3/128", "dev", "eth0", "nodad"));
        tcp2.peers.clear();
        try {
            long dropped6 = rpfilterDrops(6);
            expect(
                    "real addresses pass",
                    () -> udpArrives(w1, DualStackNet.ip6(1), DualStackNet.ip6(2), 9000, udp2),
                    () -> udpArrives(w1, DualStackNet.ip(1), DualStackNet.ip(2), 9000, udp2v4),
                    () -> net.ping(w1, DualStackNet.ip6(2), DualStackNet.ip6(1)));
            for (String forged : new String[] {"fd00:66::99", "fd00:66::3"}) {
                assertThat(udpArrives(w1, forged, DualStackNet.ip6(2), 9000, udp2))
                        .as("UDP from forged " + forged)
                        .isFalse();
                assertThat(net.ping(w1, DualStackNet.ip6(2), forged))
                        .as("ping from forged " + forged)
                        .isFalse();
            }
            long dropped4 = rpfilterDrops(4); // counted over IPv4 forgeries only (one rule for both families on nft)
            for (String forged : new String[] {"10.66.0.99", "10.66.0.3"}) {
                assertThat(udpArrives(w1, forged, DualStackNet.ip(2), 9000, udp2v4))
                        .as("UDP from forged " + forged)
                        .isFalse();
            }
            assertThat(rpfilterDrops(4) - dropped4)
                    .as("packets dropped by the IPv4 anti-spoofing rule")
                    .isGreaterThanOrEqualTo(2);
            Sh.Result nc = Sh.run(Sh.in(w1, "nc", "-z", "-w", "1", "-s", "fd00:66::99", DualStackNet.ip6(2), "8080"));
            assertThat(nc.exit()).as("nc -s forged: " + nc.out()).isNotZero();
            assertThat(tcp2.peers).doesNotContain("fd00:66:0:0:0:0:0:99", "fd00:66:0:0:0:0:0:3");
            assertThat(rpfilterDrops(6) - dropped6)
                    .as("packets dropped by the IPv6 anti-spoofing rule")
                    .isGreaterThanOrEqualTo(5);
            assertThat(udpArrives(w1, DualStackNet.ip6(1), DualStackNet.ip6(2), 9000, udp2))
                    .as("real address still passes")
                    .isTrue();
        } finally {
            for (String a : new String[] {"10.66.0.99/32", "10.66.0.3/32", "fd00:66::99/128", "fd00:66::3/128"}) {
                Sh.run(Sh.in(w1, "ip", "addr", "del", a, "dev", "eth0"));
            }
        }
    }

    /** The IPv6 set {@code name} exists (as the backend writes sets) and holds {@code member}. */
    void assertSetHolds(String name, String member) {
        assertThat(Sh.ok(Sh.in(net.host, "ipset", "list", name))).contains("family inet6", member);
    }

    /** The packet counter of the rule accepting ICMPv6 {@code type} in cali-wl-to-host (ip6tables). */
    long ndpAccepted(int type) {
        String out = Sh.ok(Sh.in(net.host, "ip6tables", "-w", "-L", "cali-wl-to-host", "-v", "-x", "-n"));
        Matcher m = Pattern.compile("^\\s*(\\d+)\\s+\\d+\\s+ACCEPT.*ipv6-icmptype " + type + "\\b", Pattern.MULTILINE)
                .matcher(out);
        assertThat(m.find()).as("NDP rule for type " + type + " in\n" + out).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** The packet counter of the rpfilter DROP rule in cali-PREROUTING (raw table) of the host. */
    long rpfilterDrops(int version) {
        String out = Sh.ok(Sh.in(
                net.host,
                version == 6 ? "ip6tables" : "iptables",
                "-w",
                "-t",
                "raw",
                "-L",
                "cali-PREROUTING",
                "-v",
                "-x",
                "-n"));
        Matcher m = Pattern.compile("^\\s*(\\d+)\\s+\\d+\\s+DROP.*rpfilter", Pattern.MULTILINE)
                .matcher(out);
        assertThat(m.find()).as("rpfilter rule in\n" + out).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    @Order(6)
    void ipv6PoolWithMasqueradeGetsNat66() throws Exception {
        try (Traffic.TcpServer upstream = new Traffic.TcpServer(net.up, DualStackNet.UP_IP6, 7000)) {
            expect("workload reaches the uplink over IPv6", () -> Traffic.tcpConnects(w1, DualStackNet.UP_IP6, 7000));
            assertThat(InetAddress.getByName(upstream.peers.poll(5, TimeUnit.SECONDS)))
                    .as("source seen outside: masqueraded")
                    .isEqualTo(InetAddress.getByName(DualStackNet.HOST_IP6));
        }
    }

    @Test
    @Order(7)
    void ipv6RulesDeletedByHandAreRestoredByRefresh() {
        // A refresh a second: it may repair before we could look, so the proof of repair is the counter moving.
        long before = agent.metrics().counter("felix_drift_repairs");
        deleteIpv6RulesByHand();
        expect(
                "refresh restored the IPv6 rules",
                this::ipv6RulesRestored,
                () -> agent.metrics().counter("felix_drift_repairs") > before);
    }

    /** Deletes the first rule of an endpoint chain and the anti-spoofing rule, in ip6tables. */
    void deleteIpv6RulesByHand() {
        Sh.ok(Sh.in(net.host, "ip6tables", "-w", "-D", "cali-tw-" + net.iface(2), "1"));
        Sh.ok(Sh.in(net.host, "ip6tables", "-w", "-t", "raw", "-D", "cali-PREROUTING", "1"));
    }

    boolean ipv6RulesRestored() {
        String chain = "cali-tw-" + net.iface(2);
        String first = net.save(6, "filter")
                .lines()
                .filter(l -> l.startsWith("-A " + chain + " "))
                .findFirst()
                .orElse("");
        return first.contains("--mark 0x10000/0x10000 -j RETURN")
                && net.save(6, "raw").contains("rpfilter");
    }

    @Test
    @Order(8)
    void ipv6SupportOffRemovesTheIpv6DataplaneAndOnBringsItBack() {
        store.put(keys.felixConfig("Ipv6Support"), "false");
        expect(
                "no IPv6 routes, chains, hooks or sets; IPv4 unaffected",
                () -> !net.routes6().contains(DualStackNet.ip6(1)),
                this::noIpv6Policy,
                tcp4(w1, 2, 8080, true),
                tcp6(w1, 2, 8080, false));
        assertIpv4PolicyStays();
        store.delete(keys.felixConfig("Ipv6Support"));
        expect("IPv6 back (default on)", tcp6(w1, 2, 8080, true), ping6(w1, 2, true), this::ipv6PolicyBack);
    }

    /** No chain, hook or set of ours for IPv6 (Ipv6Support false). */
    boolean noIpv6Policy() {
        return !net.save(6, "filter").contains("cali-")
                && !net.save(6, "raw").contains("cali-")
                && !net.save(6, "nat").contains("cali-")
                && !Sh.ok(Sh.in(net.host, "ipset", "list", "-n")).contains("cali6-");
    }

    void assertIpv4PolicyStays() {
        assertThat(net.save(4, "filter")).contains("cali-tw-" + net.iface(2));
    }

    boolean ipv6PolicyBack() {
        return net.save(6, "raw").contains("rpfilter");
    }

    @Test
    @Order(9)
    void restartOnTheDualStackHostWritesNothingAndKeepsAnIpv6StreamAlive() throws Exception {
        try (java.net.Socket s = Traffic.open(w1, DualStackNet.ip6(2), 8080)) {
            echo(s, "before");
            agent.close();
            echo(s, "while stopped");
            agent = startAgent();
            for (int i = 0; i < 5; i++) {
                echo(s, "after " + i);
            }
            expect(
                    "new IPv6 and IPv4 connections still work",
                    tcp6(w1, 2, 8080, true),
                    tcp4(w1, 2, 8080, true),
                    ping6(w1, 2, true));
            assertThat(agent.metrics().counter(writesMetric()))
                    .as("restarted agent found nothing to rewrite")
                    .isZero();
        }
    }

    private static void echo(java.net.Socket s, String text) throws Exception {
        byte[] b = (text + "\n").getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(b);
        s.getOutputStream().flush();
        assertThat(new String(s.getInputStream().readNBytes(b.length), StandardCharsets.UTF_8))
                .isEqualTo(text + "\n");
    }
}
