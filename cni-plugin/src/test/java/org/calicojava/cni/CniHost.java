package org.calicojava.cni;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.GatewayStore;
import org.calicojava.store.KeyValue;
import org.calicojava.testing.TcpProxy;

/**
 * A hand-driven CNI runtime for tests: a network namespace standing in for the host (the plugins run inside it with
 * {@code ip netns exec}, so their veths never touch this machine's namespace), the test's etcd reached through a
 * forwarder on that namespace's loopback under a key prefix of its own, a CNI_PATH directory with calico-java-cni,
 * calico-java-ipam and the standard plugins, and container namespaces. {@link #close} removes all of it.
 */
final class CniHost implements AutoCloseable {
    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    static final String HOST = "cni-host";
    static final String NETWORK = "cninet";

    final String sfx = Long.toHexString(System.nanoTime() & 0xffffffL);
    final String ns = "cnt" + sfx + "h";
    final Keys keys = new Keys("/cj-cni-" + sfx);
    final Path tmp;
    final Path binDir;
    final GatewayStore store;
    private final TcpProxy forwarder;
    final String etcdInside;

    /** What one plugin call did. */
    record Call(int rc, String out, String err) {
        JsonNode json() {
            return Json.read(out, JsonNode.class);
        }

        @Override
        public String toString() {
            return "exit " + rc + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    CniHost() throws IOException {
        String etcd = System.getenv("ETCD_ENDPOINTS");
        if (etcd == null || etcd.isBlank()) {
            throw new AssertionError("ETCD_ENDPOINTS (start etcd with scripts/lib/etcd.sh)");
        }
        if (!Files.isExecutable(Path.of("/usr/lib/cni/bridge"))) {
            throw new AssertionError(
                    "the standard CNI plugins are not installed (scripts/setup: containernetworking-plugins)");
        }
        tmp = Files.createTempDirectory("cni-it-");
        binDir = Files.createDirectory(tmp.resolve("bin"));
        Files.createSymbolicLink(binDir.resolve("calico-java-cni"), REPO.resolve("bin/calico-java-cni"));
        Files.createSymbolicLink(binDir.resolve("calico-java-ipam"), REPO.resolve("bin/calico-java-ipam"));
        try (Stream<Path> std = Files.list(Path.of("/usr/lib/cni"))) {
            for (Path p : std.toList()) {
                Files.createSymbolicLink(binDir.resolve(p.getFileName()), p);
            }
        }
        store = new GatewayStore(EtcdConfig.of(etcd));
        NetNs.create(ns);
        try {
            try (Netlink nl = NetNs.open(ns)) {
                nl.setUp("lo");
            }
            URI first = EtcdConfig.parseEndpoints(etcd).get(0);
            forwarder = new TcpProxy(
                    port -> NetNs.run(ns, () -> TcpProxy.loopback(port)),
                    new InetSocketAddress(first.getHost(), first.getPort()));
            etcdInside = "http://127.0.0.1:" + forwarder.port();
        } catch (RuntimeException | IOException e) {
            NetNs.delete(ns);
            throw e;
        }
    }

    void pool(String cidr, int blockSize) {
        store.put(
                keys.pool(Cidr.parse(cidr)),
                "{\"cidr\":\"" + cidr + "\"" + (blockSize > 0 ? ",\"block_size\":" + blockSize : "") + "}");
    }

    /** A container namespace; returns its path. */
    Path container(String name) {
        String n = "cnt" + sfx + "c" + name;
        NetNs.create(n);
        return NetNs.path(n);
    }

    /** A network configuration for calico-java-cni; {@code extra} is spliced into the object (",\"k\": v" ...). */
    String conf(String version, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + NETWORK + "\",\"type\":\"calico-java-cni\","
                + "\"etcd_endpoints\":\"" + etcdInside + "\",\"etcd_prefix\":\"" + keys.root() + "\",\"nodename\":\""
                + HOST + "\",\"log_level\":\"info\"" + extra + "}";
    }

    Call call(String plugin, String command, String containerId, Path netns, String ifname, String stdin) {
        return call(plugin, command, containerId, netns, ifname, stdin, Map.of());
    }

    /** Runs a plugin of the CNI_PATH inside the host namespace, as a runtime would. */
    Call call(
            String plugin,
            String command,
            String containerId,
            Path netns,
            String ifname,
            String stdin,
            Map<String, String> extraEnv) {
        List<String> cmd =
                List.of("ip", "netns", "exec", ns, binDir.resolve(plugin).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns == null ? "" : netns.toString());
        env.put("CNI_IFNAME", ifname);
        env.put("CNI_PATH", binDir.toString());
        env.put("CALICO_JAVA_CNI_SOCKET", ""); // the one-shot path, whatever CNI server runs on this machine
        env.remove("CALICO_JAVA_CNI_NO_CDS"); // the launcher as a runtime runs it: with its archive
        env.remove("CALICO_JAVA_CNI_JAVA_OPTS");
        env.putAll(extraEnv);
        try {
            Process p = pb.start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            String out = read(p.getInputStream());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + plugin + " " + command);
            }
            return new Call(p.exitValue(), out.trim(), err.join().trim());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /**
     * The rate iperf3 in the namespace at {@code client} measured to the server at {@code server} ({@code reverse}:
     * from it), bit/s received over 6 s after 1 s omitted.
     */
    static double iperf(Path client, String server, boolean reverse) throws InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                "ip",
                "netns",
                "exec",
                client.getFileName().toString(),
                "iperf3",
                "-c",
                server,
                "-t",
                "6",
                "-O",
                "1",
                "-J"));
        if (reverse) {
            cmd.add("-R");
        }
        // the iperf3 server takes one test at a time and may still be closing the last one: a run that moved
        // nothing or reports an error is tried again (at most 3 times), its output kept for the assertion
        String out = "";
        double bps = 0;
        for (int attempt = 0; attempt < 3 && bps == 0; attempt++) {
            if (attempt > 0) {
                System.out.println("iperf3 moved nothing or failed, trying again: " + out.strip());
                Thread.sleep(1000);
            }
            out = run(cmd).out();
            if (out.indexOf('{') < 0) {
                continue; // no JSON at all (iperf3 could not start): tried again, the output kept
            }
            JsonNode result = Json.read(out.substring(out.indexOf('{')), JsonNode.class);
            bps = result.path("error").isMissingNode()
                    ? result.path("end")
                            .path("sum_received")
                            .path("bits_per_second")
                            .asDouble()
                    : 0;
        }
        org.assertj.core.api.Assertions.assertThat(bps).as("iperf3: " + out).isPositive();
        System.out.println("iperf3 " + (reverse ? "from " : "to ") + server + ": " + bps + " bit/s");
        return bps;
    }

    private static String read(InputStream s) {
        try {
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Routing in the host namespace as felix and a real host have it: forwarding on, a default route (over an uplink
     * veth whose far end stays in the namespace: proxy ARP answers for 169.254.1.1 only when the host has a route to
     * it) and a /32 route to each workload given as ADDRESS=INTERFACE.
     */
    void routeWorkloads(String... addressAtInterface) {
        inHost("sysctl", "-qw", "net.ipv4.ip_forward=1");
        if (hostLink("cntup").isEmpty()) {
            inHost("ip", "link", "add", "cntup", "type", "veth", "peer", "name", "cntup2");
            inHost("ip", "link", "set", "cntup2", "up");
            inHost("ip", "link", "set", "cntup", "up");
            inHost("ip", "addr", "add", "192.168.231.1/30", "dev", "cntup");
            inHost("ip", "route", "add", "default", "via", "192.168.231.2");
        }
        for (String a : addressAtInterface) {
            String[] p = a.split("=");
            inHost("ip", "route", "replace", p[0] + "/32", "dev", p[1]);
        }
    }

    /**
     * Starts the resident CNI server ({@code calico-java-cni serve}) inside the host namespace on {@code socket}, its
     * output into {@code log}; returns once the socket is there. Stop it with {@code destroy} (SIGTERM).
     */
    Process startServer(Path socket, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        ns,
                        REPO.resolve("bin/calico-java-cni").toString(),
                        "serve",
                        "--socket",
                        socket.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.exists(socket)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("the CNI server did not start: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        return p;
    }

    /** How many calls of calico-java-cni's {@code command} the server on {@code socket} ran with exit status 0. */
    static long served(Path socket, String command) {
        String m = sh(List.of(
                "sh",
                "-c",
                "printf 'GET /metrics HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n'" + " | nc -U '" + socket
                        + "'"));
        java.util.regex.Matcher x = java.util.regex.Pattern.compile(
                        "calico_java_cni_requests_total\\{plugin=\"network\"," + "command=\"" + command
                                + "\",exit=\"0\"} (\\d+)")
                .matcher(m);
        return x.find() ? Long.parseLong(x.group(1)) : 0;
    }

    /** Links of the host namespace. */
    List<Link> hostLinks() {
        try (Netlink nl = NetNs.open(ns)) {
            return nl.links();
        }
    }

    Optional<Link> hostLink(String name) {
        return hostLinks().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    List<String> caliLinks() {
        return hostLinks().stream()
                .map(Link::name)
                .filter(n -> n.startsWith("cali"))
                .toList();
    }

    List<KeyValue> endpoints() {
        return store.list(keys.workloads(HOST)).kvs();
    }

    /** Runs a command inside the host namespace; returns stdout (fails on a non-zero exit). */
    String inHost(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return sh(full);
    }

    static String sh(List<String> cmd) {
        Ran r = run(cmd);
        if (r.rc() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + r.out());
        }
        return r.out();
    }

    /** A command's exit code (-1: killed after 120 s) and its output, stdout and stderr together. */
    record Ran(int rc, String out) {}

    static Ran run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = read(p.getInputStream());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Ran(-1, out);
            }
            return new Ran(p.exitValue(), out);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    @Override
    public void close() {
        try {
            forwarder.close();
        } finally {
            for (String n : NetNs.list()) {
                if (n.startsWith("cnt" + sfx)) {
                    NetNs.delete(n);
                }
            }
            store.deletePrefix(keys.root() + "/");
            store.close();
            try (Stream<Path> all = Files.walk(tmp)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
