package org.calicojava.fabric;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fabric of hosts in network namespaces (scripts/fabric) with a unique id per test class; workloads are namespaces
 * attached with javactl container add. Everything is removed by {@link #close()}, also when a test fails.
 */
final class Fabric implements AutoCloseable {
    static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    /** The single etcd's URL; a fabric up with --etcd-members has several: {@link #etcd()}. */
    static final String ETCD = "http://192.0.2.1:2379";

    final String id = "cjt" + UUID.randomUUID().toString().substring(0, 4);
    final int hosts;
    private final List<String> workloads = new ArrayList<>();

    /** Output and exit code of a command. */
    record Result(int code, String out) {
        boolean ok() {
            return code == 0;
        }
    }

    Fabric(int hosts, String... upArgs) {
        this.hosts = hosts;
        List<String> cmd = new ArrayList<>(List.of(
                HOME.resolve("scripts/fabric").toString(), "up", "--id", id, "--hosts", Integer.toString(hosts)));
        cmd.addAll(List.of(upArgs));
        Result r = sh(cmd, Duration.ofMinutes(3));
        if (!r.ok()) {
            close();
            throw new IllegalStateException("fabric up failed: " + r.out());
        }
    }

    static Result sh(List<String> cmd, Duration timeout) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), new String(out));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    static Result sh(String... cmd) {
        return sh(List.of(cmd), Duration.ofMinutes(2));
    }

    /** This fabric's etcd client URLs (comma-separated). */
    String etcd() {
        try {
            return java.nio.file.Files.readString(Path.of("/tmp/calico-java-fabric", id, "etcd_url"))
                    .trim();
        } catch (IOException e) {
            return ETCD;
        }
    }

    /** The TLS files of a fabric up with --etcd-tls (scripts/fabric's STATE/tls), or null. */
    Path tlsDir() {
        Path d = Path.of("/tmp/calico-java-fabric", id, "tls");
        return java.nio.file.Files.exists(d.resolve("ca.pem")) ? d : null;
    }

    /** javactl's etcd options for this fabric: its endpoints and, with --etcd-tls, the CA and client cert/key. */
    List<String> etcdArgs() {
        List<String> a = new ArrayList<>(List.of("--etcd-endpoints", etcd()));
        Path tls = tlsDir();
        if (tls != null) {
            a.addAll(List.of(
                    "--etcd-ca-cert",
                    tls.resolve("ca.pem").toString(),
                    "--etcd-cert",
                    tls.resolve("client.pem").toString(),
                    "--etcd-key",
                    tls.resolve("client.key").toString()));
        }
        return a;
    }

    /** bin/javactl with this fabric's etcd options, then {@code args}: a command line to run in a namespace. */
    String[] javactlArgs(String... args) {
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("bin/javactl").toString()));
        cmd.addAll(etcdArgs());
        cmd.addAll(List.of(args));
        return cmd.toArray(new String[0]);
    }

    String ns(String name) {
        return id + "-" + name;
    }

    /** Waits until a TCP socket listens on {@code port} in this fabric's namespace {@code name} (a server just started). */
    void awaitListening(String name, int port) {
        eventually(Duration.ofSeconds(20), "something listening on " + port + " in " + ns(name), () -> {
            Result r = sh("ip", "netns", "exec", ns(name), "ss", "-Hltn", "sport", "=", ":" + port);
            return r.ok() && r.out().contains(":" + port);
        });
    }

    Path runDir(int host) {
        return Path.of("/tmp/calico-java-fabric", id, "h" + host);
    }

    /** javactl against the fabric's etcd (run inside the fabric's net namespace). */
    Result javactl(String... args) {
        List<String> cmd =
                new ArrayList<>(List.of(HOME.resolve("scripts/fabric").toString(), "javactl", "--id", id));
        cmd.addAll(List.of(args));
        return sh(cmd, Duration.ofMinutes(1));
    }

    String javactlOk(String... args) {
        Result r = javactl(args);
        if (!r.ok()) {
            throw new AssertionError("javactl " + String.join(" ", args) + ": " + r.out());
        }
        return r.out();
    }

    /** {@code scripts/fabric SUBCOMMAND --id ID ARGS...} for this fabric (e.g. {@code workload add 3 NAME}). */
    Result script(String subcommand, String... args) {
        List<String> cmd =
                new ArrayList<>(List.of(HOME.resolve("scripts/fabric").toString(), subcommand, "--id", id));
        cmd.addAll(List.of(args));
        return sh(cmd, Duration.ofMinutes(1));
    }

    /** The member K (1..) that leads the fabric's etcd cluster now ({@code scripts/fabric etcd-leader}). */
    int etcdLeader() {
        Result r = script("etcd-leader");
        if (!r.ok()) {
            throw new AssertionError("scripts/fabric etcd-leader: " + r.out());
        }
        return Integer.parseInt(r.out().trim());
    }

    /** A command inside host N's namespace. */
    Result onHost(int host, String... cmd) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns("h" + host)));
        c.addAll(List.of(cmd));
        return sh(c, Duration.ofMinutes(1));
    }

    /** Adds a workload namespace on host N with an IPv4 address from any pool; returns its address. */
    String addWorkload(int host, String name, String... profiles) {
        return addWorkloadFrom(host, name, "ipv4", profiles);
    }

    /** Adds a workload namespace on host N with an address from {@code pool} (a CIDR, ipv4 or ipv6); returns it. */
    String addWorkloadFrom(int host, String name, String pool, String... profiles) {
        String wl = ns("h" + host + "-" + name);
        sh("ip", "netns", "add", wl);
        workloads.add(wl);
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("bin/javactl").toString()));
        cmd.addAll(etcdArgs());
        cmd.addAll(List.of("container", "add", wl, pool, "--hostname", "h" + host));
        for (String p : profiles) {
            cmd.addAll(List.of("--profile", p));
        }
        Result r = onHost(host, cmd.toArray(new String[0]));
        if (!r.ok()) {
            throw new AssertionError("container add " + wl + ": " + r.out());
        }
        return r.out().trim().split(" ")[1]; // "IP 10.65.0.3 added to ..."
    }

    /**
     * A CNI network configuration for calico-java-cni on host N: network {@code network}, the fabric's etcd, the
     * given profiles (none: the network name).
     */
    String cniConf(int host, String network, String... profiles) {
        StringBuilder p = new StringBuilder();
        for (String x : profiles) {
            p.append(p.length() == 0 ? "" : ",").append('"').append(x).append('"');
        }
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + network + "\",\"type\":\"calico-java-cni\","
                + "\"etcd_endpoints\":\"" + etcd() + "\",\"nodename\":\"h" + host + "\",\"log_level\":\"info\""
                + (profiles.length == 0 ? "" : ",\"profiles\":[" + p + "]") + "}";
    }

    /**
     * Adds a CNI workload on host N as a runtime would: a namespace of the test's and {@code bin/calico-java-cni ADD}
     * run inside the host's namespace with {@code conf} on stdin (one-shot, never a CNI server); returns its address.
     */
    String addCniWorkload(int host, String name, String conf) {
        String wl = ns("h" + host + "-" + name);
        sh("ip", "netns", "add", wl);
        workloads.add(wl);
        Result r = cni(host, "ADD", name, conf);
        Matcher m = Pattern.compile("\"address\":\"([0-9.]+)/32\"").matcher(r.out());
        if (!r.ok() || !m.find()) {
            throw new AssertionError("calico-java-cni ADD " + wl + ": " + r.out());
        }
        return m.group(1);
    }

    /** Runs calico-java-cni {@code command} for CNI workload {@code name} of host N; stdout is the result. */
    Result cni(int host, String command, String name, String conf) {
        ProcessBuilder pb = new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        ns("h" + host),
                        HOME.resolve("bin/calico-java-cni").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> env = pb.environment();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", ns("h" + host + "-" + name));
        env.put("CNI_NETNS", "/var/run/netns/" + ns("h" + host + "-" + name));
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", HOME.resolve("bin") + ":/usr/lib/cni");
        env.put("CALICO_JAVA_CNI_SOCKET", "");
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(conf.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: calico-java-cni " + command);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** Adds workload {@code name} on every host; returns their addresses, index = host number (index 0 unused). */
    String[] addWorkloadOnEachHost(String name, String... profiles) {
        String[] ips = new String[hosts + 1];
        for (int h = 1; h <= hosts; h++) {
            ips[h] = addWorkload(h, name, profiles);
        }
        return ips;
    }

    /** Waits until workload {@code name} on every host answers a ping to each address of {@code ips} (by host). */
    void awaitEveryHostReaches(String name, String[] ips, String how) {
        for (int h = 1; h <= hosts; h++) {
            for (int t = 1; t < ips.length; t++) {
                int from = h;
                String ip = ips[t];
                eventually(
                        Duration.ofSeconds(60),
                        "h" + from + "-" + name + " reaches " + ip + how,
                        () -> ping(from, name, ip));
            }
        }
    }

    void removeWorkload(int host, String name) {
        String wl = ns("h" + host + "-" + name);
        Result r = onHost(host, javactlArgs("container", "remove", wl, "--hostname", "h" + host));
        if (!r.ok()) {
            throw new AssertionError("container remove " + wl + ": " + r.out());
        }
        sh("ip", "netns", "del", wl);
        workloads.remove(wl);
    }

    /** One ping from a workload; true if answered. */
    boolean ping(int host, String name, String ip) {
        return sh("ip", "netns", "exec", ns("h" + host + "-" + name), "ping", "-c1", "-W1", ip)
                .ok();
    }

    /** A command in workload {@code name} of host N. */
    Result inWorkload(int host, String name, String... cmd) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns("h" + host + "-" + name)));
        c.addAll(List.of(cmd));
        return sh(c, Duration.ofMinutes(1));
    }

    String routes(int host) {
        return sh("ip", "-n", ns("h" + host), "route").out();
    }

    String routes6(int host) {
        return sh("ip", "-n", ns("h" + host), "-6", "route").out();
    }

    String nodeStatus(int host) {
        return onHost(
                        host,
                        javactlArgs(
                                "node",
                                "status",
                                "--name",
                                "h" + host,
                                "--run-dir",
                                runDir(host).toString()))
                .out();
    }

    /** Polls until true (every 200 ms) or throws after {@code timeout}. */
    static void eventually(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
    }

    /** Every host's node status shows at least {@code n} established sessions. */
    void awaitSessions(int n, Duration timeout) {
        for (int h = 1; h <= hosts; h++) {
            int host = h;
            eventually(
                    timeout,
                    "h" + host + " has " + n + " established BGP sessions",
                    () -> nodeStatus(host)
                                    .lines()
                                    .filter(l -> l.matches("\\|.*\\| (up|Established) .*"))
                                    .count()
                            >= n);
        }
    }

    @Override
    public void close() {
        for (String wl : workloads) {
            sh("ip", "netns", "del", wl);
        }
        workloads.clear();
        // keep the nodes' logs for a look after the test (target/fabric-logs/ID)
        sh(
                "bash",
                "-c",
                "mkdir -p target/fabric-logs/" + id + " && cd /tmp/calico-java-fabric/" + id
                        + " && find . -name '*.log' -o -name '*.yaml' -o -name 'bird.conf' -o -name status.json"
                        + " | xargs -r cp --parents -t "
                        + Path.of("target/fabric-logs", id).toAbsolutePath() + " 2>/dev/null; true");
        sh(List.of(HOME.resolve("scripts/fabric").toString(), "down", "--id", id), Duration.ofMinutes(2));
    }
}
