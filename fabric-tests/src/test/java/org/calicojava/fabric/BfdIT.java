package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 15: three hosts with the built-in speaker and BFD on ({@code javactl bgp bfd on}, 100 ms x 3): h3's uplink set
 * down → h1 and h2 drop h3's routes in under a second (measured from the link-down to the last route gone, polled
 * every 20 ms) while a TCP stream between workloads on h1 and h2 loses nothing; uplink back → routes back. {@link BfdMixedIT} does the same with BIRD on h3.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BfdIT {
    /** The bound, in ms; a loaded machine may raise it with -Dfabric.bfd.maxMs (the measured figure is printed). */
    static final long MAX_MS = Long.getLong("fabric.bfd.maxMs", 1000);

    Fabric f;

    String[] upArgs() {
        return new String[] {"--backend", "java"};
    }

    @BeforeAll
    void up() {
        f = new Fabric(3, upArgs());
        f.javactlOk("bgp", "bfd", "on", "--interval-ms", "100", "--multiplier", "3");
        f.javactlOk("pool", "add", "10.66.0.0/16");
        f.javactlOk("profile", "add", "demo");
        for (int h = 1; h <= 3; h++) {
            f.addWorkload(h, "w1", "demo");
        }
        f.addWorkload(1, "client", "demo");
        serverIp = f.addWorkload(2, "server", "demo");
        f.awaitSessions(2, Duration.ofMinutes(3));
    }

    String serverIp;

    @AfterAll
    void down() {
        if (f != null) {
            f.close();
        }
    }

    boolean hasRouteVia(int host, String nextHop) {
        return f.routes(host).lines().anyMatch(l -> l.contains("via " + nextHop + " "));
    }

    @Test
    void uplinkDownDropsRoutesWithinASecondAndTheyComeBack() throws Exception {
        String h3 = "192.0.2.13";
        for (int h = 1; h <= 2; h++) {
            int host = h;
            Fabric.eventually(
                    Duration.ofSeconds(60),
                    "h" + h + " has h3's block route and BFD Up with h3",
                    () -> hasRouteVia(host, h3)
                            && bfdColumn(f.nodeStatus(host), h3).equals("Up"));
        }
        assertThat(f.nodeStatus(1)).contains("| BFD ");
        // a TCP stream from a workload on h1 to one on h2 across h3's failure: 300 lines at 10 per second
        Fabric.eventually(Duration.ofSeconds(60), "client reaches server", () -> f.ping(1, "client", serverIp));
        java.nio.file.Path received = java.nio.file.Files.createTempFile("cj-bfd-stream", ".txt");
        Process server = new ProcessBuilder("ip", "netns", "exec", f.ns("h2-server"), "nc", "-l", "5000")
                .redirectOutput(received.toFile())
                .start();
        f.awaitListening("h2-server", 5000);
        int lines = 300;
        Process client = new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        f.ns("h1-client"),
                        "bash",
                        "-c",
                        "for i in $(seq 1 " + lines + "); do echo $i; sleep 0.1; done | nc -N " + serverIp + " 5000")
                .redirectErrorStream(true)
                .start();
        Fabric.eventually(Duration.ofSeconds(20), "stream flowing", () -> count(received) > 10);

        long t0 = System.nanoTime();
        assertThat(f.onHost(3, "ip", "link", "set", "eth0", "down").ok()).isTrue();
        boolean gone1 = false, gone2 = false;
        long ms1 = -1, ms2 = -1;
        while ((!gone1 || !gone2) && System.nanoTime() - t0 < 200_000_000_000L) {
            if (!gone1 && !hasRouteVia(1, h3)) {
                gone1 = true;
                ms1 = (System.nanoTime() - t0) / 1_000_000;
            }
            if (!gone2 && !hasRouteVia(2, h3)) {
                gone2 = true;
                ms2 = (System.nanoTime() - t0) / 1_000_000;
            }
            Thread.sleep(20);
        }
        System.out.printf(
                "%s: h3's uplink down -> its routes gone on h1 after %d ms, on h2 after %d ms%n",
                getClass().getSimpleName(), ms1, ms2);
        assertThat(gone1 && gone2).as("h3's routes gone on h1 and h2").isTrue();
        assertThat(Math.max(ms1, ms2))
                .as("ms from link down to the last route gone (BFD 3 x 100 ms)")
                .isLessThan(MAX_MS);
        assertThat(bfdColumn(f.nodeStatus(1), h3)).isEqualTo("Down");
        int atFailure = count(received);
        Thread.sleep(2000);
        assertThat(count(received))
                .as("the h1 -> h2 stream flows while h3 is gone")
                .isGreaterThan(atFailure);
        try {
            assertThat(client.waitFor(90, java.util.concurrent.TimeUnit.SECONDS))
                    .as("client finished")
                    .isTrue();
            assertThat(client.exitValue()).isZero();
            Fabric.eventually(Duration.ofSeconds(10), "all lines arrived", () -> count(received) == lines);
            List<String> got = java.nio.file.Files.readAllLines(received);
            for (int i = 0; i < lines; i++) {
                assertThat(got.get(i)).isEqualTo(Integer.toString(i + 1));
            }
        } finally {
            client.destroyForcibly();
            server.destroyForcibly();
            java.nio.file.Files.deleteIfExists(received);
        }

        assertThat(f.onHost(3, "ip", "link", "set", "eth0", "up").ok()).isTrue();
        f.onHost(3, "ip", "route", "replace", "default", "via", "192.0.2.1");
        for (int h = 1; h <= 2; h++) {
            int host = h;
            Fabric.eventually(
                    Duration.ofSeconds(90),
                    "h" + h + " has h3's routes again, BFD Up",
                    () -> hasRouteVia(host, h3)
                            && bfdColumn(f.nodeStatus(host), h3).equals("Up"));
        }
    }

    private static int count(java.nio.file.Path p) {
        try (var l = java.nio.file.Files.lines(p)) {
            return (int) l.count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** The BFD cell of {@code peer}'s row in {@code javactl node status}. */
    static String bfdColumn(String status, String peer) {
        String header = status.lines()
                .filter(l -> l.contains("| Peer address "))
                .findFirst()
                .orElse("");
        String[] cols = header.split("\\|");
        int at = -1;
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].trim().equals("BFD")) {
                at = i;
            }
        }
        for (String l : status.lines().toList()) {
            if (l.startsWith("| " + peer + " ")) {
                String[] cells = l.split("\\|");
                return at > 0 && at < cells.length ? cells[at].trim() : "";
            }
        }
        return "";
    }
}
