package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The default {@code DataplaneBackend} (auto) on a real kernel: in a clean host namespace it programs nftables (our
 * table, no iptables chain of ours); after the test sets {@code iptables -P FORWARD DROP} there (what Docker does),
 * iptables, whose ACCEPT at the head of FORWARD lets workload traffic through where our nftables table's accept
 * would not. Both with packets: w1 to w2 (profile allows) passes, w1 to w3 (profile without inbound rules) does not.
 */
class FelixAutoBackendIT {
    static final String HOST = "host1";
    TestNet net;
    JetcdStore store;
    JetcdStore agentStore;
    Keys keys;

    @BeforeEach
    void setUp() {
        Sh.require("ip", "nft", "iptables", "iptables-save", "ping");
        String endpoints = System.getenv("ETCD_ENDPOINTS");
        assertThat(endpoints).as("ETCD_ENDPOINTS").isNotBlank();
        keys = new Keys("/cj-test-" + UUID.randomUUID());
        store = new JetcdStore(EtcdConfig.of(endpoints));
        agentStore = new JetcdStore(EtcdConfig.of(endpoints));
        net = new TestNet("na-");
        for (int i = 1; i <= 3; i++) {
            net.addWorkload(i);
        }
        Records.profile(store, keys, "open", "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        Records.profile(store, keys, "closed", "{\"inbound_rules\":[],\"outbound_rules\":[{}]}");
        for (int i = 1; i <= 3; i++) {
            store.put(
                    keys.endpoint(HOST, "test", "wl" + i, "eth0"),
                    Records.endpoint(net.iface(i), i == 3 ? "closed" : "open", TestNet.ip(i), null));
        }
        agentStore.get("/warm-up");
    }

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.deletePrefix(keys.root() + "/");
            store.close();
        }
        if (agentStore != null) {
            agentStore.close();
        }
        if (net != null) {
            net.close();
        }
    }

    /** Starts the agent with the default backend, waits until ready, returns the log lines about the choice. */
    private String runAgent() {
        try (FelixOutageIT.LogCapture log = new FelixOutageIT.LogCapture();
                Agent agent = new Agent(
                        agentStore,
                        keys,
                        HOST,
                        Map.of("FELIX_HEALTHPORT", "0", "FELIX_PROMETHEUSMETRICSPORT", "0"),
                        Namespace.named(net.host))) {
            agent.start();
            assertThat(Sh.waitFor(30, agent::ready)).as("agent ready").isNotNegative();
            assertThat(Sh.waitFor(15, () -> net.ping(net.workloadNs(1), TestNet.ip(2))))
                    .as("w1 -> w2 allowed by its profile")
                    .isNotNegative();
            assertThat(net.ping(net.workloadNs(1), TestNet.ip(3)))
                    .as("w1 -> w3 dropped by its profile")
                    .isFalse();
            return String.join(
                    "\n",
                    log.lines().stream()
                            .filter(l -> l.contains("policy backend:"))
                            .toList());
        }
    }

    @Test
    void cleanNamespaceGetsNftables() {
        String why = runAgent();
        assertThat(why).contains("policy backend: nftables (DataplaneBackend auto: nft works and nothing else");
        assertThat(Sh.ok(Sh.in(net.host, "nft", "list", "table", "inet", "calico")))
                .contains("chain cali-tw-" + net.iface(2));
        assertThat(Sh.ok(Sh.in(net.host, "iptables-save"))).doesNotContain("cali");
    }

    @Test
    void aForwardChainIptablesCannotShowGetsNftables() {
        Sh.ok(Sh.in(net.host, "nft", "add table ip filter"));
        Sh.ok(Sh.in(net.host, "nft", "add chain ip filter FORWARD { type filter hook forward priority 0; }"));
        Sh.ok(Sh.in(net.host, "nft", "add rule ip filter FORWARD ct state established,related accept"));
        String why = runAgent(); // policy enforced: with iptables, the filter table would be left alone
        assertThat(why)
                .contains("policy backend: nftables (DataplaneBackend auto: iptables-nft FORWARD holds rules written"
                        + " with nft that iptables cannot show");
    }

    @Test
    void forwardPolicyDropGetsIptables() {
        Sh.ok(Sh.in(net.host, "iptables", "-w", "5", "-P", "FORWARD", "DROP"));
        String why = runAgent();
        assertThat(why)
                .contains("policy backend: iptables (DataplaneBackend auto: iptables-nft FORWARD: policy DROP:")
                .doesNotContain("\n");
        assertThat(Sh.ok(Sh.in(net.host, "iptables-save", "-t", "filter")))
                .contains(":cali-FORWARD", ":cali-tw-" + net.iface(2), ":FORWARD DROP");
        assertThat(Sh.run("ip", "netns", "exec", net.host, "nft", "list", "table", "inet", "calico")
                        .exit())
                .as("no table inet calico")
                .isNotZero();
    }
}
