package org.calicojava.felix.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.calicojava.netlink.NetNs;
import org.calicojava.store.EtcdConfig;
import org.calicojava.testing.TcpProxy;

/**
 * The cold start as an operator sees it: from the exec of {@code bin/felix-agent} in the bench's namespace until
 * the agent logs its "initial sync" line (every route and chain programmed), in a fresh JVM each time, with and
 * without the class-data-sharing archive the build makes ({@code FELIX_NO_CDS=1}), alternating. The agent
 * reaches etcd through a relay on the namespace's loopback ({@link TcpProxy}, in this JVM), as the CNI ITs' do.
 */
final class ProcessStart implements AutoCloseable {
    /** The line the agent logs once its first sync is programmed. */
    static final String READY = "initial sync:";

    private final String ns;
    private final TcpProxy relay;
    private final String etcd;
    private final String prefix;
    private final Map<String, String> felixEnv;

    ProcessStart(String ns, String etcd, String prefix, Map<String, String> felixEnv) throws IOException {
        this.ns = ns;
        BenchSh.run("ip", "-n", ns, "link", "set", "lo", "up");
        URI first = EtcdConfig.parseEndpoints(etcd).get(0);
        this.relay = new TcpProxy(
                port -> NetNs.run(ns, () -> TcpProxy.loopback(port)),
                new InetSocketAddress(first.getHost(), first.getPort()));
        this.etcd = "http://127.0.0.1:" + relay.port();
        this.prefix = prefix;
        this.felixEnv = felixEnv;
    }

    @Override
    public void close() {
        relay.close();
    }

    /**
     * Seconds from exec to ready, with the archive ({@code cds}) or without, and the CPU seconds the agent's process
     * used until then (every thread, also those that ended; from /proc/PID/stat: {@code ip netns exec} and the
     * launcher both exec, so the PID is the JVM's); the agent is stopped afterwards.
     */
    double[] once(boolean cds, String extraJavaOpts) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                "ip",
                "netns",
                "exec",
                ns,
                Path.of("bin/felix-agent").toAbsolutePath().toString()));
        cmd.addAll(List.of("--hostname", "bench", "--etcd-endpoints", etcd, "--etcd-prefix", prefix));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("FELIX_JAVA_OPTS"); // the launcher's own flags, whatever the bench's JVM was given
        env.remove("FELIX_JAVA_EXTRA_OPTS");
        env.remove("FELIX_NO_CDS");
        env.putAll(felixEnv);
        if (!cds) {
            env.put("FELIX_NO_CDS", "1");
        }
        if (extraJavaOpts != null) {
            env.put("FELIX_JAVA_EXTRA_OPTS", extraJavaOpts);
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> read(p, ready), "agent-log");
        reader.setDaemon(true);
        reader.start();
        try {
            String line = ready.get(5, TimeUnit.MINUTES);
            double s = (System.nanoTime() - t0) / 1e9;
            double cpu = CpuClock.of(p.pid());
            double rss = residentMb(p.pid());
            System.out.printf(
                    "  process cold start (%s): %.3f s, %.2f CPU s, %.0f MiB resident;%s%n",
                    cds ? "with the CDS archive" : "FELIX_NO_CDS=1",
                    s,
                    cpu,
                    rss,
                    line.substring(line.indexOf(READY) + READY.length()));
            return new double[] {s, cpu, rss};
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("bin/felix-agent did not get ready: " + e, e);
        } finally {
            p.destroy(); // SIGTERM to the agent's JVM (ip netns exec and the script both exec it)
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    /** A process's resident memory in MiB ({@code VmRSS} of /proc/PID/status). */
    static double residentMb(long pid) {
        try {
            for (String l : java.nio.file.Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
            throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
        } catch (IOException e) {
            throw new IllegalStateException("reading /proc/" + pid + "/status: " + e.getMessage(), e);
        }
    }

    private static void read(Process p, CompletableFuture<String> ready) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            String last = "";
            while ((line = r.readLine()) != null) {
                if (Boolean.getBoolean("process.verbose")) {
                    System.out.println("    agent: " + line);
                }
                if (line.contains(READY)) {
                    ready.complete(line);
                } else if (line.contains("ERROR") || line.contains("WARN")) {
                    last = line;
                }
            }
            ready.completeExceptionally(new IllegalStateException("the agent ended; last problem: " + last));
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
    }

    /** The agent's settings in the bench: no health or metrics port, no status reports, {@code backend} chosen. */
    static Map<String, String> felixEnv(String backend, String ipv6) {
        Map<String, String> env = new HashMap<>(Map.of(
                "FELIX_HEALTHPORT", "0",
                "FELIX_PROMETHEUSMETRICSPORT", "0",
                "FELIX_REPORTINGINTERVALSECS", "0",
                "FELIX_ENDPOINTREPORTINGENABLED", "false",
                "FELIX_IPV6SUPPORT", ipv6));
        switch (backend) {
            case "auto" -> {} // the default: DataplaneBackend auto
            case "nftables" -> {
                env.put("FELIX_DATAPLANEBACKEND", "nftables");
                env.put("FELIX_NFTABLESWRITER", System.getProperty("nftwriter", "netlink")); // -Dnftwriter=nft
            }
            default -> {
                env.put("FELIX_DATAPLANEBACKEND", "iptables");
                env.put("FELIX_IPTABLESBACKEND", backend.substring("iptables-".length()));
            }
        }
        return env;
    }

    /**
     * {@code reps} process cold starts with the archive and as many without, alternating, each after {@code clean}
     * emptied the dataplane; returns the medians, with the archive first, then its resident MiB. With -Dprocess.classlist=FILE, one run
     * before them writes the classes it loads to FILE (the list the build's archive is made from);
     * -Dprocess.javaopts="..." adds JVM flags to every run, -Dprocess.verbose=true prints the agents' logs.
     */
    double[] medians(int reps, Runnable clean) throws IOException, InterruptedException {
        String classList = System.getProperty("process.classlist"); // felix-agent/cds/classlist.sh
        if (classList != null) {
            clean.run();
            once(false, "-XX:DumpLoadedClassList=" + classList);
        }
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> cpuWith = new ArrayList<>();
        List<Double> cpuWithout = new ArrayList<>();
        List<Double> rssWith = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            for (boolean cds : new boolean[] {true, false}) {
                clean.run();
                QuietMachine.await(15);
                double[] r = once(cds, System.getProperty("process.javaopts")); // more JVM flags
                (cds ? with : without).add(r[0]);
                (cds ? cpuWith : cpuWithout).add(r[1]);
                if (cds) {
                    rssWith.add(r[2]);
                }
            }
        }
        System.out.printf(
                "  process cold start, medians of %d: with the archive %.3f s, %.2f CPU s, %.0f MiB resident; without %.3f s,"
                        + " %.2f CPU s%n",
                reps,
                FelixBench.pct(with, 0.5),
                FelixBench.pct(cpuWith, 0.5),
                FelixBench.pct(rssWith, 0.5),
                FelixBench.pct(without, 0.5),
                FelixBench.pct(cpuWithout, 0.5));
        return new double[] {FelixBench.pct(with, 0.5), FelixBench.pct(without, 0.5), FelixBench.pct(rssWith, 0.5)};
    }
}
