package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.calicojava.netlink.NetNs;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.testing.EtcdProcess;
import org.calicojava.testing.Sh;
import org.calicojava.testing.TcpProxy;
import org.junit.jupiter.api.Test;

/**
 * A datastore outage while the agent runs, against the test's own etcd (stopped by PID, restarted with the same data
 * and ports): traffic keeps flowing as programmed, the agent stays live and logs the outage in a few lines, and
 * after etcd is back a change written then is applied (the watch resumes, or resyncs).
 */
class FelixOutageIT {
    /** Both agents: reports every second, no metrics port, the backend of {@link #backend}. */
    Map<String, String> agentEnv() {
        return Map.of(
                "FELIX_REPORTINGINTERVALSECS",
                "1",
                "FELIX_PROMETHEUSMETRICSPORT",
                "0",
                "FELIX_DATAPLANEBACKEND",
                backend());
    }

    String backend() {
        return "iptables";
    }

    String[] requiredBinaries() {
        return new String[] {"ip", "iptables-restore", "ip6tables-restore", "ipset", "etcd", "etcdctl"};
    }

    /** Whether the host's IPv6 policy has the endpoint chain of {@code iface}. */
    boolean hasIpv6Chain(DualStackNet net, String iface) {
        return net.save(6, "filter").contains(":cali-tw-" + iface);
    }

    static final String HOST = "v6outage";

    @Test
    void dataplaneSurvivesAnEtcdOutageAndResyncsAfterwards() throws Exception {
        Sh.require(requiredBinaries());
        Keys keys = new Keys("/cj-test-outage");
        try (EtcdProcess etcd = EtcdProcess.plain();
                DualStackNet net = new DualStackNet()) {
            etcd.start();
            net.addWorkload(1);
            net.addWorkload(2);
            String w1 = net.workloadNs(1);
            try (JetcdStore store = new JetcdStore(EtcdConfig.of(etcd.endpoint()));
                    JetcdStore agentStore = new JetcdStore(EtcdConfig.of(etcd.endpoint()));
                    Traffic.TcpServer s8080 = new Traffic.TcpServer(net.workloadNs(2), DualStackNet.ip6(2), 8080);
                    Traffic.TcpServer s8081 = new Traffic.TcpServer(net.workloadNs(2), DualStackNet.ip6(2), 8081);
                    Traffic.TcpServer s4 = new Traffic.TcpServer(net.workloadNs(2), DualStackNet.ip(2), 8080)) {
                writeData(store, keys, net);
                agentStore.get("/warm-up"); // gRPC threads start here, in this namespace
                Agent agent = new Agent(agentStore, keys, HOST, agentEnv(), Namespace.named(net.host));
                agent.start();
                try {
                    assertThat(Sh.waitFor(30, agent::ready)).as("agent ready").isNotNegative();
                    BooleanSupplier asProgrammed = () -> Traffic.tcpConnects(w1, DualStackNet.ip6(2), 8080)
                            && !Traffic.tcpConnects(w1, DualStackNet.ip6(2), 8081)
                            && Traffic.tcpConnects(w1, DualStackNet.ip(2), 8080);
                    assertThat(Sh.waitFor(15, asProgrammed))
                            .as("programmed before the outage")
                            .isNotNegative();
                    long resyncsBefore = agent.metrics().counter("felix_resyncs");

                    // two outages: each is logged once, and each change written after etcd is back is applied
                    int[][] allowedAfter = {{8080, 8081}, {8081}};
                    for (int cycle = 0; cycle < 2; cycle++) {
                        int[] ports = allowedAfter[cycle];
                        BooleanSupplier programmed = cycle == 0
                                ? asProgrammed
                                : () -> Traffic.tcpConnects(w1, DualStackNet.ip6(2), 8080)
                                        && Traffic.tcpConnects(w1, DualStackNet.ip6(2), 8081);
                        List<String> outageLog;
                        try (LogCapture log = new LogCapture()) {
                            long pid = etcd.pid();
                            etcd.stop();
                            System.out.println("[felix-outage-it] etcd (pid " + pid + ") stopped");
                            long until = System.nanoTime() + (cycle == 0 ? 12_000_000_000L : 6_000_000_000L);
                            int checks = 0;
                            while (System.nanoTime() < until) {
                                assertThat(programmed.getAsBoolean())
                                        .as("traffic as programmed during the outage")
                                        .isTrue();
                                assertThat(http(net, agent.healthPort(), "/liveness"))
                                        .as("liveness")
                                        .startsWith("HTTP/1.1 200");
                                checks++;
                                Thread.sleep(300);
                            }
                            assertThat(checks).isGreaterThan(3);
                            outageLog = log.lines();
                        }
                        System.out.println("[felix-outage-it] log during outage " + (cycle + 1) + " ("
                                + outageLog.size() + " lines):");
                        outageLog.forEach(l -> System.out.println("    " + l));
                        assertThat(outageLog)
                                .as("the agent logs the outage once")
                                .filteredOn(l -> l.contains("Agent - datastore:") && l.contains("unreachable"))
                                .hasSize(1);
                        assertThat(outageLog).as("a few lines, not a storm").hasSizeLessThanOrEqualTo(8);

                        List<String> afterLog;
                        try (LogCapture log = new LogCapture()) {
                            etcd.start();
                            System.out.println("[felix-outage-it] etcd restarted (pid " + etcd.pid() + ")");
                            String rules = "{\"inbound_rules\":[{\"protocol\":\"tcp\",\"dst_ports\":"
                                    + java.util.Arrays.toString(ports) + "}],\"outbound_rules\":[{}]}";
                            // the test's own client reconnects with gRPC's backoff: retry until etcd takes the write
                            assertThat(Sh.waitFor(30, () -> {
                                        try {
                                            store.put(keys.profileRules("b"), rules);
                                            return true;
                                        } catch (DatastoreException e) {
                                            return false;
                                        }
                                    }))
                                    .as("write after etcd restarted")
                                    .isNotNegative();
                            boolean want8080 = ports[0] == 8080;
                            long ms = Sh.waitFor(
                                    60,
                                    () -> Traffic.tcpConnects(w1, DualStackNet.ip6(2), 8081)
                                            && Traffic.tcpConnects(w1, DualStackNet.ip6(2), 8080) == want8080);
                            assertThat(ms)
                                    .as("change written after etcd came back is applied: " + rules)
                                    .isNotNegative();
                            System.out.println("[felix-outage-it] change applied " + ms + " ms after the write");
                            assertThat(Sh.waitFor(
                                            30, () -> log.lines().stream().anyMatch(l -> l.contains("works again"))))
                                    .as("status reporting resumes")
                                    .isNotNegative();
                            afterLog = log.lines();
                        }
                        System.out.println("[felix-outage-it] log after outage " + (cycle + 1) + " (" + afterLog.size()
                                + " lines):");
                        afterLog.forEach(l -> System.out.println("    " + l));
                        assertThat(afterLog)
                                .as("the agent logs the recovery")
                                .anyMatch(l -> l.contains("datastore reachable again"));
                        assertThat(afterLog).as("a few lines, not a storm").hasSizeLessThanOrEqualTo(8);
                    }
                    assertThat(Traffic.tcpConnects(w1, DualStackNet.ip(2), 8080))
                            .as("IPv4 follows the same rule")
                            .isFalse();
                    assertThat(http(net, agent.healthPort(), "/readiness")).startsWith("HTTP/1.1 200");
                    System.out.println(
                            "[felix-outage-it] resyncs: " + (agent.metrics().counter("felix_resyncs") - resyncsBefore));
                } finally {
                    agent.close();
                }
            }
        }
    }

