package org.calicojava.felix.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.RestoreScript;
import org.calicojava.felix.rules.StaticChains;
import org.calicojava.model.Keys;
import org.calicojava.netlink.EventGroup;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.NetlinkEvent;
import org.calicojava.netlink.NetlinkEvents;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.store.Op;

/**
 * Cold start, incremental add and refresh cost of the agent at N local endpoints, beside the floors (ip -batch of
 * the routes, one iptables-restore of the same rules, iptables-save) measured in the same run, in namespaces it
 * creates and deletes. Run through felix-agent/bench/run.sh (needs root and ETCD_ENDPOINTS).
 */
public final class FelixBench {
    static final int ADDS = Integer.getInteger("adds", 200);
    static final int PER_PROFILE = 100;
    /** Incremental adds for the iptables backends (each costs about a second at 10,000 with iptables-nft). */
    static final int IPTABLES_ADDS = Integer.getInteger("adds.iptables", 50);
    /** Ipv6Support of the agent (-Dipv6=false: IPv4 policy only; default true, as the agent's default). */
    static final String IPV6 = System.getProperty("ipv6", "true");
    /**
     * -Dadds.cni=true: each incremental add creates its veth pair just before writing its endpoint, as the CNI plugin
     * and the Docker driver do (so the agent sees the link events of every add); by default the add interfaces are
     * made at set-up with the others.
     */
    static final boolean ADDS_CNI = Boolean.getBoolean("adds.cni");

    /** -Dbackends: the backends measured, in this order; only the first one's agent starts in a cold JVM. */
    static final List<String> BACKENDS =
            List.of(System.getProperty("backends", "auto,nftables,iptables-nft,iptables-legacy")
                    .split(","));

    /**
     * -Dwarm=K: after the first backend's measurements, K more starts of a new agent in this JVM, each from an emptied
     * dataplane (the agent's code compiled by then): how much of the cold start is the JVM warming up.
     */
    static final int WARM = Integer.getInteger("warm", 0);

    private static final String NS_PREFIX = System.getProperty("nsprefix", "cj-b");

    public static void main(String[] args) throws Exception {
        String endpoints = System.getenv("ETCD_ENDPOINTS");
        if (endpoints == null) {
            System.err.println("FelixBench: ETCD_ENDPOINTS not set (use bench/run.sh)");
            System.exit(2);
        }
        for (String a : args.length == 0 ? new String[] {"1000"} : args) {
            new FelixBench(Integer.parseInt(a), endpoints).run();
        }
        System.exit(0);
    }

    private final int n;
    private final String endpoints;
    private final String id = UUID.randomUUID().toString().substring(0, 5);
    private final String ns = NS_PREFIX + id + "-h";
    private final String floorNs = NS_PREFIX + id + "-f";
    private final Keys keys = new Keys("/cj-bench-" + id);

    Keys keys() {
        return keys;
    }

    FelixBench(int n, String endpoints) {
        this.n = n;
        this.endpoints = endpoints;
    }

    static String iface(int i) {
        return String.format("cali%011d", i);
    }

