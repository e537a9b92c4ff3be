package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three hosts on a three-member etcd cluster over TLS with client certificates (scripts/fabric up --etcd-members 3
 * --etcd-tls): every program of the nodes (felix-agent, confd-renderer, the speaker) and javactl connect with https
 * endpoints and the fabric's client certificate; a client without one is refused by every member; the leader dies and
 * workloads added afterwards are reachable from every host, so the stores' failover works over TLS too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdClusterTlsIT {
    private Fabric f;
    private final Map<String, String> ips = new TreeMap<>(); // "hN-name" -> address

    @BeforeAll
    void up() {
        f = new Fabric(3, "--etcd-members", "3", "--etcd-tls");
        f.javactlOk("pool", "add", "10.74.0.0/16");
        f.javactlOk("profile", "add", "demo");
        for (int h = 1; h <= 3; h++) {
            ips.put("h" + h + "-a", f.addWorkload(h, "a", "demo"));
        }
        f.awaitSessions(2, Duration.ofMinutes(3));
    }

    @AfterAll
    void down() {
        if (f != null) {
            f.close();
        }
    }

    private List<String> members() {
        return Arrays.asList(f.etcd().split(","));
    }

    /** A command in the fabric's net namespace (where the hosts' bridge is). */
    private Fabric.Result inNet(String... cmd) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", f.ns("net")));
        c.addAll(List.of(cmd));
        return Fabric.sh(c, Duration.ofMinutes(1));
    }

    /** A range request for /calico to member {@code m} with the fabric's CA and client certificate. */
    private Fabric.Result curlWithCert(String m) {
        Path tls = f.tlsDir();
        return inNet(
                "curl",
                "-sS",
                "-m",
                "5",
                "--cacert",
                tls.resolve("ca.pem").toString(),
                "--cert",
                tls.resolve("client.pem").toString(),
                "--key",
                tls.resolve("client.key").toString(),
                m + "/v3/kv/range",
                "-d",
                "{\"key\":\"L2NhbGljbw==\"}");
    }

    private void everyWorkloadReachesEveryOther() {
        for (var from : ips.keySet()) {
            for (var to : ips.entrySet()) {
                if (!from.equals(to.getKey())) {
                    int host = Integer.parseInt(from.substring(1, from.indexOf('-')));
                    String name = from.substring(from.indexOf('-') + 1);
                    Fabric.eventually(
                            Duration.ofSeconds(90),
                            from + " reaches " + to.getKey() + " " + to.getValue(),
                            () -> f.ping(host, name, to.getValue()));
                }
            }
        }
    }

    @Test
    @Order(1)
    void theNodesTalkTlsWithClientCertificatesAndTheKeysAreTheirOwnersOnly() throws Exception {
        assertThat(members()).hasSize(3).allMatch(u -> u.matches("https://192\\.0\\.2\\.[234]:2379"));
        Path tls = f.tlsDir();
        assertThat(tls).isNotNull();
        try (Stream<Path> files = Files.list(tls)) {
            List<Path> keys =
                    files.filter(p -> p.toString().endsWith(".key")).sorted().toList();
            assertThat(keys.stream().map(p -> p.getFileName().toString()))
                    .containsExactly("ca.key", "client.key", "member1.key", "member2.key", "member3.key");
            for (Path k : keys) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(k)))
                        .as(k.toString())
                        .isEqualTo("rw-------");
            }
        }
        for (int h = 1; h <= 3; h++) {
            // the node's children got the TLS settings (felix says where it connects; a refused one would not sync)
            String felix = Files.readString(f.runDir(h).resolve("felix-agent.log"));
            assertThat(felix).contains("(etcd https://192.0.2.2:2379,").contains("initial sync");
        }
        everyWorkloadReachesEveryOther();
    }

    @Test
    @Order(2)
    void aClientWithoutACertificateIsRefusedByEveryMember() {
        Path tls = f.tlsDir();
        String ca = tls.resolve("ca.pem").toString();
        String body = "{\"key\":\"L2NhbGljbw==\"}"; // range /calico
        for (String m : members()) {
            Fabric.Result noCert = inNet("curl", "-sS", "-m", "5", "--cacert", ca, m + "/v3/kv/range", "-d", body);
            assertThat(noCert.ok())
                    .as("curl without a client cert to " + m + ": " + noCert.out())
                    .isFalse();
            assertThat(noCert.out()).doesNotContain("\"header\"");
            Fabric.Result etcdctl = inNet(
                    "env",
                    "ETCDCTL_API=3",
                    "etcdctl",
                    "--endpoints",
                    m,
                    "--cacert",
                    ca,
                    "--dial-timeout",
                    "2s",
                    "--command-timeout",
                    "3s",
                    "get",
                    "/calico",
                    "--prefix",
                    "--keys-only");
            assertThat(etcdctl.ok())
                    .as("etcdctl without a client cert to " + m + ": " + etcdctl.out())
                    .isFalse();
            assertThat(etcdctl.out()).doesNotContain("/calico/");
            Fabric.Result plain =
                    inNet("curl", "-sS", "-m", "5", m.replace("https://", "http://") + "/v3/kv/range", "-d", body);
            assertThat(plain.out()).as("plain http to " + m).doesNotContain("\"header\"");
            // the same request with the client certificate is served: the refusal was the certificate's
            Fabric.Result withCert = curlWithCert(m);
            assertThat(withCert.ok()).as(withCert.out()).isTrue();
            assertThat(withCert.out()).contains("\"header\"");
        }
        // javactl with the CA but no client certificate: refused, one line, exit status non-zero
        Fabric.Result javactl = inNet(
                Fabric.HOME.resolve("bin/javactl").toString(),
                "--etcd-endpoints",
                f.etcd(),
                "--etcd-ca-cert",
                ca,
                "pool",
                "show");
        assertThat(javactl.ok()).as(javactl.out()).isFalse();
        assertThat(javactl.out()).doesNotContain("10.74.0.0/16").doesNotContain("\tat ");
    }

    @Test
    @Order(3)
    void afterTheLeaderDiesWorkloadsAddedAreReachableAndJavactlWorks() {
        // the leader made e1, the first endpoint of every client, so that its death is both
        if (f.etcdLeader() != 1) {
            String e1 = f.script("etcdctl", "member", "list")
                    .out()
                    .lines()
                    .filter(l -> l.contains(", e1,"))
                    .map(l -> l.substring(0, l.indexOf(',')))
                    .findFirst()
                    .orElseThrow();
            Fabric.Result moved = f.script("etcdctl", "move-leader", e1);
            assertThat(moved.ok()).as(moved.out()).isTrue();
            Fabric.eventually(Duration.ofSeconds(10), "e1 leads", () -> f.etcdLeader() == 1);
        }
        int leader = f.etcdLeader();
        assertThat(leader).isEqualTo(1);
        assertThat(f.script("etcd-kill", Integer.toString(leader)).ok()).isTrue();
        for (int h = 1; h <= 3; h++) {
            ips.put("h" + h + "-b", f.addWorkload(h, "b", "demo"));
        }
        assertThat(f.etcdLeader()).isNotEqualTo(leader);
        everyWorkloadReachesEveryOther();
        assertThat(f.javactlOk("ipam", "show")).contains("10.74.0.");
        assertThat(f.javactlOk("pool", "show")).contains("10.74.0.0/16");
        for (int h = 1; h <= 3; h++) {
            int host = h;
            Fabric.eventually(
                    Duration.ofSeconds(60),
                    "h" + host + "'s node status lists its two peers up",
                    () -> f.nodeStatus(host)
                                    .lines()
                                    .filter(l -> l.matches("\\|.*\\| (up|Established) .*"))
                                    .count()
                            >= 2);
        }
        assertThat(f.script("etcd-start", Integer.toString(leader)).ok()).isTrue();
        // the restarted member serves the client certificate again (with its peer TLS it rejoined the cluster)
        String restarted = members().get(leader - 1);
        Fabric.eventually(
                Duration.ofSeconds(30),
                restarted + " serves again",
                () -> curlWithCert(restarted).out().contains("\"header\""));
        ips.put("h2-c", f.addWorkload(2, "c", "demo"));
        everyWorkloadReachesEveryOther();
    }
}