    static final String ONLY_8080 =
            "{\"inbound_rules\":[{\"protocol\":\"tcp\",\"dst_ports\":[8080]}]," + "\"outbound_rules\":[{}]}";

    /** Pool, refresh 1 s, profile a (allow all), profile b (inbound tcp 8080 only), w1 (a) and w2 (b), dual-stack. */
    static void writeData(JetcdStore store, Keys keys, DualStackNet net) {
        store.put(keys.pool(Cidr.parse("10.66.0.0/16")), "{\"cidr\":\"10.66.0.0/16\"}");
        store.put(keys.felixConfig("IptablesRefreshInterval"), "1");
        store.put(keys.profileRules("a"), "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        store.put(keys.profileRules("b"), ONLY_8080);
        for (int n = 1; n <= 2; n++) {
            store.put(
                    keys.endpoint(HOST, "test", "wl" + n, "eth0"),
                    "{\"state\":\"active\",\"name\":\""
                            + net.iface(n) + "\",\"profile_ids\":[\"" + "ab".charAt(n - 1) + "\"],\"ipv4_nets\":[\""
                            + DualStackNet.ip(n) + "/32\"],\"ipv6_nets\":[\"" + DualStackNet.ip6(n) + "/128\"]}");
        }
    }

    /**
     * The agent alone loses etcd (its connection goes through a relay the test cuts) while others keep writing:
     * an endpoint deleted, profiles changed, the history compacted. When the agent reconnects its watch cannot
     * resume from its revision, so it resyncs from a fresh list, and everything written meanwhile is applied.
     */
    @Test
    void changesWrittenWhileTheAgentIsCutOffAreAppliedByAResyncAfterCompaction() throws Exception {
        Sh.require(requiredBinaries());
        Keys keys = new Keys("/cj-test-cutoff");
        try (EtcdProcess etcd = EtcdProcess.plain();
                DualStackNet net = new DualStackNet()) {
            etcd.start();
            net.addWorkload(1);
            net.addWorkload(2);
            net.addWorkload(3);
            String w1 = net.workloadNs(1);
            try (TcpProxy proxy = TcpProxy.toLoopbackPort(etcd.clientPort());
                    JetcdStore store = new JetcdStore(EtcdConfig.of(etcd.endpoint()));
                    JetcdStore agentStore = new JetcdStore(EtcdConfig.of(proxy.endpoint()));
                    Traffic.TcpServer s8080 = new Traffic.TcpServer(net.workloadNs(2), DualStackNet.ip6(2), 8080);
                    Traffic.TcpServer s8081 = new Traffic.TcpServer(net.workloadNs(2), DualStackNet.ip6(2), 8081)) {
                writeData(store, keys, net);
                String wl3 = keys.endpoint(HOST, "test", "wl3", "eth0");
                store.put(
                        wl3,
                        "{\"state\":\"active\",\"name\":\"" + net.iface(3) + "\",\"profile_ids\":[\"a\"],"
                                + "\"ipv4_nets\":[\"" + DualStackNet.ip(3) + "/32\"]}");
                agentStore.get("/warm-up");
                Agent agent = new Agent(agentStore, keys, HOST, agentEnv(), Namespace.named(net.host));
                agent.start();
                BooleanSupplier wl3Programmed = () -> Sh.ok("ip", "-n", net.host, "route", "show", "proto", "80")
                                .contains(DualStackNet.ip(3) + " dev " + net.iface(3))
                        && hasIpv6Chain(net, net.iface(3));
                try (LogCapture log = new LogCapture()) {
                    assertThat(Sh.waitFor(30, agent::ready)).as("agent ready").isNotNegative();
                    assertThat(Sh.waitFor(15, wl3Programmed))
                            .as("wl3 programmed")
                            .isNotNegative();
                    assertThat(Sh.waitFor(
                                    15,
                                    () -> Traffic.tcpConnects(w1, DualStackNet.ip6(2), 8080)
                                            && !Traffic.tcpConnects(w1, DualStackNet.ip6(2), 8081)))
                            .isNotNegative();
                    long resyncs = agent.metrics().counter("felix_resyncs");

                    proxy.cut();
                    assertThat(Sh.waitFor(
                                    15, () -> log.lines().stream().anyMatch(l -> l.contains("Agent - datastore:"))))
                            .as("the agent noticed")
                            .isNotNegative();
                    store.put(
                            keys.profileRules("b"),
                            "{\"inbound_rules\":[{\"protocol\":\"tcp\",\"dst_ports\":"
                                    + "[8081]}],\"outbound_rules\":[{}]}");
                    store.delete(wl3);
                    long rev = store.put(keys.profileRules("a"), "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
                    Sh.ok("etcdctl", "--endpoints", etcd.endpoint(), "compact", Long.toString(rev));
                    for (int i = 0; i < 6; i++) {
                        assertThat(Traffic.tcpConnects(w1, DualStackNet.ip6(2), 8080)
                                        && !Traffic.tcpConnects(w1, DualStackNet.ip6(2), 8081)
                                        && wl3Programmed.getAsBoolean())
                                .as("cut off: the dataplane stays as programmed")
                                .isTrue();
                        Thread.sleep(300);
                    }
                    assertThat(http(net, agent.healthPort(), "/liveness")).startsWith("HTTP/1.1 200");

                    proxy.restore();
                    long ms = Sh.waitFor(
                            60,
                            () -> Traffic.tcpConnects(w1, DualStackNet.ip6(2), 8081)
                                    && !Traffic.tcpConnects(w1, DualStackNet.ip6(2), 8080));
                    assertThat(ms)
                            .as("changes written while cut off are applied")
                            .isNotNegative();
                    assertThat(Sh.waitFor(
                                    15,
                                    () -> !Sh.ok("ip", "-n", net.host, "route", "show", "proto", "80")
                                                    .contains(DualStackNet.ip(3) + " dev " + net.iface(3))
                                            && !hasIpv6Chain(net, net.iface(3))))
                            .as("endpoint deleted while cut off:" + " route and chains gone")
                            .isNotNegative();
                    System.out.println("[felix-outage-it] reconnected and applied in " + ms + " ms");
                    assertThat(agent.metrics().counter("felix_resyncs") - resyncs)
                            .as("resynced (compacted revision)")
                            .isEqualTo(1);
                    assertThat(log.lines())
                            .anyMatch(l -> l.contains("datastore resync"))
                            .anyMatch(l -> l.contains("datastore reachable again"));
                    log.lines().forEach(l -> System.out.println("    " + l));
                } finally {
                    agent.close();
                }
            }
        }
    }

    static String http(DualStackNet net, int port, String path) {
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

    /** Tees System.err (where slf4j-simple and java.util.logging write) and keeps the lines written meanwhile. */
    static final class LogCapture implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        LogCapture() {
            System.setErr(new PrintStream(
                    new OutputStream() {
                        @Override
                        public void write(int b) {
                            original.write(b);
                            synchronized (buf) {
                                buf.write(b);
                            }
                        }

                        @Override
                        public void write(byte[] b, int off, int len) {
                            original.write(b, off, len);
                            synchronized (buf) {
                                buf.write(b, off, len);
                            }
                        }
                    },
                    true,
                    StandardCharsets.UTF_8));
        }

        List<String> lines() {
            synchronized (buf) {
                return new ArrayList<>(buf.toString(StandardCharsets.UTF_8)
                        .lines()
                        .filter(l -> !l.isBlank())
                        .toList());
            }
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }
}
