package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * IP-in-IP in felix against a real kernel and etcd: an IPIP pool appears, felix allocates the host's tunnel address
 * (IPAM handle ipip-tunnel-addr-HOST, key IpInIpTunnelAddr), puts it on tunl0 as a /32 with MTU uplink − 20 and
 * up, and drops protocol 4 from any source that is not a known host's ip_addr_v4 (packets sent from the uplink's
 * far side: a known and an unknown source); the pool removed, the address is released and taken off tunl0, the
 * filter goes. When this kernel has no IP-in-IP (no tunl0 in a fresh namespace), a veth named tunl0 stands in
 * for the fallback device: felix only sets its address, MTU and state, which any link kind takes.
 */
class FelixIpipIT {
    static final String HOST = "host1";
    static final String PY = "import socket,sys\n"
            + "s=socket.socket(socket.AF_INET,socket.SOCK_RAW,4)\n"
            + "s.bind((sys.argv[1],0))\n"
            + "s.sendto(bytes([0x45])+bytes(19)+b'ipip-test',(sys.argv[2],0))\n";
    TestNet net;
    JetcdStore store;
    JetcdStore agentStore;
    Keys keys;
    Agent agent;

    @BeforeEach
    void setUp() {
        Sh.require("ip", "iptables-save", "ipset", "nft", "python3");
        String endpoints = System.getenv("ETCD_ENDPOINTS");
        assertThat(endpoints)
                .as("ETCD_ENDPOINTS (start etcd with scripts/lib/etcd.sh)")
                .isNotBlank();
        keys = new Keys("/cj-test-" + UUID.randomUUID());
        store = new JetcdStore(EtcdConfig.of(endpoints));
        agentStore = new JetcdStore(EtcdConfig.of(endpoints));
        net = new TestNet("ni-");
        hosts();
        Sh.ok("ip", "-n", net.host, "link", "set", "uplink0", "mtu", "1400");
        Sh.ok("ip", "-n", net.up, "link", "set", "eth0", "mtu", "1400");
        Sh.ok("ip", "-n", net.up, "addr", "add", "192.168.200.9/24", "dev", "eth0");
    }

    /** Kernel without ipip (no tunl0 in a fresh namespace): a veth named tunl0 stands in. */
    private void standIn() {
        if (Sh.run("ip", "-n", net.host, "link", "show", "tunl0").exit() != 0) {
            Sh.ok("ip", "-n", net.host, "link", "add", "tunl0", "type", "veth", "peer", "name", "tunl0-sb");
        }
    }

    private void hosts() {
        store.put(keys.bgpHostIp(HOST, 4), TestNet.HOST_IP);
        store.put(keys.bgpHostIp("host2", 4), TestNet.UP_IP);
        store.put(keys.bgpHostIp("host3", 4), "not-an-address"); // skipped, one line
    }

    @AfterEach
    void tearDown() throws Exception {
        Cleanup.close(agent, net, Cleanup.dropKeys(store, keys), agentStore);
    }

    private void startAgent(String backend) {
        store.put(
                keys.pool(Cidr.parse("10.65.0.0/16")),
                "{\"cidr\":\"10.65.0.0/16\",\"ipip\":true,\"ipip_mode\":\"cross-subnet\"}");
        agentStore.get("/warm-up");
        agent = new Agent(
                agentStore,
                keys,
                HOST,
                Map.of(
                        "FELIX_REPORTINGINTERVALSECS",
                        "0",
                        "FELIX_DATAPLANEBACKEND",
                        backend,
                        "FELIX_HEALTHPORT",
                        "0",
                        "FELIX_PROMETHEUSMETRICSPORT",
                        "0"),
                Namespace.named(net.host));
        agent.start();
    }

