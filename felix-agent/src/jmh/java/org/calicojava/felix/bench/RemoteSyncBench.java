package org.calicojava.felix.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.store.Op;
import org.calicojava.testing.TcpProxy;

/**
 * Felix's initial sync when the datastore holds N endpoints cluster-wide, most of them on other hosts (issue 20):
 * LOCAL endpoints on this host (veths in a namespace of the bench's own), the rest spread over hosts of 200 endpoints
 * each; endpoint i is in profile i mod 100, whose tag allows it in, so each local endpoint uses a profile and felix
 * keeps the address of every endpoint of the cluster in a set. Measures the time from
 * the agent's start to ready (routes, chains and sets programmed; nftables backend), the heap it then holds, and
 * beside it in the same run the floor: {@code etcdctl get --prefix} of the same keys (one process, same etcd).
 * Run: {@code felix-agent/bench/sync.sh 20000 50000}.
 */
public final class RemoteSyncBench {
    static final int LOCAL = Integer.getInteger("local", 100);
    static final int PER_HOST = 200;
    static final int PROFILES = 100;

    public static void main(String[] args) throws Exception {
        String endpoints = System.getenv("ETCD_ENDPOINTS");
        if (endpoints == null) {
            System.err.println("RemoteSyncBench: ETCD_ENDPOINTS not set (use bench/sync.sh)");
            System.exit(2);
        }
        System.out.printf(
                "%-8s %-8s %-12s %-14s %-10s %s%n",
                "total", "local", "felix ready", "etcdctl get", "ratio", "heap after ready");
        for (String a : args.length == 0 ? new String[] {"20000"} : args) {
            run(Integer.parseInt(a), endpoints);
        }
        System.exit(0);
    }

    static String ip(int i) {
        return "10." + (100 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256);
    }