    /** The N workload interfaces' names. */
    private List<String> ifaces() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(iface(i));
        }
        return out;
    }

    static String ip(int i) {
        return "10." + (100 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256);
    }

    void run() throws Exception {
        System.out.printf("== N = %d local endpoints (plus %d incremental adds)%n", n, ADDS);
        sh("ip", "netns", "add", ns);
        sh("ip", "netns", "add", floorNs);
        // thousands of veths would otherwise keep the kernel busy with IPv6 autoconf (this bench is IPv4)
        sh(
                "ip",
                "netns",
                "exec",
                ns,
                "sysctl",
                "-qw",
                "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1");
        // like a real host (and the ITs' TestNet): an uplink with an address, created before the workload veths.
        // Without any IPv4 address in the namespace, every route insertion walks all links looking for a source
        // address (inet_select_addr), which made 10,000 routes take about a minute here.
        sh("ip", "-n", ns, "link", "add", "uplink0", "type", "veth", "peer", "name", "uplink1");
        sh("ip", "-n", ns, "addr", "add", "192.168.200.1/24", "dev", "uplink0");
        sh("ip", "-n", ns, "link", "set", "uplink0", "up");
        try (JetcdStore store = new JetcdStore(EtcdConfig.of(endpoints))) {
            long t = System.nanoTime();
            StringBuilder b = new StringBuilder();
            int made = ADDS_CNI ? n : n + ADDS;
            for (int i = 0; i < made; i++) {
                b.append("link add ")
                        .append(iface(i))
                        .append(" type veth peer name ")
                        .append(String.format("p%011d", i))
                        .append('\n');
            }
            batch(ns, b.toString());
            b.setLength(0);
            for (int i = 0; i < made; i++) {
                b.append("link set ")
                        .append(iface(i))
                        .append(" up\nlink set ")
                        .append(String.format("p%011d", i))
                        .append(" up\n");
            }
            batch(ns, b.toString());
            System.out.printf("setup: %d veth pairs in %.1f s%n", made, secs(t));
            boolean withFloors = Boolean.parseBoolean(System.getProperty("floors", "true"));
            writeDatastore(store);
            if (withFloors) {
                QuietMachine.await(15);
            }
            Double etcdGet = withFloors ? EtcdGetFloor.median(endpoints, keys.root() + "/", 2L * n) : null;
            List<BenchLine> lines = new ArrayList<>(); // the nftables floors are filled in after the agents
            SysctlSnapshot sysctls = WARM > 0 || withFloors ? SysctlSnapshot.of(ns, ifaces()) : null;
            for (String backend : BACKENDS) {
                cleanDataplane();
                QuietMachine.await(15);
                AgentStart starts = new AgentStart(endpoints, keys, ns, backend);
                AgentStart.Timed first = starts.start("cold start");
                Agent agent = first.agent();
                double cold = first.wallS();
                double coldCpu = first.cpuS();
                int adds = backend.startsWith("iptables") ? Math.min(ADDS, IPTABLES_ADDS) : ADDS;
                double[] add = adds > 0 ? incremental(store, agent, backend, adds) : null;
                Double all = Boolean.parseBoolean(System.getProperty("policyall", "true"))
                        ? new PolicyForAll(keys, n).median(store, agent, backend)
                        : null;
                RefreshCost costs = new RefreshCost(ns, n, keys);
                double refresh = costs.full(backend);
                if (!backend.equals("iptables-legacy")) { // legacy: no nftables generation, every refresh reads back
                    refresh = costs.quiet(store, agent, backend);
                }
                first.close();
                double[] warm = WARM > 0 && backend.equals(BACKENDS.get(0)) ? warmStarts(starts, sysctls) : null;
                lines.add(new BenchLine(
                        backend,
                        n,
                        cold,
                        coldCpu,
                        null, // the nftables floors and the kernel's start, after the agents
                        null,
                        null,
                        etcdGet,
                        add == null ? null : add[0],
                        add == null ? null : add[1],
                        all,
                        refresh,
                        null, // the process cold starts, after the agents
                        null,
                        warm == null ? null : warm[0],
                        warm == null ? null : warm[1],
                        null)); // the processes' memory, after the agents
            }
            int reps = Integer.getInteger("process", 0); // fresh JVMs: bin/felix-agent with and without its archive
            if (reps > 0) {
                try (ProcessStart p =
                        new ProcessStart(ns, endpoints, keys.root(), ProcessStart.felixEnv(BACKENDS.get(0), IPV6))) {
                    double[] m = p.medians(reps, this::cleanDataplane);
                    lines.set(0, lines.get(0).withProcessStarts(m[0], m[1], m[2]));
                }
            }
            store.deletePrefix(keys.root() + "/");
            if (withFloors) { // after the agents: the floors' own calculation would warm the JIT for a cold start
                cleanDataplane();
                QuietMachine.await(15);
                NftFloor.Floors nft = floors(sysctls);
                lines.replaceAll(l -> l.withNftFloors(nft.nftF(), nft.kernelCommit(), nft.kernelStart()));
            }
            lines.forEach(l -> System.out.println(l.json())); // the final lines, one per backend
        } finally {
            BenchSh.run("ip", "netns", "delete", ns);
            BenchSh.run("ip", "netns", "delete", floorNs);
        }
    }

    /** The floors of this N, printed as measured; returns the nftables ones and the kernel's start for the final lines. */
    private NftFloor.Floors floors(SysctlSnapshot sysctls) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("route add ")
                    .append(ip(i))
                    .append("/32 dev ")
                    .append(iface(i))
                    .append(" proto 81\n");
        }
        long t = System.nanoTime();
        batch(ns, b.toString());
        System.out.printf("floor: ip -batch %d routes: %.3f s%n", n, secs(t));
        sh("ip", "-n", ns, "route", "flush", "proto", "81");

        DatastoreState st = new DatastoreState(keys, "bench");
        for (Map.Entry<String, String> e : datastore().entrySet()) {
            st.apply(e.getKey(), e.getValue());
        }
        t = System.nanoTime();
        Calculator calculator = new Calculator(p -> {});
        DesiredDataplane d = calculator.calculate(st, FelixConfig.defaults());
        double calc = secs(t);
        List<Double> warm = new ArrayList<>();
        for (int k = 0; k < 5; k++) { // one more endpoint each time, as an incremental add does
            st.apply(endpointKey(n + k), endpoint(n + k));
            t = System.nanoTime();
            calculator.calculate(st, FelixConfig.defaults());
            warm.add(secs(t) * 1000);
        }
        System.out.printf("calculation (pure, warm) after one more endpoint: median %.1f ms of 5%n", pct(warm, 0.5));
        RestoreScript s = new RestoreScript("filter");
        for (Chain c : d.filter().values()) {
            s.write(c);
        }
        StaticChains.dispatch(d.interfaces().keySet()).forEach(s::write); // as the iptables backend adds them
        for (StaticChains.Hook h : StaticChains.hooks()) {
            if (h.table().equals("filter")) {
                s.insertHook(h.builtin(), h.rule());
            }
        }
        String text = s.text();
        long rules = text.lines()
                .filter(l -> l.startsWith("-A") || l.startsWith("-I"))
                .count();
        StringBuilder sets = new StringBuilder();
        d.ipsets().values().forEach(v -> {
            sets.append("create ").append(v.name()).append(" hash:net family inet\n");
            v.members()
                    .forEach(m -> sets.append("add ")
                            .append(v.name())
                            .append(' ')
                            .append(m)
                            .append('\n'));
        });
        BenchSh.input(sets.toString(), "ip", "netns", "exec", floorNs, "ipset", "restore");
        System.out.printf(
                "calculation (pure, after the agents ran in this JVM): %.3f s for %d chains, %d rules%n",
                calc, d.filter().size(), rules);
        for (String v : new String[] {"nft", "legacy"}) {
            t = System.nanoTime();
            BenchSh.input(text, "ip", "netns", "exec", floorNs, "iptables-" + v + "-restore");
            double restore = secs(t);
            t = System.nanoTime();
            String saved = sh("ip", "netns", "exec", floorNs, "iptables-" + v + "-save", "-t", "filter");
            double save = secs(t);
            System.out.printf(
                    "floor: iptables-%s-restore of the same %d rules: %.3f s; iptables-%s-save: %.3f s (%d lines)%n",
                    v, rules, restore, v, save, saved.lines().count());
        }
        sh("ip", "netns", "exec", floorNs, "nft", "flush", "ruleset");
        NftFloor.Floors nft = NftFloor.run(floorNs, d, n);
        if (!"false".equals(System.getProperty("floor.kernelstart"))) { // in ns: it has the N interfaces
            nft = new NftFloor.Floors(nft.nftF(), nft.kernelCommit(), KernelStartFloor.measure(ns, d, n, sysctls));
        }
        sh("ip", "netns", "exec", floorNs, "nft", "flush", "ruleset");
        sh("ip", "netns", "exec", floorNs, "iptables-legacy", "-F");
        sh("ip", "netns", "exec", floorNs, "iptables-legacy", "-X");
        sh("ip", "netns", "exec", floorNs, "ipset", "destroy");
        return nft;
    }

    /**
     * {@link #WARM} more starts after the backend's other measurements, each from an emptied dataplane with the
     * interfaces' sysctls as before the cold start, so that they do its work with the code compiled; the medians of
     * their wall and CPU seconds.
     */
    private double[] warmStarts(AgentStart starts, SysctlSnapshot sysctls) {
        List<Double> wall = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        for (int k = 1; k <= WARM; k++) {
            cleanDataplane();
            System.out.printf("warm start %d: %d sysctls put back%n", k, sysctls.restore());
            QuietMachine.await(15);
            try (AgentStart.Timed again = starts.start("warm start " + k + " of " + WARM)) {
                wall.add(again.wallS());
                cpu.add(again.cpuS());
            }
        }
        return new double[] {pct(wall, 0.5), pct(cpu, 0.5)};
    }

    /** The bench's datastore of {@code n} endpoints and its keys' root, for {@code nft.StartPipeline}. */
    public static Map.Entry<Keys, Map<String, String>> datastoreAt(int n) {
        FelixBench b = new FelixBench(n, "unused");
        return Map.entry(b.keys, b.datastore());
    }

    Map<String, String> datastore() {
        Map<String, String> kv = new java.util.LinkedHashMap<>();
        int profiles = (n + ADDS + PER_PROFILE - 1) / PER_PROFILE;
        for (int p = 0; p < profiles; p++) {
            kv.put(
                    keys.profileRules("prof" + p),
                    "{\"inbound_rules\":[{\"src_tag\":\"prof" + p + "\"}],\"outbound_rules\":[{}]}");
            kv.put(keys.profileTags("prof" + p), "[\"prof" + p + "\"]");
        }
        for (int i = 0; i < n; i++) {
            kv.put(endpointKey(i), endpoint(i));
        }
        return kv;
    }

    String endpointKey(int i) {
        return keys.endpoint("bench", "k8s", "wl" + i, "eth0");
    }

    static String endpoint(int i) {
        return "{\"state\":\"active\",\"name\":\"" + iface(i) + "\",\"profile_ids\":[\"prof" + (i / PER_PROFILE)
                + "\"],\"ipv4_nets\":[\"" + ip(i) + "/32\"]}";
    }

    private void writeDatastore(JetcdStore store) {
        long t = System.nanoTime();
        List<Op> ops = new ArrayList<>();
        for (Map.Entry<String, String> e : datastore().entrySet()) {
            ops.add(Op.put(e.getKey(), e.getValue()));
            if (ops.size() == 100) {
                store.txn(List.of(), ops);
                ops = new ArrayList<>();
            }
        }
        if (!ops.isEmpty()) {
            store.txn(List.of(), ops);
        }
        System.out.printf("etcd: wrote %d endpoints in %.1f s%n", n, secs(t));
    }

    /** Adds one endpoint at a time; returns p50 and p99 in ms. */
    private double[] incremental(JetcdStore store, Agent agent, String backend, int adds) throws Exception {
        Map<String, Long> seen = new ConcurrentHashMap<>();
        try (NetlinkEvents ev = NetNs.subscribe(ns, Set.of(EventGroup.IPV4_ROUTE), e -> {
                    if (e instanceof NetlinkEvent.RouteEvent r && r.change() == NetlinkEvent.Change.ADDED) {
                        seen.putIfAbsent(r.route().dst().toString(), System.nanoTime());
                    }
                });
                Netlink links = NetNs.open(ns)) {
            List<Double> ms = new ArrayList<>();
            for (int i = n; i < n + adds; i++) {
                String dst = ip(i) + "/32";
                if (ADDS_CNI) { // as the CNI plugin: the pair first, up, then the endpoint
                    String peer = String.format("p%011d", i);
                    links.createVeth(iface(i), peer);
                    links.setUp(peer);
                    links.setUp(iface(i));
                }
                long t0 = System.nanoTime();
                store.put(endpointKey(i), endpoint(i));
                long deadline = t0 + 10_000_000_000L;
                while (!seen.containsKey(dst) && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000); // not a spin: 2 cores, agent needs them
                }
                Long t1 = seen.get(dst);
                ms.add(t1 == null ? 10_000.0 : (t1 - t0) / 1e6);
            }
            List<Double> order = new ArrayList<>(ms);
            Collections.sort(ms);
            System.out.printf(
                    "incremental add at %d endpoints (" + backend + " backend, %d adds): p50 %.1f ms, p99 %.1f ms, "
                            + "max %.1f ms; first 10%% p50 %.1f ms, last 10%% p50 %.1f ms (etcd write -> route in kernel; rules "
                            + "are programmed before the route%s)%n",
                    n,
                    adds,
                    pct(ms, 0.5),
                    pct(ms, 0.99),
                    pct(ms, 1.0),
                    pct(firstTenth(order), 0.5),
                    pct(lastTenth(order), 0.5),
                    ADDS_CNI ? "; each add's veth pair made just before its etcd write, as CNI does" : "");
            for (int i = n; i < n + adds; i++) {
                store.delete(endpointKey(i));
                if (ADDS_CNI) {
                    links.deleteLink(iface(i)); // CNI DEL: the pair goes with the endpoint
                }
            }
            long t = System.nanoTime();
            while (sh("ip", "-n", ns, "route", "show", "proto", "80").lines().count() > n && secs(t) < 60) {
                sleep(100);
            }
            return new double[] {pct(ms, 0.5), pct(ms, 0.99)};
        }
    }

    static double pct(List<Double> v, double p) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(Math.max(0, (int) Math.ceil(s.size() * p) - 1));
    }

    static List<Double> firstTenth(List<Double> v) {
        return v.subList(0, Math.max(1, v.size() / 10));
    }

    static List<Double> lastTenth(List<Double> v) {
        return v.subList(v.size() - Math.max(1, v.size() / 10), v.size());
    }

    private void cleanDataplane() {
        try {
            sh("ip", "-n", ns, "route", "flush", "proto", "80");
        } catch (IllegalStateException e) {
            // "FIB table does not exist": nothing to flush yet
        }
        sh("ip", "netns", "exec", ns, "nft", "flush", "ruleset");
        for (String legacy : new String[] {"iptables-legacy", "ip6tables-legacy"}) {
            for (String table : new String[] {"filter", "nat", "raw"}) {
                sh("ip", "netns", "exec", ns, legacy, "-t", table, "-F");
                sh("ip", "netns", "exec", ns, legacy, "-t", table, "-X");
            }
        }
        sh("ip", "netns", "exec", ns, "ipset", "destroy");
    }

    private static void batch(String ns, String commands) throws IOException {
        Path f = Files.createTempFile("felix-bench", ".batch");
        try {
            Files.writeString(f, commands);
            sh("ip", "-n", ns, "-batch", f.toString());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static String sh(String... cmd) {
        return BenchSh.run(cmd);
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