    @Test
    void withoutTunl0FelixCreatesItOrSaysWhyNotAndStillFilters() {
        boolean fallback = Sh.run("ip", "-n", net.host, "link", "show", "tunl0").exit() == 0;
        if (fallback) {
            Sh.run("ip", "-n", net.host, "link", "delete", "tunl0"); // fails for the fallback device: then skipped
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Sh.run("ip", "-n", net.host, "link", "show", "tunl0").exit() != 0, "tunl0 cannot be removed here");
        startAgent("iptables");
        String tunnelKey = keys.hostConfig(HOST, "IpInIpTunnelAddr");
        assertThat(Sh.waitFor(20, () -> store.get(tunnelKey).isPresent()))
                .as("tunnel address allocated")
                .isNotNegative();
        assertThat(Sh.waitFor(20, () -> filterText("iptables").contains("ipip")))
                .as("protocol-4 filter")
                .isNotNegative();
        String addr = store.get(tunnelKey).orElseThrow().value();
        boolean canCreate = Sh.run("ip", "-n", net.up, "link", "add", "probe0", "type", "ipip")
                        .exit()
                == 0;
        if (canCreate) { // created as an ipip link, addressed as the fallback device would be
            assertThat(Sh.waitFor(20, () -> tunl0().contains("inet " + addr + "/32")))
                    .as(tunl0())
                    .isNotNegative();
        } else { // this kernel: no tunl0, one log line, the agent runs on
            assertThat(Sh.run("ip", "-n", net.host, "link", "show", "tunl0").exit())
                    .isNotZero();
            assertThat(agent.ready()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"iptables", "nftables"})
    void tunnelAddressMtuAndProtocol4Filter(String backend) {
        standIn();
        startAgent(backend);
        String tunnelKey = keys.hostConfig(HOST, "IpInIpTunnelAddr");
        assertThat(Sh.waitFor(20, () -> store.get(tunnelKey).isPresent()))
                .as("tunnel address allocated")
                .isNotNegative();
        String addr = store.get(tunnelKey).orElseThrow().value();
        assertThat(Cidr.parse("10.65.0.0/16").contains(Cidr.host(addr)))
                .as(addr)
                .isTrue();
        assertThat(store.get(keys.ipamHandle("ipip-tunnel-addr-" + HOST)))
                .as("IPAM handle")
                .isPresent();
        org.calicojava.ipam.Ipam.IpInfo info = new org.calicojava.ipam.Ipam(store, keys).info(Cidr.host(addr));
        assertThat(info.blockHost()).as("in one of this host's blocks").isEqualTo(HOST);
        assertThat(info.handle()).isEqualTo("ipip-tunnel-addr-" + HOST);
        assertThat(Sh.waitFor(20, () -> tunl0().contains("inet " + addr + "/32")))
                .as(tunl0())
                .isNotNegative();
        assertThat(tunl0()).contains("mtu 1380").contains(",UP");

        assertThat(Sh.waitFor(20, () -> filterText(backend).contains("ipip")))
                .as("protocol-4 filter")
                .isNotNegative();
        if (backend.equals("iptables")) {
            assertThat(Sh.ok("ip", "netns", "exec", net.host, "ipset", "list", "cali4-all-hosts-net"))
                    .contains("192.168.200.1")
                    .contains("192.168.200.2")
                    .doesNotContain("192.168.200.9");
            long before = dropped();
            send("192.168.200.2"); // a known host
            assertThat(dropped()).as("known host's IP-in-IP passes").isEqualTo(before);
            send("192.168.200.9"); // not a host
            assertThat(Sh.waitFor(5, () -> dropped() == before + 1))
                    .as("unknown source dropped")
                    .isNotNegative();
        } else {
            String table = Sh.ok("ip", "netns", "exec", net.host, "nft", "list", "table", "inet", "calico");
            assertThat(table)
                    .contains("192.168.200.1")
                    .contains("192.168.200.2")
                    .containsPattern("ip saddr != @cali4-all-hosts-net .*drop");
        }

        store.delete(keys.pool(Cidr.parse("10.65.0.0/16")));
        assertThat(Sh.waitFor(20, () -> store.get(tunnelKey).isEmpty()))
                .as("tunnel address key deleted")
                .isNotNegative();
        assertThat(store.get(keys.ipamHandle("ipip-tunnel-addr-" + HOST)))
                .as("IPAM handle released")
                .isEmpty();
        assertThat(Sh.waitFor(20, () -> !tunl0().contains("inet "))).as(tunl0()).isNotNegative();
        assertThat(Sh.waitFor(20, () -> !filterText(backend).contains("ipip")))
                .as("filter gone")
                .isNotNegative();
        // IP-in-IP off: felix leaves a tunl0 address it did not put there alone (a round runs every 2 s)
        Sh.ok("ip", "-n", net.host, "addr", "add", "203.0.113.5/32", "dev", "tunl0");
        Sh.waitFor(3, () -> !tunl0().contains("inet 203.0.113.5/32")); // -1 unless felix took it off
        assertThat(tunl0()).contains("inet 203.0.113.5/32");
    }

    private String tunl0() {
        return Sh.ok("ip", "-n", net.host, "addr", "show", "dev", "tunl0");
    }

    /** Our rules, with the comment the iptables rule carries ("IP-in-IP only from known hosts" in nft too). */
    private String filterText(String backend) {
        String text = backend.equals("iptables")
                ? net.iptablesSave("filter")
                : Sh.run("ip", "netns", "exec", net.host, "nft", "list", "table", "inet", "calico")
                        .out();
        return text.contains("cali4-all-hosts-net") ? "ipip" : "";
    }

    private long dropped() {
        String out = Sh.ok(
                "ip",
                "netns",
                "exec",
                net.host,
                "iptables",
                "-w",
                "-t",
                "filter",
                "-L",
                "cali-INPUT",
                "-v",
                "-x",
                "-n");
        for (String line : out.split("\n")) {
            if (line.contains("cali4-all-hosts-net")) {
                return Long.parseLong(line.trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    private void send(String src) {
        Sh.ok("ip", "netns", "exec", net.up, "python3", "-c", PY, src, TestNet.HOST_IP);
    }
}
