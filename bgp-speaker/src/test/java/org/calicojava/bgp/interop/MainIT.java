package org.calicojava.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.calicojava.bgp.session.Await;
import org.junit.jupiter.api.Test;

/** The runnable {@code bin/bgp-speaker --config FILE}: refuses bad config in one line, peers with BIRD, ceases on SIGTERM. */
class MainIT {
    static final Path BIN = Path.of("..", "bin", "bgp-speaker").toAbsolutePath().normalize();
    final Topology t = Topology.random();

    @Test
    void invalidConfigIsRefusedWithOneLine() throws Exception {
        Path cfg = Files.createTempFile("cj-bgp", ".yaml");
        try {
            Files.writeString(
                    cfg,
                    "routerId: 127.0.0.10\nasNumber: 65010\nneighbors:\n  - {address: 127.0.0.11, asNumber: 65011, holdTime: 2}\n");
            Process p = new ProcessBuilder(BIN.toString(), "--config", cfg.toString())
                    .redirectErrorStream(true)
                    .start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            assertThat(p.exitValue()).isEqualTo(2);
            assertThat(out).isEqualTo("bgp-speaker: " + cfg + ": neighbors[0].holdTime: 2 (expected: 0 or 3..65535)");
        } finally {
            Files.deleteIfExists(cfg);
        }
    }

    @Test
    void runsAgainstBirdAndCeasesOnSigterm() throws Exception {
        String birdConf = """
                router id %s;
                log "@LOG@" all;
                protocol device {}
                protocol bgp p1 {
                  local %s port %d as 65011;
                  neighbor %s port %d as 65010;
                  multihop; hold time 9; connect retry time 1; error wait time 1, 5;
                  ipv4 { import all; export none; };
                }
                """.formatted(t.them(), t.them(), t.theirPort(), t.us(), t.ourPort());
        Path cfg = Files.createTempFile("cj-bgp", ".yaml");
        Process p = null;
        try (Bird bird = new Bird(birdConf)) {
            Files.writeString(cfg, """
                    routerId: %s
                    asNumber: 65010
                    listen: {address: %s, port: %d}
                    neighbors:
                      - {address: %s, asNumber: 65011, port: %d, import: [all], export: [all]}
                    originate: [10.50.0.0/24]
                    policies: {all: [{action: accept}]}
                    kernel: {enabled: false}
                    """.formatted(t.us(), t.us(), t.ourPort(), t.them(), t.theirPort()));
            File log = cfg.resolveSibling(cfg.getFileName() + ".log").toFile();
            p = new ProcessBuilder(BIN.toString(), "--config", cfg.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log)
                    .start();
            Await.until(
                    "the route in BIRD",
                    Duration.ofSeconds(60),
                    () -> bird.routes().contains("10.50.0.0/24"),
                    bird::routes);
            String lines = Files.readString(log.toPath());
            assertThat(lines).contains("OpenConfirm -> Established").doesNotContain("Exception");
            // SIGHUP: re-read the file; the session stays, the new prefix is announced
            Files.writeString(cfg, Files.readString(cfg).replace("[10.50.0.0/24]", "[10.50.0.0/24, 10.51.0.0/24]"));
            Daemon.run(java.util.List.of("kill", "-HUP", Long.toString(p.pid())));
            Await.until(
                    "the reloaded route in BIRD",
                    Duration.ofSeconds(30),
                    () -> bird.routes().contains("10.51.0.0/24"),
                    bird::routes);
            assertThat(Files.readString(log.toPath())).contains("reloaded").doesNotContain("Established -> Idle");
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            Await.until(
                    "the cease at BIRD",
                    Duration.ofSeconds(20),
                    () -> bird.protocol("p1").contains("Administrative shutdown"),
                    () -> bird.protocol("p1"));
            log.delete();
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
            Files.deleteIfExists(cfg);
        }
    }
}
