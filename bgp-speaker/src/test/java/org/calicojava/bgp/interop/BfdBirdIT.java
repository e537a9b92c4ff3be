package org.calicojava.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.calicojava.bgp.session.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Our BFD against BIRD 2's {@code protocol bfd}, single hop over a veth between two namespaces the test creates
 * ({@code cjbf-XXXXXX-a}: {@code bin/bgp-speaker}, {@code cjbf-XXXXXX-b}: BIRD; 10.201.0.1/24 and .2, fd00:bf::1/64 and
 * ::2): IPv4 and IPv6 sessions Up within 2 s; BIRD stopped (SIGSTOP) → our sessions Down by detection time, the BGP
 * session closed with Cease / BFD Down and BIRD's route gone from our RIB; ours stopped → BIRD's sessions Down.
 */
class BfdBirdIT {
    static final Path BIN = Path.of("..", "bin", "bgp-speaker").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();
    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String nsA = "cjbf-" + id + "-a", nsB = "cjbf-" + id + "-b";
    Path dir;
    Process speaker;
    Daemon bird;

    @BeforeEach
    void namespaces() throws IOException {
        dir = Files.createTempDirectory("cj-bfd");
        sh("ip", "netns", "add", nsA);
        sh("ip", "netns", "add", nsB);
        sh("ip", "-n", nsA, "link", "add", "bfa0", "type", "veth", "peer", "name", "bfb0", "netns", nsB);
        sh("ip", "-n", nsA, "addr", "add", "10.201.0.1/24", "dev", "bfa0");
        sh("ip", "-n", nsB, "addr", "add", "10.201.0.2/24", "dev", "bfb0");
        sh("ip", "-n", nsA, "-6", "addr", "add", "fd00:bf::1/64", "dev", "bfa0", "nodad");
        sh("ip", "-n", nsB, "-6", "addr", "add", "fd00:bf::2/64", "dev", "bfb0", "nodad");
        for (String[] l : new String[][] {{nsA, "bfa0"}, {nsB, "bfb0"}, {nsA, "lo"}, {nsB, "lo"}}) {
            sh("ip", "-n", l[0], "link", "set", l[1], "up");
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (speaker != null && speaker.isAlive()) {
            sh("kill", "-CONT", Long.toString(speaker.pid()));
            speaker.destroy();
            if (!speaker.waitFor(10, TimeUnit.SECONDS)) {
                speaker.destroyForcibly();
            }
        }
        if (bird != null) {
            bird.close();
        }
        sh("ip", "netns", "del", nsA);
        sh("ip", "netns", "del", nsB);
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    /** BIRD in namespace nsB, in the foreground, stopped by its PID ({@code ip netns exec} execs it). */
    static final class NsBird extends Daemon {
        NsBird(String ns, String config) throws IOException {
            super("cj-bfd-bird");
            Files.writeString(
                    dir.resolve("bird.conf"),
                    config.replace("@LOG@", dir.resolve("bird.log").toString()));
            start(cmd(
                    "ip",
                    "netns",
                    "exec",
                    ns,
                    binary("/usr/sbin/bird"),
                    "-c",
                    dir.resolve("bird.conf").toString(),
                    "-s",
                    dir.resolve("bird.ctl").toString(),
                    "-P",
                    dir.resolve("bird.pid").toString(),
                    "-f"));
        }

        String birdc(String... command) {
            var c = cmd(binary("/usr/sbin/birdc"), "-s", dir.resolve("bird.ctl").toString());
            c.addAll(List.of(command));
            return run(c);
        }
    }

    static final String BIRD_CONF = """
            router id 10.201.0.2;
            log "@LOG@" all;
            protocol device { scan time 1; }
            protocol static { ipv4; route 10.77.0.0/24 blackhole; }
            protocol bfd {
              interface "bfb0" { min rx interval 100 ms; min tx interval 100 ms; idle tx interval 1000 ms; multiplier 3; };
              neighbor fd00:bf::1 local fd00:bf::2;
            }
            protocol bgp p1 {
              local 10.201.0.2 as 65002;
              neighbor 10.201.0.1 as 65001;
              bfd on; hold time 90; connect retry time 1; error wait time 1, 5;
              ipv4 { import all; export all; };
            }
            """;

    @Test
    void upWithBirdAndDownBothWays() throws Exception {
        Path sock = dir.resolve("speaker.ctl");
        Path cfg = dir.resolve("speaker.yaml");
        Files.writeString(cfg, """
                routerId: 10.201.0.1
                asNumber: 65001
                listen: {address: 10.201.0.1, port: 179}
                holdTime: 90
                connectRetryTime: 1
                idleHoldTime: 1
                neighbors:
                  - {address: 10.201.0.2, asNumber: 65002, import: [all], export: [all], bfd: {minRx: 100ms, minTx: 100ms, multiplier: 3}}
                  - {address: "fd00:bf::2", asNumber: 65002, passive: true, import: [all], export: [all], bfd: true}
                policies: {all: [{action: accept}]}
                kernel: {enabled: false}
                controlSocket: %s
                """.formatted(sock));
        bird = new NsBird(nsB, BIRD_CONF);
        long t0 = System.nanoTime();
        speaker = new ProcessBuilder("ip", "netns", "exec", nsA, BIN.toString(), "--config", cfg.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("speaker.log").toFile())
                .start();
        NsBird b = (NsBird) bird;
        Await.until(
                "our BFD sessions Up",
                Duration.ofSeconds(60),
                () -> Files.exists(sock)
                        && bfdState(sock, "10.201.0.2").equals("Up")
                        && bfdState(sock, "fd00:bf::2").equals("Up"),
                () -> log() + b.birdc("show", "bfd", "sessions"));
        // the JVM's start-up is in t0; the BFD part is what the log says between session added and Up
        System.out.printf(
                "BfdBirdIT: both sessions Up %d ms after the speaker was started%n",
                (System.nanoTime() - t0) / 1_000_000);
        assertThat(upWithin(log(), "10.201.0.2"))
                .as("IPv4 session Up within 3 s of being added (1 s packets until Up, RFC 5880 6.8.3)")
                .isLessThan(3000);
        assertThat(upWithin(log(), "fd00:bf::2"))
                .as("IPv6 session Up within 3 s of being added")
                .isLessThan(3000);
        String birdSessions = b.birdc("show", "bfd", "sessions");
        assertThat(birdSessions).contains("10.201.0.1").contains("fd00:bf::1");
        assertThat(birdSessions.lines().filter(l -> l.contains("Up")).count())
                .as(birdSessions)
                .isEqualTo(2);
        Await.until(
                "BGP Established and BIRD's route here",
                Duration.ofSeconds(30),
                () -> control(sock, "show route").contains("10.77.0.0/24"),
                () -> control(sock, "show protocols") + log());

        // BIRD stopped: our sessions Down within 3 x 100 ms (plus the machine's load), BGP closed with Cease / BFD Down
        sh("kill", "-STOP", Long.toString(b.pid()));
        long stopped = System.nanoTime();
        while (bfdState(sock, "10.201.0.2").equals("Up") && System.nanoTime() - stopped < 10_000_000_000L) {
            Thread.sleep(20);
        }
        long downMs = (System.nanoTime() - stopped) / 1_000_000;
        System.out.printf("BfdBirdIT: BIRD stopped -> our session Down after %d ms (detection time 300 ms)%n", downMs);
        JsonNode s4 = session(sock, "10.201.0.2");
        assertThat(s4.get("state").asText()).isEqualTo("Down");
        assertThat(s4.get("diag").asText()).isEqualTo("Control Detection Time Expired");
        assertThat(downMs)
                .as("Down by detection time (300 ms), allowing for a loaded machine; a hold timer would take 90 s")
                .isLessThan(3000);
        Await.until(
                "BGP closed by BFD, BIRD's route gone",
                Duration.ofSeconds(5),
                () -> !control(sock, "show route").contains("10.77.0.0/24"),
                () -> control(sock, "show route"));
        assertThat(log()).contains("NOTIFICATION sent: BFD session down (Control Detection Time Expired)");
        Await.until(
                "IPv6 session Down",
                Duration.ofSeconds(5),
                () -> bfdState(sock, "fd00:bf::2").equals("Down"));

        // BIRD back: Up again
        sh("kill", "-CONT", Long.toString(b.pid()));
        Await.until(
                "Up again",
                Duration.ofSeconds(20),
                () -> bfdState(sock, "10.201.0.2").equals("Up"),
                this::log);

        // ours stopped: BIRD's sessions Down by its detection time, its BGP session down by BFD
        Await.until(
                "BIRD's timers at 100 ms",
                Duration.ofSeconds(10),
                () -> b.birdc("show", "bfd", "sessions")
                                .lines()
                                .filter(l -> l.contains("10.201.0.1") || l.contains("fd00:bf::1"))
                                .filter(l -> l.contains("0.100") && l.contains("0.300"))
                                .count()
                        == 2,
                () -> b.birdc("show", "bfd", "sessions"));
        sh("kill", "-STOP", Long.toString(speaker.pid()));
        long ours = System.nanoTime();
        Await.until(
                "BIRD's sessions Down",
                Duration.ofSeconds(10),
                () -> b.birdc("show", "bfd", "sessions")
                        .lines()
                        .filter(l -> l.contains("10.201.0.1") || l.contains("fd00:bf::1"))
                        .noneMatch(l -> l.contains("Up")),
                () -> b.birdc("show", "bfd", "sessions"));
        long birdDownMs = (System.nanoTime() - ours) / 1_000_000;
        System.out.printf("BfdBirdIT: ours stopped -> BIRD's sessions Down after %d ms (polling birdc)%n", birdDownMs);
        assertThat(birdDownMs)
                .as("BIRD's detection time 300 ms, allowing for a loaded machine and birdc")
                .isLessThan(4000);
        Await.until(
                "BIRD's BGP down by BFD",
                Duration.ofSeconds(5),
                () -> b.birdc("show", "protocols", "all", "p1").contains("BFD session down"),
                () -> b.birdc("show", "protocols", "all", "p1"));
        sh("kill", "-CONT", Long.toString(speaker.pid()));
        Await.until(
                "Up again after ours resumed",
                Duration.ofSeconds(20),
                () -> bfdState(sock, "10.201.0.2").equals("Up"),
                this::log);
        assertThat(log()).doesNotContain("Exception");
    }

    /** Milliseconds from "session added" to "Init -> Up" (or "Down -> Up") in the speaker's log for {@code peer}. */
    static long upWithin(String log, String peer) {
        java.time.Instant added = null, up = null;
        for (String l : log.lines().toList()) {
            if (!l.contains("bfd " + peer + ":")) {
                continue;
            }
            if (added == null && l.contains("session added")) {
                added = java.time.Instant.parse(l.substring(0, l.indexOf(' ')));
            } else if (up == null && l.contains("-> Up")) {
                up = java.time.Instant.parse(l.substring(0, l.indexOf(' ')));
            }
        }
        if (added == null || up == null) {
            throw new AssertionError("no 'session added' / '-> Up' lines for " + peer + " in:\n" + log);
        }
        return Duration.between(added, up).toMillis();
    }

    String log() {
        try {
            return Files.readString(dir.resolve("speaker.log"));
        } catch (IOException e) {
            return "";
        }
    }

    static JsonNode session(Path sock, String peer) {
        try {
            for (JsonNode n : JSON.readTree(control(sock, "show bfd sessions json"))) {
                if (n.get("address").asText().equals(peer)) {
                    return n;
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    static String bfdState(Path sock, String peer) {
        JsonNode n = session(sock, peer);
        return n == null ? "none" : n.get("state").asText();
    }

    /** One command on the speaker's control socket; the answer until EOF ("" when it is not there yet). */
    static String control(Path sock, String command) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            var out = new java.io.ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) > 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static String sh(String... cmd) {
        return Daemon.run(List.of(cmd));
    }
}
