package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * bin/javactl checksystem in a network namespace made by this test, with an etcd of its own inside it (loopback is
 * per namespace): --fix sets the namespace's sysctls and then every check passes; a wrong sysctl and an ipset hidden
 * from PATH are each a FAIL with the fix and exit 1. This machine's own namespace is only read, never changed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CheckSystemIT {
    private final String ns = "cjcs-" + UUID.randomUUID().toString().substring(0, 6);
    private Path tmp;
    private Process etcd;
    private String hostIpForward;

    record Result(int code, String out) {}

    @BeforeAll
    void namespaceWithEtcd() throws Exception {
        hostIpForward =
                Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
        tmp = Files.createTempDirectory("cjcs");
        assertThat(sh(List.of("ip", "netns", "add", ns), null).code()).isZero();
        assertThat(sh(List.of("ip", "-n", ns, "link", "set", "lo", "up"), null).code())
                .isZero();
        etcd = new ProcessBuilder(
                        "nsenter",
                        "--net=/var/run/netns/" + ns,
                        "etcd",
                        "--name",
                        "cs",
                        "--data-dir",
                        tmp.resolve("etcd").toString(),
                        "--listen-client-urls",
                        "http://127.0.0.1:2379",
                        "--advertise-client-urls",
                        "http://127.0.0.1:2379",
                        "--listen-peer-urls",
                        "http://127.0.0.1:2380",
                        "--initial-advertise-peer-urls",
                        "http://127.0.0.1:2380",
                        "--initial-cluster",
                        "cs=http://127.0.0.1:2380",
                        "--logger",
                        "zap",
                        "--log-outputs",
                        tmp.resolve("etcd.log").toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("etcd.out").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sh(
                                List.of(
                                        "ip",
                                        "netns",
                                        "exec",
                                        ns,
                                        "etcdctl",
                                        "--endpoints",
                                        "http://127.0.0.1:2379",
                                        "endpoint",
                                        "health"),
                                null)
                        .code()
                != 0) {
            assertThat(System.nanoTime())
                    .as("etcd in " + ns + " healthy within 60 s")
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (etcd != null) {
            etcd.destroy();
            if (!etcd.waitFor(20, TimeUnit.SECONDS)) {
                etcd.destroyForcibly();
            }
        }
        sh(List.of("ip", "netns", "del", ns), null);
        if (tmp != null) {
            sh(List.of("rm", "-rf", tmp.toString()), null);
        }
        assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim())
                .as("this machine's own ip_forward is untouched")
                .isEqualTo(hostIpForward);
    }

    private static Result sh(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (env != null) {
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, out);
        }
        return new Result(p.exitValue(), out);
    }

    private Result checksystem(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                "ip",
                "netns",
                "exec",
                ns,
                Path.of("..", "bin", "javactl").toAbsolutePath().normalize().toString(),
                "--etcd-endpoints",
                "http://127.0.0.1:2379",
                "checksystem"));
        cmd.addAll(List.of(args));
        Map<String, String> e = new java.util.HashMap<>(Map.of("JAVACTL_NO_CDS", "1"));
        if (env != null) {
            e.putAll(env);
        }
        Result r = sh(cmd, e);
        System.out.println("checksystem " + String.join(" ", args) + " -> " + r.code() + "\n" + r.out());
        return r;
    }

    private String nsSysctl(String key) throws Exception {
        return sh(List.of("ip", "netns", "exec", ns, "cat", "/proc/sys/" + key), null)
                .out()
                .trim();
    }

    @Test
    @Order(1)
    void fixSetsTheNamespacesSysctlsThenEveryCheckPasses() throws Exception {
        assertThat(nsSysctl("net/ipv4/ip_forward"))
                .as("a new namespace does not forward")
                .isEqualTo("0");
        Result fixed = checksystem(null, "--fix");
        assertThat(fixed.out())
                .contains("FIX   sysctl net.ipv4.ip_forward")
                .contains("applied: sysctl -w net.ipv4.ip_forward=1");
        assertThat(fixed.code()).isZero();
        assertThat(nsSysctl("net/ipv4/ip_forward")).isEqualTo("1");
        Result again = checksystem(null);
        assertThat(again.code()).isZero();
        assertThat(again.out())
                .contains("PASS  sysctl net.ipv4.ip_forward")
                .contains("PASS  etcd")
                .contains("PASS  binary ipset")
                .contains("PASS  TCP 179 (BGP)")
                .doesNotContain("FAIL  ")
                .containsPattern("\\d+ PASS, \\d+ WARN, 0 FAIL");
    }

    @Test
    @Order(2)
    void aWrongSysctlIsAFailWithItsFix() throws Exception {
        assertThat(sh(List.of("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0"), null)
                        .code())
                .isZero();
        Result r = checksystem(null);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out())
                .containsPattern("FAIL  sysctl net.ipv4.ip_forward +0 \\(expected: 1\\).* -> sysctl -w "
                        + "net.ipv4.ip_forward=1")
                .contains(", 1 FAIL");
        assertThat(nsSysctl("net/ipv4/ip_forward"))
                .as("without --fix nothing changes")
                .isEqualTo("0");
        assertThat(checksystem(null, "--fix").code()).isZero();
    }

    @Test
    @Order(3)
    void anIpsetHiddenFromPathIsAFail() throws Exception {
        Path bin = tmp.resolve("bin");
        Files.createDirectories(bin);
        for (String dir : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            if (!Files.isDirectory(Path.of(dir))) {
                continue;
            }
            try (var files = Files.list(Path.of(dir))) {
                for (Path f : files.toList()) {
                    Path link = bin.resolve(f.getFileName().toString());
                    if (!f.getFileName().toString().equals("ipset")
                            && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, f);
                    }
                }
            }
        }
        Result r = checksystem(Map.of("PATH", bin.toString()));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out())
                .containsPattern(
                        "FAIL  binary ipset +not found on PATH: calico-java needs ipset -> " + "apt-get install ipset")
                .contains("PASS  binary iptables ")
                .contains(", 1 FAIL");
    }
}
