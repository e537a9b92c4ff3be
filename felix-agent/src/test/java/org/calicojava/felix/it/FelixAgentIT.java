package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
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
 * The agent against a real kernel and a real etcd: a simulated host namespace with three workloads (w1 profile a,
 * w2 profile b, w3 profile c with label role=db), real TCP/UDP/ICMP traffic checked against policy. This class runs
 * with the iptables backend; {@link FelixAgentNftIT} runs every test again with the nftables backend, overriding
 * only how the tests look at and tamper with the rules.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FelixAgentIT {
    static final String HOST = "host1";
    TestNet net;
    JetcdStore store;
    JetcdStore agentStore;
    Keys keys;
    Agent agent;
    Traffic.TcpServer tcp2;
    Traffic.TcpServer tcp2b;
    Traffic.TcpServer tcp3;
    Traffic.UdpServer udp2;
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
        net = new TestNet();
        for (int i = 1; i <= 3; i++) {
            net.addWorkload(i);
        }
        w1 = net.workloadNs(1);
        w2 = net.workloadNs(2);
        w3 = net.workloadNs(3);
        tcp2 = new Traffic.TcpServer(w2, TestNet.ip(2), 8080);
        tcp2b = new Traffic.TcpServer(w2, TestNet.ip(2), 8081);
        tcp3 = new Traffic.TcpServer(w3, TestNet.ip(3), 8080);
        udp2 = new Traffic.UdpServer(w2, TestNet.ip(2), 9000);
        store.put(keys.pool(Cidr.parse("10.65.0.0/16")), "{\"cidr\":\"10.65.0.0/16\",\"masquerade\":true}");
        store.put(keys.felixConfig("IptablesRefreshInterval"), "1");
        profile("a", "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        profile("b", "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        profile("c", "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
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
                Map.of("FELIX_REPORTINGINTERVALSECS", "1", "FELIX_DATAPLANEBACKEND", backend()),
                Namespace.named(net.host));
        a.start();
        assertThat(Sh.waitFor(30, a::ready)).as("agent ready").isNotNegative();
        return a;
    }

    String backend() {
        return "iptables";
    }

    String[] requiredBinaries() {
        return new String[] {"ip", "iptables-restore", "iptables-save", "ipset", "ping"};
    }

    /** The policy rules as the kernel has them (iptables-save of filter, or our nft table). */
    String rules() {
        return net.iptablesSave("filter");
    }

    /** The counter of policy writes (restore or nft calls). */
    String writesMetric() {
        return "felix_iptables_restore_calls";
    }

    /** Whether this backend writes through nftables (iptables-nft), so quiet refreshes skip their read-back. */
    boolean refreshesCanSkip() {
        return Sh.ok(Sh.in(net.host, "iptables-restore", "--version")).contains("nf_tables")
                && Sh.ok(Sh.in(net.host, "ip6tables-restore", "--version")).contains("nf_tables");
    }

    void assertProgrammed() {
        assertThat(rules())
                .contains(
                        "-A FORWARD -m comment --comment \"cali:",
                        ":cali-tw-" + net.iface(1),
                        "-A cali-from-wl-dispatch -i " + net.iface(2) + " -m comment --comment",
                        "-j MARK --set-xmark 0x10000/0x10000");
        assertThat(net.iptablesSave("nat")).contains("-j MASQUERADE");
    }

    /** Deletes the first rule of {@code chain} and our hook by hand. */
    void deleteByHand(String chain) {
        Sh.ok(Sh.in(net.host, "iptables", "-w", "-D", chain, "1"));
        Sh.ok(Sh.in(net.host, "iptables", "-w", "-D", "FORWARD", "1"));
    }

    boolean restored(String chain) {
        String s = rules();
        String first = s.lines()
                .filter(l -> l.startsWith("-A " + chain + " "))
                .findFirst()
                .orElse("");
        return s.contains("-A FORWARD -m comment --comment \"cali:")
                && first.contains("--mark 0x10000/0x10000 -j RETURN");
    }

    @AfterAll
    void tearDown() throws Exception {
        Cleanup.close(agent, tcp2, tcp2b, tcp3, udp2, net, Cleanup.dropKeys(store, keys), agentStore);
    }

    void profile(String name, String rulesJson) {
        Records.profile(store, keys, name, rulesJson);
    }

    String endpointKey(int n) {
        return keys.endpoint(HOST, "test", "wl" + n, "eth0");
    }

    void endpoint(int n, String profile) {
        store.put(endpointKey(n), Records.endpoint(net.iface(n), profile, TestNet.ip(n), null));
    }

    /** Waits until every expectation holds at once; returns the time it took. */
    long expect(String what, BooleanSupplier... all) {
        System.out.println("[felix-it] expecting " + what);
        long ms = Sh.waitFor(15, () -> {
            for (BooleanSupplier b : all) {
                if (!b.getAsBoolean()) {
                    return false;
                }
            }
            return true;
        });
        assertThat(ms).as(what + "\n" + rules()).isNotNegative();
        System.out.println("[felix-it] " + what + ": " + ms + " ms");
        return ms;
    }

    BooleanSupplier tcp(String from, int to, int port, boolean ok) {
        return () -> Traffic.tcpConnects(from, TestNet.ip(to), port) == ok;
    }

    @Test
    @Order(1)
    void routesSysctlsChainsAndStatusAreProgrammed() {
        expect(
                "routes",
                () -> net.routes().contains(TestNet.ip(1) + " dev " + net.iface(1))
                        && net.routes().contains(TestNet.ip(3) + " dev " + net.iface(3)));
        for (String conf : new String[] {"proxy_arp", "route_localnet"}) {
            assertThat(Sh.ok(Sh.in(net.host, "cat", "/proc/sys/net/ipv4/conf/" + net.iface(1) + "/" + conf))
                            .strip())
                    .as(conf)
                    .isEqualTo("1");
        }
        assertThat(Sh.ok(Sh.in(net.host, "cat", "/proc/sys/net/ipv4/neigh/" + net.iface(1) + "/proxy_delay"))
                        .strip())
                .isEqualTo("0");
        assertThat(Sh.ok(Sh.in(net.host, "cat", "/proc/sys/net/ipv4/ip_forward"))
                        .strip())
                .isEqualTo("1");
        assertProgrammed();
        expect(
                "endpoint status up in etcd",
                () -> store.get(keys.felixEndpointStatus(HOST, "test", "wl1", "eth0"))
                        .map(kv -> kv.value().contains("\"up\""))
                        .orElse(false));
        expect(
                "host status in etcd",
                () -> store.get(keys.felixHostStatus(HOST)).isPresent());
        assertThat(http(9099, "/readiness")).startsWith("HTTP/1.1 200");
        assertThat(http(9099, "/liveness")).startsWith("HTTP/1.1 200");
        assertThat(http(9091, "/metrics")).contains("felix_active_local_endpoints 3.0", writesMetric());
        // health listens on loopback only (HealthHost), metrics on every address (PrometheusMetricsHost): from the
        // uplink's other end, the host's address answers metrics and refuses health
        assertThat(httpFromUplink(9091, "/metrics")).contains("felix_active_local_endpoints 3.0");
        assertThat(httpFromUplink(9099, "/liveness")).startsWith("refused");
        expect(
                "allow-all profiles: TCP, UDP, ping",
                tcp(w1, 2, 8080, true),
                () -> udp2.reachableFrom(w1, TestNet.ip(2), 9000),
                () -> net.ping(w1, TestNet.ip(2)));
    }

    /** A GET to the host's uplink address from the uplink's other namespace, or "refused". */
    String httpFromUplink(int port, String path) {
        return NetNs.run(net.up, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(TestNet.HOST_IP, port), 2000);
                s.setSoTimeout(5000);
                OutputStream o = s.getOutputStream();
                o.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                o.flush();
                return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.net.ConnectException e) {
                return "refused";
            }
        });
    }

    String http(int port, String path) {
        return NetNs.run(net.host, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                OutputStream o = s.getOutputStream();
                o.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                o.flush();
                InputStream in = s.getInputStream();
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
    }

    @Test
    @Order(2)
    void everyRuleFieldAllowsAndDenies() {
        String in = "{\"outbound_rules\":[{}],\"inbound_rules\":";
        profile("b", in + "[]}");
        expect("no inbound rule: dropped", tcp(w1, 2, 8080, false), () -> !net.ping(w1, TestNet.ip(2)));
        profile("b", in + "[{\"protocol\":\"tcp\",\"dst_ports\":[8080]}]}");
        expect("dst_ports", tcp(w1, 2, 8080, true), tcp(w1, 2, 8081, false));
        profile("b", in + "[{\"protocol\":\"tcp\",\"!dst_ports\":[8080]}]}");
        expect("!dst_ports", tcp(w1, 2, 8080, false), tcp(w1, 2, 8081, true));
        profile("b", in + "[{\"protocol\":\"tcp\",\"src_ports\":[\"41000:41010\"]}]}");
        expect("src_ports", () -> Traffic.tcpConnects(w1, TestNet.ip(2), 8080, 41005), tcp(w1, 2, 8080, false));
        profile("b", in + "[{\"src_net\":\"10.65.0.1/32\"}]}");
        expect("src_net", tcp(w1, 2, 8080, true), tcp(w3, 2, 8080, false));
        profile("b", in + "[{\"!src_net\":\"10.65.0.1/32\"}]}");
        expect("!src_net", tcp(w1, 2, 8080, false), tcp(w3, 2, 8080, true));
        profile("b", in + "[{\"dst_net\":\"10.65.0.2/32\",\"protocol\":\"tcp\"}]}");
        expect("dst_net", tcp(w1, 2, 8080, true));
        profile("b", in + "[{\"!dst_net\":\"10.65.0.2/32\"}]}");
        expect("!dst_net", tcp(w1, 2, 8080, false));
        profile("b", in + "[{\"src_tag\":\"a\"}]}");
        expect("src_tag", tcp(w1, 2, 8080, true), tcp(w3, 2, 8080, false));
        profile("b", in + "[{\"!src_tag\":\"a\"}]}");
        expect("!src_tag", tcp(w1, 2, 8080, false), tcp(w3, 2, 8080, true));
        profile("b", in + "[{\"src_selector\":\"role == 'db'\"}]}");
        expect("src_selector", tcp(w1, 2, 8080, false), tcp(w3, 2, 8080, true));
        profile("b", in + "[{\"!src_selector\":\"role == 'db'\"}]}");
        expect("!src_selector", tcp(w1, 2, 8080, true), tcp(w3, 2, 8080, false));
        profile("b", in + "[{\"protocol\":\"udp\"}]}");
        expect("protocol udp", () -> udp2.reachableFrom(w1, TestNet.ip(2), 9000), tcp(w1, 2, 8080, false));
        profile("b", in + "[{\"!protocol\":\"udp\"}]}");
        expect("!protocol udp", () -> !udp2.reachableFrom(w1, TestNet.ip(2), 9000), tcp(w1, 2, 8080, true));
        profile("b", in + "[{\"protocol\":\"icmp\",\"icmp_type\":8}]}");
        expect("icmp_type 8", () -> net.ping(w1, TestNet.ip(2)), tcp(w1, 2, 8080, false));
        profile("b", in + "[{\"protocol\":\"icmp\",\"!icmp_type\":8}]}");
        expect("!icmp_type 8", () -> !net.ping(w1, TestNet.ip(2)));
        profile("b", in + "[{\"protocol\":\"icmp\",\"icmp_type\":8,\"icmp_code\":0}]}");
        expect("icmp_type 8 icmp_code 0", () -> net.ping(w1, TestNet.ip(2)));
        profile("b", in + "[{\"protocol\":\"icmp\",\"icmp_type\":8,\"icmp_code\":1}]}");
        expect("icmp_type 8 icmp_code 1", () -> !net.ping(w1, TestNet.ip(2)));
        profile("b", in + "[{\"protocol\":\"icmp\",\"!icmp_type\":8,\"!icmp_code\":0}]}");
        expect("!(icmp_type 8 icmp_code 0)", () -> !net.ping(w1, TestNet.ip(2)));
        profile("b", in + "[{\"protocol\":\"icmp\",\"!icmp_type\":8,\"!icmp_code\":1}]}");
        expect("!(icmp_type 8 icmp_code 1)", () -> net.ping(w1, TestNet.ip(2)));
        profile("b", in + "[{\"protocol\":\"tcp\",\"dst_ports\":[\"8079:8080\"]}]}");
        expect("dst_ports range", tcp(w1, 2, 8080, true), tcp(w1, 2, 8081, false));
        profile("b", in + "[{\"protocol\":\"tcp\",\"!dst_ports\":[\"8079:8080\"]}]}");
        expect("!dst_ports range", tcp(w1, 2, 8080, false), tcp(w1, 2, 8081, true));
        profile("b", in + "[{\"protocol\":\"17\"}]}");
        expect("protocol number 17", () -> udp2.reachableFrom(w1, TestNet.ip(2), 9000), tcp(w1, 2, 8080, false));
        profile("b", in + "[{\"action\":\"deny\",\"protocol\":\"icmp\"},{\"action\":\"log\"},{}]}");
        expect("deny icmp, log, allow rest", () -> !net.ping(w1, TestNet.ip(2)), tcp(w1, 2, 8080, true));
        profile("b", in + "[{}]}");
        long ms = expect("back to allow all", tcp(w1, 2, 8080, true), () -> net.ping(w1, TestNet.ip(2)));
        assertThat(ms).as("rule change to reachability").isLessThan(5000);
    }

    @Test
    @Order(3)
    void outboundRulesOfTheSourceApply() {
        profile(
                "a",
                "{\"inbound_rules\":[{}],\"outbound_rules\":[{\"action\":\"deny\",\"protocol\":\"tcp\",\"dst_ports\":[8081]},{}]}");
        expect("outbound deny 8081", tcp(w1, 2, 8081, false), tcp(w1, 2, 8080, true));
        profile("a", "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        expect("outbound allow", tcp(w1, 2, 8081, true));
    }

    @Test
    @Order(4)
    void tieredPoliciesComeBeforeProfilesAndNextTierPasses() {
        store.put(keys.tierMetadata("t1"), "{\"order\":10}");
        store.put(
                keys.policy("t1", "protect-db"),
                "{\"selector\":\"role == 'db'\",\"order\":1,"
                        + "\"inbound_rules\":[{\"action\":\"deny\",\"src_tag\":\"a\"}]}");
        expect("tier denies a -> db", tcp(w1, 3, 8080, false), tcp(w2, 3, 8080, false), tcp(w1, 2, 8080, true));
        store.put(
                keys.policy("t1", "protect-db"),
                "{\"selector\":\"role == 'db'\",\"order\":1,"
                        + "\"inbound_rules\":[{\"action\":\"deny\",\"src_tag\":\"a\"},{\"action\":\"next-tier\"}]}");
        expect("next-tier passes others to the profile", tcp(w1, 3, 8080, false), tcp(w2, 3, 8080, true));
        store.put(keys.policy("t1", "protect-db"), "{\"selector\":\"role == 'db'\",\"inbound_rules\":[{}]}");
        expect("tier allows", tcp(w1, 3, 8080, true));
        store.deletePrefix(keys.tiers());
        expect("tier gone", tcp(w1, 3, 8080, true), () -> !rules().contains("cali-pi-t1"));
    }

    @Test
    @Order(5)
    void workloadToHostFollowsDefaultEndpointToHostActionAndNatOutgoingMasquerades() throws Exception {
        expect("workload to host dropped by default", () -> !net.ping(w1, TestNet.HOST_IP));
        store.put(keys.felixConfig("DefaultEndpointToHostAction"), "ACCEPT");
        expect("workload to host accepted", () -> net.ping(w1, TestNet.HOST_IP));
        store.delete(keys.felixConfig("DefaultEndpointToHostAction"));
        try (Traffic.TcpServer upstream = new Traffic.TcpServer(net.up, TestNet.UP_IP, 7000)) {
            expect("workload reaches the uplink", () -> Traffic.tcpConnects(w1, TestNet.UP_IP, 7000));
            assertThat(upstream.peers.poll(5, java.util.concurrent.TimeUnit.SECONDS))
                    .as("source seen outside: masqueraded")
                    .isEqualTo(TestNet.HOST_IP);
        }
    }

    @Test
    @Order(6)
    void ruleDeletedByHandIsRestoredByRefresh() {
        String chain = "cali-tw-" + net.iface(2);
        if (refreshesCanSkip()) { // the nftables generation shows no commit since the last read-back
            long skipped = agent.metrics().counter("felix_refreshes_skipped");
            expect(
                    "quiet host: refreshes skip the read-back",
                    () -> agent.metrics().counter("felix_refreshes_skipped") >= skipped + 2);
        }
        // A refresh a second may repair before we could look: the proof of repair is the counter moving.
        long repairs = agent.metrics().counter("felix_drift_repairs");
        deleteByHand(chain);
        expect(
                "refresh restored the rules",
                () -> restored(chain),
                () -> agent.metrics().counter("felix_drift_repairs") > repairs);
    }

    @Test
    @Order(7)
    void badDataIsSkippedAndOthersKeepWorking() {
        store.put(
                keys.endpoint(HOST, "test", "bad", "eth0"),
                "{\"name\":\"calibad\",\"ipv4_nets\":[\"10.65.0.300/32\"]}");
        store.put(keys.profileRules("broken"), "{\"inbound_rules\":[{\"action\":\"jump\"}]}");
        store.put(keys.policy("t9", "p"), "{\"selector\":\"role ==\"}");
        profile("b", "{\"inbound_rules\":[{\"protocol\":\"tcp\",\"dst_ports\":[8081]}],\"outbound_rules\":[{}]}");
        expect("later valid update still applied", tcp(w1, 2, 8081, true), tcp(w1, 2, 8080, false));
        profile("b", "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        store.delete(keys.endpoint(HOST, "test", "bad", "eth0"));
        store.deletePrefix(keys.tiers());
        expect("allow all again", tcp(w1, 2, 8080, true));
    }

    @Test
    @Order(8)
    void endpointWhoseInterfaceAppearsLaterIsProgrammedOnTheLinkEvent() {
        endpoint(4, "b");
        expect(
                "status down while the interface is missing",
                () -> store.get(keys.felixEndpointStatus(HOST, "test", "wl4", "eth0"))
                        .map(kv -> kv.value().contains("\"down\""))
                        .orElse(false));
        net.addWorkload(4);
        expect(
                "route and traffic once the veth exists",
                () -> net.routes().contains(TestNet.ip(4) + " dev " + net.iface(4)),
                () -> net.ping(net.workloadNs(4), TestNet.ip(2)));
    }

    @Test
    @Order(9)
    void linkDownUpAndRecreatedAreFollowedOneEventAtATime() {
        String ifc = net.iface(4);
        java.util.function.Supplier<String> status =
                () -> store.get(keys.felixEndpointStatus(HOST, "test", "wl4", "eth0"))
                        .map(kv -> kv.value())
                        .orElse("");
        Sh.ok("ip", "-n", net.host, "link", "set", ifc, "down");
        expect(
                "link down: status down, the route gone with it",
                () -> status.get().contains("\"down\""),
                () -> !net.routes().contains(TestNet.ip(4) + " "));
        Sh.ok("ip", "-n", net.host, "link", "set", ifc, "up");
        expect(
                "link up again: route, traffic and status back",
                () -> net.routes().contains(TestNet.ip(4) + " dev " + ifc),
                () -> status.get().contains("\"up\""),
                () -> net.ping(net.workloadNs(4), TestNet.ip(2)));
        String before = Sh.ok("ip", "-n", net.host, "-o", "link", "show", ifc).split(":")[0];
        net.recreateVeth(4);
        String after = Sh.ok("ip", "-n", net.host, "-o", "link", "show", ifc).split(":")[0];
        assertThat(after).as("a new interface under the same name").isNotEqualTo(before);
        expect(
                "veth made again: route to the new interface, its sysctls, traffic",
                () -> net.routes().contains(TestNet.ip(4) + " dev " + ifc),
                () -> Sh.ok(Sh.in(net.host, "cat", "/proc/sys/net/ipv4/conf/" + ifc + "/proxy_arp"))
                        .strip()
                        .equals("1"),
                () -> net.ping(net.workloadNs(4), TestNet.ip(2)),
                () -> status.get().contains("\"up\""));
    }

    @Test
    @Order(10)
    void deletingAnEndpointRemovesItsRouteAndChains() {
        store.delete(endpointKey(4));
        expect(
                "route and chains gone",
                () -> !net.routes().contains(TestNet.ip(4) + " "),
                () -> !rules().contains("cali-tw-" + net.iface(4)),
                () -> store.get(keys.felixEndpointStatus(HOST, "test", "wl4", "eth0"))
                        .isEmpty());
        assertThat(net.routes()).contains(TestNet.ip(1) + " dev " + net.iface(1));
    }

    @Test
    @Order(11)
    void restartKeepsARunningTcpStreamAlive() throws Exception {
        try (Socket s = Traffic.open(w1, TestNet.ip(2), 8080)) {
            echo(s, "before");
            agent.close();
            echo(s, "while stopped");
            agent = startAgent();
            long calls = agent.metrics().counter(writesMetric());
            for (int i = 0; i < 10; i++) {
                echo(s, "after " + i);
            }
            assertThat(calls).as("restarted agent found nothing to rewrite").isZero();
        }
        expect("new connections still work", tcp(w1, 2, 8080, true));
    }

    private static void echo(Socket s, String text) throws Exception {
        byte[] b = (text + "\n").getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(b);
        s.getOutputStream().flush();
        byte[] got = s.getInputStream().readNBytes(b.length);
        assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo(text + "\n");
    }
}
