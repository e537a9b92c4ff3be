package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 22 on a fabric with a BIRD ToR (192.0.2.254, AS 65000) and etcd at 192.0.2.1: h1 and h2 run the built-in
 * speaker, h3 BIRD, so both rendered configs are exercised by the same hostile ToR. (1) The ToR announces /32s for the
 * etcd address and for every host's own address, the default route, a martian and one ordinary prefix: each host
 * takes the ordinary prefix and the other hosts' /32s, and refuses the rest; its kernel route to etcd stays the
 * connected one. (2) TCP-MD5: a mesh password and a ToR password; sessions come up, a wrong password on the ToR
 * keeps that session down, the rendered files are 0600.
 */
class PeerSafetyIT extends FabricCase {
    private static final Duration SESSIONS = Duration.ofMinutes(3);

    private Path state() {
        return Path.of("/tmp/calico-java-fabric", f.id);
    }

    /** Rewrites the ToR's BIRD config with {@code edit} and makes BIRD load it. */
    private void torConfig(java.util.function.UnaryOperator<String> edit) throws Exception {
        Path conf = state().resolve("tor-bird.conf");
        Files.writeString(conf, edit.apply(Files.readString(conf)));
        Fabric.Result r =
                Fabric.sh("birdc", "-s", state().resolve("tor-bird.ctl").toString(), "configure");
        assertThat(r.out()).as("birdc configure").containsPattern("Reconfigured|Reconfiguration in progress");
    }

    private boolean established(int host, String peer) {
        return f.nodeStatus(host)
                .lines()
                .anyMatch(l -> l.contains("| " + peer + " ") && l.matches("\\|.*\\| (up|Established) .*"));
    }

    @Test
    void aTorCannotHijackEtcdOrTheHostsOwnAddresses() throws Exception {
        f = new Fabric(3, "--tor", "--backend", "java", "--backend-of", "3", "bird");
        f.awaitSessions(1, SESSIONS);
        String etcdRouteBefore = f.onHost(1, "ip", "route", "get", "192.0.2.1").out();
        assertThat(etcdRouteBefore).contains("192.0.2.1 dev eth0");
        torConfig(c -> c.replace(
                        "protocol kernel { ipv4 { export all; }; }",
                        "protocol kernel { ipv4 { export where source = RTS_BGP; }; }")
                + "protocol static hijack { ipv4;\n"
                + "  route 192.0.2.1/32 blackhole; route 192.0.2.11/32 blackhole; route 192.0.2.12/32 blackhole;\n"
                + "  route 192.0.2.13/32 blackhole; route 0.0.0.0/0 blackhole; route 169.254.0.0/16 blackhole;\n"
                + "  route 192.0.2.0/25 blackhole; route 10.99.0.0/24 blackhole; }\n");
        for (int h = 1; h <= 3; h++) {
            int host = h;
            // the ordinary prefix arrives: the ToR's announcements reached this host
            Fabric.eventually(
                    Duration.ofSeconds(60),
                    "h" + host + " learns 10.99.0.0/24 from the ToR",
                    () -> f.routes(host).contains("10.99.0.0/24 via 192.0.2.254"));
        }
        for (int h = 1; h <= 3; h++) {
            String routes = f.routes(h);
            String own = "192.0.2." + (10 + h);
            assertThat(routes)
                    .as("h" + h)
                    .doesNotContainPattern("(?m)^" + Pattern.quote("192.0.2.1 ") + ".*via")
                    .doesNotContainPattern("(?m)^" + Pattern.quote(own + " ") + ".*via")
                    .doesNotContainPattern("(?m)^192\\.0\\.2\\.0/25 ")
                    .doesNotContainPattern("(?m)^default via 192\\.0\\.2\\.254")
                    .doesNotContain("169.254.0.0/16");
            for (int other = 1; other <= 3; other++) {
                if (other != h) { // the same /32 for another host is an ordinary route: accepted
                    assertThat(routes)
                            .as("h" + h)
                            .containsPattern("(?m)^192\\.0\\.2\\." + (10 + other) + " via 192\\.0\\.2\\.254");
                }
            }
            assertThat(f.onHost(h, "ip", "route", "get", "192.0.2.1").out())
                    .as("h" + h + " to etcd")
                    .contains("192.0.2.1 dev eth0")
                    .doesNotContain("via");
        }
        assertThat(f.onHost(1, "ip", "route", "get", "192.0.2.1").out()).isEqualTo(etcdRouteBefore);
        // h1's speaker has the refused routes only as filtered (soft reconfiguration), not installed
        assertThat(f.onHost(1, "ip", "route", "show", "proto", "bgp").out())
                .doesNotContain("192.0.2.1 ")
                .contains("10.99.0.0/24");
    }

