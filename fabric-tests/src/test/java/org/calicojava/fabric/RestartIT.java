package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Killing a node's processes (SIGKILL, as a crash) and starting them again keeps a cross-host TCP stream alive:
 * the kernel keeps the routes and rules (no flush on start), the peer keeps the node's routes through BGP graceful
 * restart, and the restarted node takes over without a gap.
 */
class RestartIT {
    private Fabric f;
    private Process server;
    private Process client;

    @AfterEach
    void down() {
        for (Process p : new Process[] {client, server}) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aTcpStreamSurvivesKillingAndRestartingANode() throws Exception {
        f = new Fabric(2, "--backend", MeshIT.BACKEND);
        f.javactlOk("pool", "add", "10.66.0.0/16");
        f.javactlOk("profile", "add", "demo");
        f.addWorkload(1, "client", "demo");
        String serverIp = f.addWorkload(2, "server", "demo");
        f.awaitSessions(1, Duration.ofMinutes(3));
        Fabric.eventually(Duration.ofSeconds(60), "client reaches server", () -> f.ping(1, "client", serverIp));

        Path received = Files.createTempFile("cj-stream", ".txt");
        server = new ProcessBuilder("ip", "netns", "exec", f.ns("h2-server"), "nc", "-l", "5000")
                .redirectOutput(received.toFile())
                .redirectErrorStream(false)
                .start();
        f.awaitListening("h2-server", 5000);
        int lines = 400; // 40 s at 10 lines/s
        client = new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        f.ns("h1-client"),
                        "bash",
                        "-c",
                        "for i in $(seq 1 " + lines + "); do echo $i; sleep 0.1; done | nc -N " + serverIp + " 5000")
                .redirectErrorStream(true)
                .start();
        Fabric.eventually(Duration.ofSeconds(20), "stream flowing", () -> count(received) > 20);

        assertThat(Fabric.sh(Fabric.HOME.resolve("scripts/fabric").toString(), "kill-node", "--id", f.id, "1")
                        .ok())
                .isTrue();
        int atKill = count(received);
        Thread.sleep(3000);
        assertThat(count(received)).as("data flows while node h1 is down").isGreaterThan(atKill);
        assertThat(Fabric.sh(Fabric.HOME.resolve("scripts/fabric").toString(), "start-node", "--id", f.id, "1")
                        .ok())
                .isTrue();
        f.awaitSessions(1, Duration.ofMinutes(3));

        assertThat(client.waitFor(90, TimeUnit.SECONDS)).as("client finished").isTrue();
        assertThat(client.exitValue())
                .as(new String(client.getInputStream().readAllBytes()))
                .isZero();
        Fabric.eventually(Duration.ofSeconds(10), "all lines arrived", () -> count(received) == lines);
        List<String> got = Files.readAllLines(received);
        for (int i = 0; i < lines; i++) {
            assertThat(got.get(i)).isEqualTo(Integer.toString(i + 1));
        }
        assertThat(f.ping(1, "client", serverIp)).isTrue();
        Files.deleteIfExists(received);
    }

    private static int count(Path p) {
        try {
            return (int) Files.lines(p).count();
        } catch (IOException e) {
            return 0;
        }
    }
}
