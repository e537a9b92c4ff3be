package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.agent.Metrics;
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
 * Issue 14 on the real kernel and a real etcd: an attacker with write access to one etcd key cannot crash the agent,
 * inject iptables-restore input or take the host's routes. A namespace host (uplink, default route, a chain "C" of
 * another program) runs the agent; for each record type and each kind of bad value (or bad key) the test writes it
 * while the agent runs, then a good change (a new endpoint with a new /32 and a new policy) and checks that the good
 * one is applied (route in the namespace's table, policy chain in iptables-save), the bad one counted in
 * {@code felix_datastore_invalid_records} (unknown fields are accepted: not counted), only cali- chains exist besides
 * the built-in ones and "C" (which keeps its rule), and the default and connected routes are unchanged. Before that:
 * endpoint routes colliding with a static and a kernel route, and an endpoint carrying 0.0.0.0/0 and the uplink's
 * subnet, leave the host's routes as they were (also after the endpoint is deleted) and get status error in etcd.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FelixBadInputIT {
    static final String HOST = "host1";
    static final Pattern CHAIN_DECL =
            Pattern.compile(":(INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING|C" + "|cali-[A-Za-z0-9_.\\-]{1,23}) .*");
    private static final String HOSTILE = "\tF\tC\nCOMMIT\n#";
    TestNet net;
    JetcdStore store;
    JetcdStore agentStore;
    Keys keys;
    Agent agent;
    String defaultRoute;
    String connectedRoute;
    /** The good endpoints written so far: the next good one is numbered after them. */
    int good;

    @BeforeAll
    void setUp() {
        Sh.require("ip", "iptables-restore", "iptables-save", "ipset");
        String endpoints = System.getenv("ETCD_ENDPOINTS");
        assertThat(endpoints)
                .as("ETCD_ENDPOINTS (start etcd with scripts/lib/etcd.sh)")
                .isNotBlank();
        keys = new Keys("/cj-test-" + UUID.randomUUID());
        store = new JetcdStore(EtcdConfig.of(endpoints));
        agentStore = new JetcdStore(EtcdConfig.of(endpoints));
        net = new TestNet(nsPrefix());
        net.addWorkload(1); // the good endpoints, one after another
        Sh.ok(Sh.in(net.host, "iptables", "-w", "-N", "C"));
        Sh.ok(Sh.in(net.host, "iptables", "-w", "-A", "C", "-s", "198.51.100.7", "-j", "DROP"));
        defaultRoute = Sh.ok("ip", "-n", net.host, "route", "show", "default").strip();
        connectedRoute =
                Sh.ok("ip", "-n", net.host, "route", "show", "192.168.200.0/24").strip();
        assertThat(defaultRoute).contains("via " + TestNet.UP_IP);
        assertThat(connectedRoute).contains("proto kernel");
        store.put(keys.pool(Cidr.parse("10.65.0.0/16")), "{\"cidr\":\"10.65.0.0/16\"}");
        Records.profile(store, keys, "good", "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        store.put(keys.tierMetadata("good"), "{\"order\":10}");
        agentStore.get("/warm-up"); // gRPC threads start here, in this namespace
        agent = new Agent(
                agentStore,
                keys,
                HOST,
                Map.of(
                        "FELIX_REPORTINGINTERVALSECS",
                        "1",
                        "FELIX_DATAPLANEBACKEND",
                        backend(),
                        "FELIX_HEALTHPORT",
                        "9099",
                        "FELIX_PROMETHEUSMETRICSPORT",
                        "9091"),
                Namespace.named(net.host));
        agent.start();
        assertThat(Sh.waitFor(30, agent::ready)).as("agent ready").isNotNegative();
    }

    String backend() {
        return "iptables";
    }

    String nsPrefix() {
        return "bi-";
    }

    /** Whether our policy chain {@code name} is programmed. */
    boolean hasChain(String name) {
        return net.iptablesSave("filter").contains(":" + name + " ");
    }

    /** Only the built-in chains, ours, and the other program's C (with its rule) exist in every table. */
    void onlyOurChains() {
        for (String table : List.of("filter", "nat", "raw")) {
            String saved = net.iptablesSave(table);
            assertThat(saved.lines().filter(l -> l.startsWith(":")))
                    .as(table)
                    .allSatisfy(l -> assertThat(l).matches(CHAIN_DECL));
        }
        assertThat(net.iptablesSave("filter")).contains("-A C -s 198.51.100.7/32 -j DROP");
    }

    @AfterAll
    void tearDown() throws Exception {
        Cleanup.close(agent, net, Cleanup.dropKeys(store, keys), agentStore);
    }

    private String endpointKey(String workload) {
        return keys.v1() + "/host/" + HOST + "/workload/k8s/" + workload + "/endpoint/eth0";
    }

    private String status(String workload) {
        return store.get(keys.felixEndpointStatus(HOST, "k8s", workload, "eth0"))
                .map(kv -> kv.value())
                .orElse("");
    }

    private String route(String dst) {
        return Sh.ok("ip", "-n", net.host, "route", "show", dst).strip();
    }

    private void expect(String what, double seconds, java.util.function.BooleanSupplier cond) {
        assertThat(Sh.waitFor(seconds, cond)).as(what).isNotNegative();
    }

    private void hostRoutesIntact() {
        assertThat(Sh.ok("ip", "-n", net.host, "route", "show", "default").strip())
                .isEqualTo(defaultRoute);
        assertThat(route("192.168.200.0/24")).isEqualTo(connectedRoute);
    }

    @Test
    @Order(1)
    void endpointRoutesNeverTakeAStaticOrKernelRoute() {
        net.addWorkload(50);
        net.addWorkload(61);
        Sh.ok("ip", "-n", net.host, "route", "add", "10.65.0.50/32", "via", TestNet.UP_IP, "proto", "static");
        Sh.ok("ip", "-n", net.host, "addr", "add", "10.99.0.1", "peer", "10.65.0.61/32", "dev", "uplink0");
        String staticRoute = route("10.65.0.50");
        String kernelRoute = route("10.65.0.61");
        assertThat(kernelRoute).contains("proto kernel");
        store.put(endpointKey("static"), Records.endpoint(net.iface(50), "good", "10.65.0.50", null));
        store.put(endpointKey("kernel"), Records.endpoint(net.iface(61), "good", "10.65.0.61", null));
        expect(
                "status error for the static collision",
                20,
                () -> status("static").contains("\"error\"") && status("static").contains("protocol 4"));
        expect(
                "status error for the kernel collision",
                20,
                () -> status("kernel").contains("\"error\"") && status("kernel").contains("protocol 2"));
        assertThat(route("10.65.0.50")).isEqualTo(staticRoute);
        assertThat(route("10.65.0.61")).isEqualTo(kernelRoute);
        assertThat(hasChain("cali-tw-" + net.iface(50)))
                .as("policy still in place")
                .isTrue();
        expect("route conflicts gauge", 5, () -> agent.metrics().render().contains("felix_route_conflicts 2.0"));
        store.delete(endpointKey("kernel"));
        expect("status deleted", 20, () -> status("kernel").isEmpty());
        assertThat(route("10.65.0.61")).isEqualTo(kernelRoute);
        // the static route goes: felix's conflict is looked at again and its route comes
        Sh.ok("ip", "-n", net.host, "route", "del", "10.65.0.50/32", "proto", "static");
        expect(
                "felix's route once the static one is gone",
                40,
                () -> net.routes().contains("10.65.0.50 dev " + net.iface(50))
                        && status("static").contains("\"up\""));
        store.delete(endpointKey("static"));
        expect("felix's own route removed", 20, () -> !net.routes().contains("10.65.0.50"));
        hostRoutesIntact();
    }

    @Test
    @Order(2)
    void anEndpointCarryingTheDefaultRouteAndTheUplinkSubnetIsRefused() {
        net.addWorkload(3);
        store.put(
                endpointKey("hijack"),
                "{\"state\":\"active\",\"name\":\"" + net.iface(3) + "\",\"profile_ids\":"
                        + "[\"good\"],\"ipv4_nets\":[\"10.65.0.3/32\",\"0.0.0.0/0\",\"192.168.200.0/24\"]}");
        expect(
                "status error for the hijacking endpoint",
                20,
                () -> status("hijack").contains("\"error\"") && status("hijack").contains("0.0.0.0/0"));
        goodChangeApplied();
        hostRoutesIntact();
        assertThat(net.routes()).doesNotContain("10.65.0.3 ");
        store.delete(endpointKey("hijack"));
        expect("status deleted", 20, () -> status("hijack").isEmpty());
        goodChangeApplied();
        hostRoutesIntact();
    }

    /** A bad record: its key, its value (null: a delete is not what we test), and whether it is accepted. */
    private record Case(String name, String key, String value, boolean accepted) {}

    private List<Case> cases() {
        String ep = endpointKey("bad");
        String rules = keys.profileRules("good2");
        String tags = keys.profileTags("good2");
        String labels = keys.profileLabels("good2");
        String tier = keys.tierMetadata("t");
        String policy = keys.policy("t", "p");
        String pool = keys.pool(Cidr.parse("10.66.0.0/16"));
        String v1 = keys.v1();
        String ports = "[" + "1,".repeat(99_999) + "1]";
        String iface = net.iface(2);
        List<Case> c = new ArrayList<>();
        for (String[] kv : new String[][] {
            {"endpoint", ep},
            {"profile rules", rules},
            {"profile tags", tags},
            {"profile labels", labels},
            {"tier metadata", tier},
            {"policy", policy},
            {"pool", pool}
        }) {
            c.add(new Case(kv[0] + " null", kv[1], "null", false));
            c.add(new Case(kv[0] + " truncated", kv[1], "{\"a\":[", false));
            c.add(new Case(kv[0] + " binary", kv[1], "\u0000\u00ff\ufffd\u0001", false));
            c.add(new Case(
                    kv[0] + " wrong type", kv[1], kv[0].equals("profile tags") ? "{\"a\":1}" : "\"text\"", false));
        }
        // endpoint values
        c.add(new Case(
                "endpoint newline in name",
                ep,
                "{\"name\":\"cali\\nCOMMIT\",\"ipv4_nets\":[\"10.65.0.9/32\"]}",
                false));
        c.add(new Case("endpoint over-long name", ep, "{\"name\":\"" + "c".repeat(300) + "\"}", false));
        c.add(new Case("endpoint /0", ep, "{\"name\":\"" + iface + "\",\"ipv4_nets\":[\"0.0.0.0/0\"]}", false));
        c.add(new Case("endpoint /8", ep, "{\"name\":\"" + iface + "\",\"ipv4_nets\":[\"10.0.0.0/8\"]}", false));
        c.add(new Case("endpoint v6 /64", ep, "{\"name\":\"" + iface + "\",\"ipv6_nets\":[\"fd00::/64\"]}", false));
        c.add(new Case(
                "endpoint wrong field type", ep, "{\"name\":\"" + iface + "\",\"ipv4_nets\":\"10.65.0.9/32\"}", false));
        c.add(new Case(
                "endpoint profile with restore syntax",
                ep,
                "{\"name\":\"" + iface + "\",\"profile_ids\":[\"" + "x\\nCOMMIT\"]}",
                false));
        c.add(new Case(
                "endpoint unknown fields",
                ep,
                "{\"name\":\"" + iface + "\",\"future\":{\"x\":1}," + "\"ipv4_nets\":[\"10.65.0.2/32\"]}",
                true));
        // profile rules, tags, labels
        c.add(new Case(
                "profile 100k ports",
                rules,
                "{\"inbound_rules\":[{\"protocol\":\"tcp\",\"dst_ports\":" + ports + ",\"src_ports\":" + ports + "}]}",
                false));
        c.add(new Case(
                "profile port 100000",
                rules,
                "{\"inbound_rules\":[{\"protocol\":\"tcp\",\"dst_ports\":[100000]}]}",
                false));
        c.add(new Case(
                "profile bad selector",
                rules,
                "{\"inbound_rules\":[{\"src_selector\":\"a == \\\"x\\\" ; }\"}]}",
                false));
        c.add(new Case(
                "profile tag with syntax in a rule",
                rules,
                "{\"inbound_rules\":[{\"src_tag\":\"x\\nCOMMIT\"}]}",
                false));
        c.add(
                new Case( // ip6tables-restore refuses the rule it gives (-p icmp -m icmp6), and with it the table
                        "profile icmp with an IPv6 net",
                        rules,
                        "{\"inbound_rules\":[{\"protocol\":\"icmp\",\"icmp_type\":0,\"dst_net\":\"2001:db8::/32\"}]}",
                        false));
        c.add(new Case(
                "profile unknown fields",
                rules,
                "{\"inbound_rules\":[{\"action\":\"allow\",\"future\":1}]," + "\"outbound_rules\":[],\"next\":[]}",
                true));
        c.add(new Case("tags with newline", tags, "[\"a\\nCOMMIT\"]", false));
        c.add(new Case("tags over-long", tags, "[\"" + "t".repeat(300) + "\"]", false));
        c.add(new Case("labels with syntax", labels, "{\"a\\n}\":\"#\"}", false));
        // tier and policy values
        c.add(new Case("tier order text", tier, "{\"order\":\"first\"}", false));
        c.add(new Case("policy bad selector", policy, "{\"selector\":\"all() ; COMMIT\"}", false));
        c.add(new Case(
                "policy 100k ports",
                policy,
                "{\"inbound_rules\":[{\"protocol\":\"udp\",\"dst_ports\":" + ports + "}]}",
                false));
        c.add(new Case("policy unknown fields", policy, "{\"selector\":\"all()\",\"order\":5,\"future\":true}", true));
        c.add(new Case("pool under another cidr's key", pool, "{\"cidr\":\"10.0.0.0/8\"}", false));
        // config
        c.add(new Case("config bad value", keys.felixConfig("DefaultEndpointToHostAction"), "EXPLODE", false));
        c.add(new Case("config newline", keys.felixConfig("IptablesRefreshInterval"), "1\nCOMMIT", false));
        // hostile names in keys
        for (String name : List.of(HOSTILE, "a b", "x;y}", "n".repeat(300), "é", "..")) {
            String q = name.equals("..") ? "dots" : name.length() > 20 ? "300" : name.strip();
            c.add(new Case("policy key " + q, v1 + "/policy/tier/t/policy/" + name, "{\"selector\":\"all()\"}", false));
            c.add(new Case("tier key " + q, v1 + "/policy/tier/" + name + "/metadata", "{\"order\":1}", false));
            c.add(new Case("profile key " + q, v1 + "/policy/profile/" + name + "/rules", "{}", false));
            c.add(new Case(
                    "workload key " + q, endpointKey(name), Records.endpoint(iface, "good", "10.65.0.8", null), false));
            c.add(new Case("config key " + q, v1 + "/config/" + name, "1", false));
        }
        return c;
    }

    /** Writes a new endpoint (next /32) on the good interface with a new policy; waits for its route and chain. */
    private void goodChangeApplied() {
        if (good > 0) {
            store.delete(endpointKey("good" + good));
        }
        good++;
        String ip = "10.65." + (1 + good / 200) + "." + (1 + good % 200);
        store.put(
                keys.policy("good", "p" + good),
                "{\"selector\":\"all()\",\"order\":" + good + ",\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        store.put(endpointKey("good" + good), Records.endpoint(net.iface(1), "good", ip, null));
        String chain = "cali-pi-good.p" + good;
        expect(
                "good endpoint " + good + " routed and its policy chain in place",
                30,
                () -> net.routes().contains(ip + " dev " + net.iface(1)) && hasChain(chain));
    }

    @Test
    @Order(3)
    void everyBadRecordIsSkippedCountedAndTheNextGoodChangeApplied() {
        net.addWorkload(2);
        for (Case c : cases()) {
            long before = agent.metrics().counter(Metrics.INVALID_RECORDS);
            store.put(c.key(), c.value());
            goodChangeApplied();
            long after = agent.metrics().counter(Metrics.INVALID_RECORDS);
            if (c.accepted()) {
                assertThat(after).as("%s: accepted, not counted", c.name()).isEqualTo(before);
            } else {
                assertThat(after).as("%s: counted", c.name()).isGreaterThan(before);
            }
            onlyOurChains();
            hostRoutesIntact();
            store.delete(c.key());
        }
        goodChangeApplied();
        assertThat(http("/liveness")).startsWith("HTTP/1.1 200");
        assertThat(http("/readiness")).startsWith("HTTP/1.1 200");
        assertThat(http("/metrics")).contains(Metrics.INVALID_RECORDS);
    }

    @Test
    @Order(4)
    void aRestartWithBadRecordsInEtcdCompletesItsInitialSync() {
        store.put(keys.tierMetadata("x"), "null");
        store.put(keys.v1() + "/policy/tier/t/policy/" + HOSTILE, "{\"selector\":\"all()\"}");
        store.put(endpointKey("hijack"), "{\"name\":\"" + net.iface(3) + "\",\"ipv4_nets\":[\"0.0.0.0/0\"]}");
        agent.close();
        agent = new Agent(
                agentStore,
                keys,
                HOST,
                Map.of(
                        "FELIX_REPORTINGINTERVALSECS",
                        "1",
                        "FELIX_DATAPLANEBACKEND",
                        backend(),
                        "FELIX_HEALTHPORT",
                        "9099",
                        "FELIX_PROMETHEUSMETRICSPORT",
                        "9091"),
                Namespace.named(net.host));
        agent.start();
        expect("ready after a restart with bad records", 30, agent::ready);
        assertThat(agent.metrics().counter(Metrics.INVALID_RECORDS)).isGreaterThanOrEqualTo(3);
        goodChangeApplied();
        onlyOurChains();
        hostRoutesIntact();
        assertThat(http("/liveness")).startsWith("HTTP/1.1 200");
    }

    private String http(String path) {
        int port = path.equals("/metrics") ? 9091 : 9099;
        return NetNs.run(net.host, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(5000);
                OutputStream o = s.getOutputStream();
                o.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                o.flush();
                InputStream in = s.getInputStream();
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
    }
}