    @Test
    void md5PasswordsOnTheMeshAndTheTor() throws Exception {
        f = new Fabric(3, "--tor", "--backend", "java", "--backend-of", "3", "bird");
        f.awaitSessions(1, SESSIONS);
        Path meshPw = state().resolve("mesh.pw");
        Path torPw = state().resolve("tor.pw");
        Files.writeString(meshPw, "mesh secret!\n");
        Files.writeString(torPw, "t0r pw#1\n");
        Files.setPosixFilePermissions(meshPw, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(torPw, PosixFilePermissions.fromString("rw-------"));
        torConfig(c -> c.replaceAll("(neighbor 192\\.0\\.2\\.1\\d as 6500\\d;)", "$1 password \"t0r pw#1\";"));
        f.javactlOk("bgp", "peer", "remove", "192.0.2.254");
        f.javactlOk("bgp", "peer", "add", "192.0.2.254", "as", "65000", "--password-file", torPw.toString());
        f.javactlOk("bgp", "node-mesh", "on", "--password-file", meshPw.toString());
        assertThat(f.javactlOk("bgp", "peer", "show")).contains("| set ").doesNotContain("t0r");
        f.awaitSessions(3, SESSIONS); // two mesh sessions and the ToR, each with TCP-MD5

        for (int h = 1; h <= 3; h++) {
            Path file = f.runDir(h).resolve(h == 3 ? "bird.conf" : "bgp-speaker.yaml");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .as(file.toString())
                    .isEqualTo("rw-------");
            assertThat(Files.readString(file))
                    .as(file.toString())
                    .contains(h == 3 ? "password \"t0r pw#1\";" : "password: \"t0r pw#1\"")
                    .contains(h == 3 ? "password \"mesh secret!\";" : "password: \"mesh secret!\"");
        }

        // a wrong password on the ToR's side of h1's session: that session stays down, the mesh stays up
        torConfig(c -> c.replace(
                "neighbor 192.0.2.11 as 65001; password \"t0r pw#1\";",
                "neighbor 192.0.2.11 as 65001; password \"wrong\";"));
        Fabric.eventually(Duration.ofSeconds(60), "h1's ToR session goes down", () -> !established(1, "192.0.2.254"));
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            assertThat(established(1, "192.0.2.254"))
                    .as("h1-ToR with a wrong password")
                    .isFalse();
            Thread.sleep(1000);
        }
        assertThat(established(1, "192.0.2.12")).isTrue();
        assertThat(established(2, "192.0.2.254")).isTrue();
        // the right password again: it comes back
        torConfig(c -> c.replace("password \"wrong\";", "password \"t0r pw#1\";"));
        Fabric.eventually(Duration.ofSeconds(120), "h1's ToR session is back", () -> established(1, "192.0.2.254"));

        // scripts/fabric signals only what a PID file names if it is that program in that namespace
        Fabric.sh(
                java.util.List.of(Fabric.HOME.resolve("scripts/fabric").toString(), "stop-node", "--id", f.id, "3"),
                Duration.ofMinutes(1));
        Process sleep = new ProcessBuilder("sleep", "300").start();
        try {
            Files.writeString(state().resolve("node-h3.pid"), sleep.pid() + "\n");
            Fabric.Result r = Fabric.sh(
                    java.util.List.of(Fabric.HOME.resolve("scripts/fabric").toString(), "stop-node", "--id", f.id, "3"),
                    Duration.ofMinutes(1));
            assertThat(r.out())
                    .contains(
                            "pid " + sleep.pid() + " is not ' node run --name h3 ' in " + f.id + "-h3; not signalled");
            Thread.sleep(500);
            assertThat(sleep.isAlive()).as("the unrelated process survives").isTrue();
        } finally {
            sleep.destroyForcibly();
        }
    }
}