    private static void run(int total, String endpoints) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 5);
        Keys keys = new Keys("/cj-sync-" + id);
        String ns = "cj-s" + id;
        sh("ip", "netns", "add", ns);
        try (JetcdStore store = new JetcdStore(EtcdConfig.of(endpoints))) {
            sh(
                    "ip",
                    "netns",
                    "exec",
                    ns,
                    "sysctl",
                    "-qw",
                    "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
            sh("ip", "-n", ns, "link", "add", "uplink0", "type", "veth", "peer", "name", "uplink1");
            sh("ip", "-n", ns, "addr", "add", "192.168.200.1/24", "dev", "uplink0");
            sh("ip", "-n", ns, "link", "set", "uplink0", "up");
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < LOCAL; i++) {
                b.append(String.format("link add cali%011d type veth peer name p%011d%n", i, i));
                b.append(String.format("link set cali%011d up%nlink set p%011d up%n", i, i));
            }
            input(b.toString(), "ip", "-n", ns, "-batch", "-");
            List<Op> ops = new ArrayList<>();
            for (int p = 0; p < PROFILES; p++) {
                ops.add(Op.put(
                        keys.profileRules("prof" + p),
                        "{\"inbound_rules\":[{\"src_tag\":\"prof" + p + "\"}],\"outbound_rules\":[{}]}"));
                ops.add(Op.put(keys.profileTags("prof" + p), "[\"prof" + p + "\"]"));
                flush(store, ops, false);
            }
            for (int i = 0; i < total; i++) {
                String host = i < LOCAL ? "bench" : "r" + (i - LOCAL) / PER_HOST;
                ops.add(Op.put(
                        keys.endpoint(host, "k8s", "wl" + i, "eth0"),
                        "{\"state\":\"active\",\"name\":\""
                                + String.format("cali%011d", i) + "\",\"profile_ids\":[\"prof" + (i % PROFILES)
                                + "\"],\"ipv4_nets\":[\"" + ip(i) + "/32\"]}"));
                flush(store, ops, false);
                if (i % 10000 == 9999) {
                    System.err.printf("  written %d of %d endpoints%n", i + 1, total);
                }
            }
            flush(store, ops, true);
            long t = System.nanoTime();
            String got = sh(
                    "env", "ETCDCTL_API=3", "etcdctl", "--endpoints", endpoints, "get", "--prefix", keys.root() + "/");
            double floor = secs(t);
            if (got.length() < total * 50) {
                throw new IllegalStateException("etcdctl got only " + got.length() + " characters");
            }
            Map<String, String> env = Map.of(
                    "FELIX_HEALTHPORT",
                    "0",
                    "FELIX_PROMETHEUSMETRICSPORT",
                    "0",
                    "FELIX_REPORTINGINTERVALSECS",
                    "0",
                    "FELIX_ENDPOINTREPORTINGENABLED",
                    "false",
                    "FELIX_IPV6SUPPORT",
                    "false",
                    "FELIX_DATAPLANEBACKEND",
                    "nftables");
            System.gc();
            t = System.nanoTime();
            try (TcpProxy proxy = TcpProxy.toLoopbackPort(
                            URI.create(endpoints.split(",")[0]).getPort());
                    JetcdStore agentStore = new JetcdStore(EtcdConfig.of(proxy.endpoint()));
                    Agent agent = new Agent(agentStore, keys, "bench", env, Namespace.named(ns))) {
                agent.start();
                while (!agent.ready()) {
                    Thread.sleep(5);
                }
                double ready = secs(t);
                long routes = sh("ip", "-n", ns, "route", "show", "proto", "80")
                        .lines()
                        .count();
                String set = sh("ip", "netns", "exec", ns, "nft", "list", "ruleset");
                if (routes != LOCAL || !set.contains(ip(total - 1))) {
                    throw new IllegalStateException("not programmed: " + routes + " routes, last remote address "
                            + (set.contains(ip(total - 1)) ? "present" : "missing"));
                }
                System.gc();
                long heap = Runtime.getRuntime().totalMemory()
                        - Runtime.getRuntime().freeMemory();
                System.out.printf(
                        "%-8d %-8d %-12s %-14s %-10s %d MiB%n",
                        total,
                        LOCAL,
                        String.format("%.2f s", ready),
                        String.format("%.2f s", floor),
                        String.format("%.1fx", ready / floor),
                        heap >> 20);
                resyncAfterCompaction(store, keys, ns, agent, proxy, endpoints, total);
            }
            store.deletePrefix(keys.root() + "/");
        } finally {
            sh("ip", "netns", "exec", ns, "nft", "flush", "ruleset");
            sh("ip", "netns", "del", ns);
        }
    }

    /**
     * The agent cut off from etcd (its proxy), one remote endpoint replaced and the history compacted meanwhile,
     * then reconnected: its watch cannot resume, so it resyncs from a fresh listing of all N endpoints. Prints the time
     * from reconnecting to the change programmed (the new address in the set, the deleted one gone).
     */
    private static void resyncAfterCompaction(
            JetcdStore store, Keys keys, String ns, Agent agent, TcpProxy proxy, String endpoints, int total)
            throws Exception {
        long resyncs = agent.metrics().counter("felix_resyncs");
        proxy.cut();
        Thread.sleep(500);
        store.delete(keys.endpoint("r" + (total - 1 - LOCAL) / PER_HOST, "k8s", "wl" + (total - 1), "eth0"));
        long rev = store.put(
                keys.endpoint("rnew", "k8s", "wl" + total, "eth0"),
                "{\"state\":\"active\",\"name\":\"" + String.format("cali%011d", total)
                        + "\",\"profile_ids\":[\"prof0\"],\"ipv4_nets\":[\"" + ip(total) + "/32\"]}");
        sh("env", "ETCDCTL_API=3", "etcdctl", "--endpoints", endpoints, "compact", Long.toString(rev));
        long t = System.nanoTime();
        proxy.restore();
        while (true) {
            String set = sh("ip", "netns", "exec", ns, "nft", "list", "ruleset");
            if (set.contains(ip(total)) && !set.contains(ip(total - 1) + ",") && !set.contains(ip(total - 1) + " ")) {
                break;
            }
            if (secs(t) > 300) {
                throw new IllegalStateException("no resync after 300 s");
            }
            Thread.sleep(100);
        }
        System.out.printf(
                "%-8d resync after compaction: %.2f s from reconnecting to the change programmed (%d resync)%n",
                total, secs(t), agent.metrics().counter("felix_resyncs") - resyncs);
    }

    private static void flush(JetcdStore store, List<Op> ops, boolean all) {
        if (ops.size() >= 100 || all && !ops.isEmpty()) {
            store.txn(List.of(), List.copyOf(ops));
            ops.clear();
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String sh(String... cmd) throws IOException, InterruptedException {
        return input(null, cmd);
    }

    private static String input(String stdin, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
