package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code javactl node run} with the real daemons in a namespace of its own, against an etcd with authentication in
 * that namespace: the password reaches the children (they authenticate: felix writes its status, confd renders the
 * speaker's config) but no process's command line; each child holds only its documented capabilities; and a node
 * stopped at any moment of its start-up (SIGTERM, or SIGKILL) leaves no process behind.
 */
class NodeRunSecurityIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String NS = "cjsec-" + ID;
    private static final String NODE = "cjsec" + ID;
    private static final String PASSWORD = "pw-" + UUID.randomUUID();
    private static final String ENDPOINT = "http://127.0.0.1:2379";
    private static Path tmp;
    private static Path passwordFile;
    private static Process etcd;

    @BeforeAll
    static void namespaceAndEtcdWithAuth() throws Exception {
        tmp = Files.createTempDirectory("cj-sec-"); // its name must not contain NODE (etcd's data dir is in it)
        sh("ip", "netns", "add", NS);
        sh("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up");
        sh("ip", "netns", "exec", NS, "ip", "addr", "add", "192.0.2.10/32", "dev", "lo");
        etcd = new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        NS,
                        "etcd",
                        "--name",
                        "s",
                        "--data-dir",
                        tmp.resolve("etcd").toString(),
                        "--listen-client-urls",
                        ENDPOINT,
                        "--advertise-client-urls",
                        ENDPOINT,
                        "--listen-peer-urls",
                        "http://127.0.0.1:2380",
                        "--initial-advertise-peer-urls",
                        "http://127.0.0.1:2380",
                        "--initial-cluster",
                        "s=http://127.0.0.1:2380")
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("etcd.log").toFile())
                .start();
        Fabric.eventually(
                Duration.ofSeconds(30),
                "etcd answers",
                () -> etcdctl(false, "endpoint", "health").ok());
        assertThat(etcdctl(false, "user", "add", "root:" + PASSWORD).out()).contains("User root created");
        assertThat(etcdctl(false, "auth", "enable").out()).contains("Authentication Enabled");
        passwordFile = tmp.resolve("etcd-password");
        Files.writeString(passwordFile, PASSWORD + "\n");
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (long pid : processesNamingTheNode()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (etcd != null) {
            etcd.destroy();
            etcd.waitFor(10, TimeUnit.SECONDS);
        }
        sh("ip", "netns", "del", NS);
        sh("rm", "-rf", tmp.toString());
    }

    private static Fabric.Result sh(String... cmd) {
        return Fabric.sh(cmd);
    }

    private static Fabric.Result etcdctl(boolean auth, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", NS, "etcdctl", "--endpoints", ENDPOINT));
        if (auth) {
            cmd.add("--user=root:" + PASSWORD);
        }
        cmd.addAll(List.of(args));
        return Fabric.sh(cmd, Duration.ofSeconds(30));
    }

    /** Named after the node, so that every child's command line names the node. */
    private static Path runDir() {
        return tmp.resolve(NODE);
    }

    private static Process startNode() throws IOException {
        return new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        NS,
                        Fabric.HOME.resolve("bin/javactl").toString(),
                        "--etcd-endpoints",
                        ENDPOINT,
                        "--etcd-username",
                        "root",
                        "--etcd-password-file",
                        passwordFile.toString(),
                        "node",
                        "run",
                        "--name",
                        NODE,
                        "--ip",
                        "192.0.2.10",
                        "--as",
                        "65010",
                        "--backend",
                        "java",
                        "--run-dir",
                        runDir().toString())
                .redirectErrorStream(true)
                .redirectOutput(
                        ProcessBuilder.Redirect.appendTo(tmp.resolve("node.log").toFile()))
                .start();
    }

    private static List<String> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException gone) {
            return List.of();
        }
    }

    /** Every live process whose command line names this test's node (its name or its run directory). */
    private static List<Long> processesNamingTheNode() {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.map(p -> p.getFileName().toString())
                    .filter(s -> s.matches("\\d+"))
                    .map(Long::parseLong)
                    .filter(pid -> pid != ProcessHandle.current().pid())
                    .filter(pid -> String.join(" ", cmdline(pid)).contains(NODE))
                    .forEach(out::add);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static String status(long pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith(field + ":"))
                .map(l -> l.substring(field.length() + 1).trim())
                .findFirst()
                .orElseThrow();
    }

    private static long pidOf(String child) throws IOException {
        return Long.parseLong(Files.readString(runDir().resolve(child + ".pid")).trim());
    }

    @Test
    void passwordOnNoCommandLineChildrenAuthenticateAndHoldOnlyTheirCapabilities() throws Exception {
        Process node = startNode();
        try {
            Fabric.eventually(
                    Duration.ofMinutes(2),
                    "felix-agent writes its status (authenticated)",
                    () -> etcdctl(true, "get", "--print-value-only", "/calico/felix/v1/host/" + NODE + "/status")
                            .out()
                            .contains("time"));
            Fabric.eventually(
                    Duration.ofMinutes(1),
                    "confd renders the speaker's config (authenticated)",
                    () -> Files.exists(runDir().resolve("bgp-speaker.yaml")));
            Fabric.eventually(Duration.ofMinutes(1), "the speaker runs", () -> {
                try {
                    return cmdline(pidOf("bgp-speaker")).contains("org.calicojava.bgp.Main");
                } catch (IOException | NumberFormatException notYet) {
                    return false;
                }
            });
            assertThat(etcdctl(false, "get", "/calico/felix/v1/host/" + NODE + "/status")
                            .ok())
                    .as("etcd refuses an unauthenticated read")
                    .isFalse();

            List<Long> all = new ArrayList<>(processesNamingTheNode());
            ProcessHandle.of(node.pid()).orElseThrow().descendants().forEach(h -> all.add(h.pid()));
            assertThat(all).hasSizeGreaterThanOrEqualTo(4); // node run, felix, confd, speaker
            for (long pid : all) {
                assertThat(String.join(" ", cmdline(pid)))
                        .as("cmdline of pid " + pid)
                        .doesNotContain(PASSWORD);
            }
            // the children's capabilities (CAP_NET_BIND_SERVICE 10, CAP_NET_ADMIN 12, CAP_NET_RAW 13) and no_new_privs
            Map<String, String> expected = Map.of(
                    "felix-agent",
                    "0000000000003000",
                    "confd-renderer",
                    "0000000000000000",
                    "bgp-speaker",
                    "0000000000001400");
            for (var e : expected.entrySet()) {
                long pid = pidOf(e.getKey());
                assertThat(cmdline(pid)).as(e.getKey()).anyMatch(a -> a.startsWith("org.calicojava."));
                assertThat(status(pid, "CapEff")).as(e.getKey() + " CapEff").isEqualTo(e.getValue());
                assertThat(status(pid, "CapBnd")).as(e.getKey() + " CapBnd").isEqualTo(e.getValue());
                assertThat(status(pid, "NoNewPrivs"))
                        .as(e.getKey() + " NoNewPrivs")
                        .isEqualTo("1");
            }
            Fabric.Result stop = sh(
                    "ip",
                    "netns",
                    "exec",
                    NS,
                    Fabric.HOME.resolve("bin/javactl").toString(),
                    "node",
                    "stop",
                    "--name",
                    NODE,
                    "--run-dir",
                    runDir().toString());
            assertThat(stop.out()).contains("Stopped node " + NODE);
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Fabric.eventually(
                    Duration.ofSeconds(5),
                    "no process of the node left",
                    () -> processesNamingTheNode().isEmpty());
        } finally {
            node.destroyForcibly();
        }
    }

    @Test
    void aNodeStoppedDuringItsStartUpLeavesNoChildBehind() throws Exception {
        Random random = new Random();
        long seed = random.nextLong();
        random.setSeed(seed);
        for (int cycle = 0; cycle < 23; cycle++) {
            boolean kill = cycle >= 20; // 20 cycles of SIGTERM, then 3 of SIGKILL (children tied by PR_SET_PDEATHSIG)
            int delayMs = random.nextInt(6000);
            Process node = startNode();
            Thread.sleep(delayMs);
            if (kill) {
                node.destroyForcibly();
            } else {
                node.destroy();
            }
            String what = "cycle " + cycle + " (seed " + seed + "): " + (kill ? "SIGKILL" : "SIGTERM") + " after "
                    + delayMs + " ms";
            assertThat(node.waitFor(40, TimeUnit.SECONDS))
                    .as(what + ": node run exits")
                    .isTrue();
            Fabric.eventually(
                    Duration.ofSeconds(5),
                    what + ": no process naming the node is left",
                    () -> processesNamingTheNode().isEmpty());
        }
    }
}
