package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * javactl diags on a host of a two-host fabric whose mesh and a global peer have TCP-MD5 passwords in etcd: the
 * archive holds every listed piece, collected from the live node (its speaker answers over its control socket), and
 * neither password appears anywhere in it although the rendered speaker config on the host holds them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DiagsIT {
    private static final String MESH_PASSWORD = "MeshPw-" + Long.toHexString(System.nanoTime());
    private static final String PEER_PASSWORD = "PeerPw-" + Long.toHexString(System.nanoTime() * 31);
    private Fabric f;
    private Path tmp;

    @BeforeAll
    void up() throws Exception {
        tmp = Files.createTempDirectory("cj-diags");
        f = new Fabric(2, "--backend", "java");
        f.javactlOk("pool", "add", "10.65.0.0/16");
        f.javactlOk("profile", "add", "demo");
        f.addWorkload(1, "w1", "demo");
        Path mesh = secret("mesh", MESH_PASSWORD);
        Path peer = secret("peer", PEER_PASSWORD);
        f.javactlOk("bgp", "node-mesh", "on", "--password-file", mesh.toString());
        f.javactlOk("bgp", "peer", "add", "192.0.2.250", "as", "65250", "--password-file", peer.toString());
        Path rendered = f.runDir(1).resolve("bgp-speaker.yaml");
        Fabric.eventually(Duration.ofSeconds(90), "h1's speaker config holds both passwords", () -> {
            try {
                String y = Files.readString(rendered);
                return y.contains(MESH_PASSWORD) && y.contains(PEER_PASSWORD);
            } catch (java.io.IOException e) {
                return false;
            }
        });
        f.awaitSessions(1, Duration.ofMinutes(3));
    }

    private Path secret(String name, String value) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, value + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    @AfterAll
    void down() {
        if (f != null) {
            f.close();
        }
        Fabric.sh("rm", "-rf", tmp.toString());
    }

    @Test
    void archiveHasEveryPieceAndNoPassword() throws Exception {
        Path out = tmp.resolve("h1-diags.tar.gz");
        Fabric.Result r = f.onHost(
                1,
                Fabric.HOME.resolve("bin/javactl").toString(),
                "--etcd-endpoints",
                Fabric.ETCD,
                "diags",
                "--name",
                "h1",
                "--run-dir",
                f.runDir(1).toString(),
                "--output",
                out.toString());
        assertThat(r.ok()).as(r.out()).isTrue();
        assertThat(r.out().trim()).isEqualTo("Diagnostics saved to " + out);
        assertThat(Files.getPosixFilePermissions(out)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        String list = Fabric.sh("tar", "-tzf", out.toString()).out();
        List<String> pieces = List.of(
                "manifest.txt",
                "versions.txt",
                "node-status.txt",
                "checksystem.txt",
                "etcd/node.txt",
                "etcd/global.txt",
                "network/routes-ipv4.txt",
                "network/routes-ipv6.txt",
                "network/links.txt",
                "network/addresses.txt",
                "dataplane/iptables-save.txt",
                "dataplane/ip6tables-save.txt",
                "dataplane/ipset-list.txt",
                "dataplane/nft-ruleset.txt",
                "bgp/show-protocols-all.txt",
                "bgp/show-route.txt",
                "run/status.json",
                "run/node.pid",
                "run/felix-agent.log",
                "run/confd-renderer.log",
                "run/bgp-speaker.log",
                "run/felix-agent.pid",
                "run/bgp-speaker.pid",
                "run/bgp-speaker.yaml",
                "run/confd/java.toml");
        for (String p : pieces) {
            assertThat(list)
                    .as("archive lists " + p)
                    .containsPattern("(?m)^calico-java-diags-h1-\\d{8}-\\d{6}/" + p + "$");
        }
        String all = Fabric.sh("tar", "-xzOf", out.toString()).out();
        String manifest = Fabric.sh("bash", "-c", "tar -xzOf " + out + " --wildcards '*/manifest.txt'")
                .out();
        for (String p : List.of(
                "bgp/show-protocols-all.txt",
                "bgp/show-route.txt",
                "dataplane/iptables-save.txt",
                "network/routes-ipv4.txt",
                "etcd/node.txt",
                "node-status.txt")) {
            assertThat(manifest).as(manifest).containsPattern("(?m)^" + p + " +collected$");
        }
        // collected from the live node: the mesh session, the workload's route, felix's chains, the node's keys
        assertThat(all)
                .contains("192.0.2.12")
                .contains("cali-FORWARD")
                .contains("/bgp/v1/host/h1/ip_addr_v4 = 192.0.2.11")
                .contains("calico-java is running.")
                .contains("Established")
                .contains("\"password\":\"********\"");
        assertThat(all).doesNotContain(MESH_PASSWORD).doesNotContain(PEER_PASSWORD);
        assertThat(Fabric.sh("bash", "-c", "zcat " + out + " | grep -ac -e " + MESH_PASSWORD + " -e " + PEER_PASSWORD)
                        .out()
                        .trim())
                .isEqualTo("0");
    }
}
