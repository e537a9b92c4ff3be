package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Switching policy backends on one host (namespaces "cjc-..."): the agent runs with iptables, is stopped, and
 * started with nftables, which removes every iptables/ip6tables chain, hook and ipset of ours (both iptables-nft and
 * iptables-legacy) while policy keeps being enforced and other software's chains, rules, sets and tables survive;
 * then back to iptables (our nft table goes), then iptables with Ipv6Support false (our ip6tables objects and
 * cali6- sets go).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FelixStaleDataplaneIT {
    static final String HOST = "host1";
    TestNet net;
    JetcdStore store;
    JetcdStore agentStore;
    Keys keys;
    Agent agent;
    Traffic.TcpServer tcp8080;
    Traffic.TcpServer tcp8081;

    @BeforeAll
    void setUp() {
        Sh.require(
                "ip",
                "iptables-nft-save",
                "iptables-legacy-save",
                "ip6tables-nft-save",
                "ip6tables-legacy-save",
                "iptables-legacy",
                "ip6tables",
                "ipset",
                "nft");
        String endpoints = System.getenv("ETCD_ENDPOINTS");
        assertThat(endpoints)
                .as("ETCD_ENDPOINTS (start etcd with scripts/lib/etcd.sh)")
                .isNotBlank();
        keys = new Keys("/cj-test-" + UUID.randomUUID());
        store = new JetcdStore(EtcdConfig.of(endpoints));
        agentStore = new JetcdStore(EtcdConfig.of(endpoints));
        net = new TestNet("cjc-");
        net.addWorkload(1);
        net.addWorkload(2);
        tcp8080 = new Traffic.TcpServer(net.workloadNs(2), TestNet.ip(2), 8080);
        tcp8081 = new Traffic.TcpServer(net.workloadNs(2), TestNet.ip(2), 8081);
        store.put(keys.pool(Cidr.parse("10.65.0.0/16")), "{\"cidr\":\"10.65.0.0/16\",\"masquerade\":true}");
        profile("a", "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        // w2 accepts TCP 8080 from tag a only: cali4-t-a and cali6-t-a ipsets with the iptables backend
        profile(
                "b",
                "{\"inbound_rules\":[{\"protocol\":\"tcp\",\"dst_ports\":[8080],\"src_tag\":\"a\"}],"
                        + "\"outbound_rules\":[{}]}");
        endpoint(1, "a");
        endpoint(2, "b");
        agentStore.get("/warm-up");
        // other software's objects, which must survive every clean-up
        host("iptables", "-w", "-N", "cjc-mine");
        host("iptables", "-w", "-A", "cjc-mine", "-j", "RETURN");
        host("iptables", "-w", "-I", "FORWARD", "-j", "cjc-mine");
        host("ip6tables", "-w", "-N", "cjc-mine6");
        host("ip6tables", "-w", "-I", "INPUT", "-j", "cjc-mine6");
        host("iptables-legacy", "-w", "-N", "cjc-legacy");
        host("ipset", "create", "cjc-set", "hash:net");
        host("nft", "add", "table", "inet", "cjcmine");
        // a leftover of ours in iptables-legacy (an earlier run with IptablesBackend=legacy)
        host("iptables-legacy", "-w", "-N", "cali-old-legacy");
        host("iptables-legacy", "-w", "-A", "cali-old-legacy", "-j", "RETURN");
        host(
                "iptables-legacy",
                "-w",
                "-I",
                "INPUT",
                "-m",
                "comment",
                "--comment",
                "cali:oldhook",
                "-j",
                "cali-old-legacy");
    }

    String host(String... cmd) {
        return Sh.ok(Sh.in(net.host, cmd));
    }

    void profile(String name, String rulesJson) {
        Records.profile(store, keys, name, rulesJson);
    }

    void endpoint(int n, String profile) {
        store.put(
                keys.endpoint(HOST, "test", "wl" + n, "eth0"),
                Records.endpoint(net.iface(n), profile, TestNet.ip(n), null));
    }

    void start(String backend, boolean ipv6) {
        start(backend, ipv6, Map.of());
    }

    void start(String backend, boolean ipv6, Map<String, String> more) {
        Map<String, String> env = new HashMap<>(Map.of(
                "FELIX_DATAPLANEBACKEND",
                backend,
                "FELIX_HEALTHPORT",
                "0",
                "FELIX_PROMETHEUSMETRICSPORT",
                "0",
                "FELIX_REPORTINGINTERVALSECS",
                "0"));
        if (!ipv6) {
            env.put("FELIX_IPV6SUPPORT", "false");
        }
        env.putAll(more);
        agent = new Agent(agentStore, keys, HOST, env, Namespace.named(net.host));
        agent.start();
        assertThat(Sh.waitFor(30, agent::ready))
                .as("agent ready (" + backend + ")")
                .isNotNegative();
    }

    /** w1 → w2:8080 allowed, w1 → w2:8081 denied (polled: the first connections may race the routes). */
    void policyEnforced(String when) {
        long ms = Sh.waitFor(
                15,
                () -> Traffic.tcpConnects(net.workloadNs(1), TestNet.ip(2), 8080)
                        && !Traffic.tcpConnects(net.workloadNs(1), TestNet.ip(2), 8081));
        assertThat(ms)
                .as(when + ": 8080 allowed and 8081 denied\n" + host("iptables-save") + host("nft", "list", "ruleset"))
                .isNotNegative();
    }

    String saves(String family) {
        return host(family + "-nft-save") + host(family + "-legacy-save");
    }

    void othersSurvive() {
        assertThat(host("iptables-nft-save", "-t", "filter"))
                .contains(":cjc-mine - ", "-A FORWARD -j cjc-mine", "-A cjc-mine -j RETURN");
        assertThat(host("ip6tables-nft-save", "-t", "filter")).contains(":cjc-mine6 - ", "-A INPUT -j cjc-mine6");
        assertThat(host("iptables-legacy-save", "-t", "filter")).contains(":cjc-legacy - ");
        assertThat(host("ipset", "list", "-n")).contains("cjc-set");
        assertThat(Sh.run(Sh.in(net.host, "nft", "list", "table", "inet", "cjcmine"))
                        .exit())
                .isZero();
    }

    @AfterEach
    void stopAgent() {
        if (agent != null) {
            agent.close();
            agent = null;
        }
    }

    @Test
    @Order(0)
    void iptablesBackendProgramsIptablesAndIpsets() {
        start("iptables", true);
        policyEnforced("iptables backend");
        assertThat(host("iptables-save")).contains(":cali-FORWARD", "-j cali-FORWARD", "cali-POSTROUTING");
        assertThat(host("ip6tables-save")).contains(":cali-FORWARD", "-j cali-FORWARD");
        assertThat(host("ipset", "list", "-n")).contains("cali4-t-a", "cali6-t-a");
        assertThat(host("iptables-legacy-save")).contains("cali-old-legacy");
    }

    @Test
    @Order(1)
    void aRestartRemovesASecondCopyOfOurHookAndAnEarlierVersionsHook() {
        String hook = host("iptables-save", "-t", "filter")
                .lines()
                .filter(l -> l.startsWith("-A FORWARD ") && l.contains("cali:"))
                .findFirst()
                .orElseThrow();
        // what a second agent started by mistake, or an earlier version with other hooks, may leave
        host("sh", "-c", "iptables -w " + hook);
        host("iptables", "-w", "-N", "cali-OLD");
        host("iptables", "-w", "-A", "cali-OLD", "-j", "DROP");
        host(
                "iptables",
                "-w",
                "-A",
                "FORWARD",
                "-i",
                "eth9",
                "-m",
                "comment",
                "--comment",
                "cali:oldVersionHook1",
                "-j",
                "cali-OLD");
        assertThat(host("iptables-save", "-t", "filter").lines().filter(hook::equals))
                .hasSize(2);

        start("iptables", true);
        policyEnforced("after the restart");
        String saved = host("iptables-save", "-t", "filter");
        assertThat(saved.lines().filter(hook::equals)).as(saved).hasSize(1);
        List<String> forward =
                saved.lines().filter(l -> l.startsWith("-A FORWARD ")).toList();
        assertThat(forward.indexOf(hook))
                .as("ours above the other program's rule\n" + saved)
                .isLessThan(forward.indexOf("-A FORWARD -j cjc-mine"));
        assertThat(saved).doesNotContain("oldVersionHook1", ":cali-OLD").contains("-A FORWARD -j cjc-mine");
    }

    @Test
    @Order(2)
    void ourHookGoesBackAboveARuleAnotherProgramInsertedAboveIt() {
        start("iptables", true, Map.of("FELIX_IPTABLESREFRESHINTERVAL", "1"));
        host("iptables", "-w", "-N", "cjc-top");
        host("iptables", "-w", "-A", "cjc-top", "-j", "RETURN");
        host("iptables", "-w", "-I", "FORWARD", "1", "-j", "cjc-top"); // as Docker does with DOCKER-USER
        long ms = Sh.waitFor(15, () -> {
            List<String> forward = host("iptables-save", "-t", "filter")
                    .lines()
                    .filter(l -> l.startsWith("-A FORWARD "))
                    .toList();
            return forward.get(0).contains("cali:") && forward.contains("-A FORWARD -j cjc-top");
        });
        assertThat(ms)
                .as("a refresh moved ours back to the top, the other rule kept\n"
                        + host("iptables-save", "-t", "filter"))
                .isNotNegative();
        assertThat(host("iptables-save", "-t", "filter")
                        .lines()
                        .filter(l -> l.startsWith("-A FORWARD ") && l.contains("cali:")))
                .as("one copy")
                .hasSize(1);
        policyEnforced("after the move");
        othersSurvive();
    }

    @Test
    @Order(3)
    void nftablesRemovesTheIptablesBackendsObjects() {
        start("nftables", true);
        assertThat(saves("iptables")).doesNotContain("cali");
        assertThat(saves("ip6tables")).doesNotContain("cali");
        assertThat(host("ipset", "list", "-n")).doesNotContain("cali");
        assertThat(host("nft", "list", "table", "inet", "calico")).contains("chain cali-FORWARD");
        policyEnforced("nftables after the switch");
        othersSurvive();
    }

    @Test
    @Order(4)
    void iptablesRemovesTheNftTable() {
        start("iptables", true);
        assertThat(Sh.run(Sh.in(net.host, "nft", "list", "table", "inet", "calico"))
                        .exit())
                .isNotZero();
        assertThat(host("iptables-save")).contains(":cali-FORWARD", "-j cali-FORWARD");
        assertThat(host("ip6tables-save")).contains(":cali-FORWARD", "-j cali-FORWARD");
        assertThat(host("ipset", "list", "-n")).contains("cali6-t-a");
        policyEnforced("iptables after the switch back");
        othersSurvive();
    }

    @Test
    @Order(5)
    void ipv6SupportOffAtStartRemovesOurIp6tablesObjects() {
        assertThat(host("ip6tables-save")).as("left by the previous run").contains(":cali-FORWARD");
        // and one in ip6tables-legacy, as a run with IptablesBackend=legacy would have left
        host("ip6tables-legacy", "-w", "-N", "cali-FORWARD");
        host("ip6tables-legacy", "-w", "-I", "FORWARD", "-m", "comment", "--comment", "cali:x", "-j", "cali-FORWARD");
        start("iptables", false);
        assertThat(saves("ip6tables")).doesNotContain("cali");
        assertThat(host("ipset", "list", "-n")).doesNotContain("cali6-").contains("cali4-t-a");
        assertThat(host("iptables-save")).contains(":cali-FORWARD", "-j cali-FORWARD");
        policyEnforced("iptables with Ipv6Support false");
        othersSurvive();
    }

    @AfterAll
    void tearDown() throws Exception {
        Cleanup.close(this::stopAgent, tcp8080, tcp8081, net, Cleanup.dropKeys(store, keys), agentStore);
    }
}
