package org.calicojava.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bgp-speaker --check --config FILE} (picocli): ok (exit 0) or one line (exit 1) from either config loader; bad
 * usage exits 2; no socket is opened (a check of a config whose listen port is taken still says ok).
 */
class MainCheckTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    Path file(String yaml) throws Exception {
        Path f = Files.createTempFile(dir, "speaker", ".yaml");
        Files.writeString(f, yaml);
        return f;
    }

    static final String CONFD_SHAPE = """
            routerId: "10.0.0.1"
            asNumber: 64512
            listen: {address: "127.0.0.1", port: %d}
            holdTime: 90
            routeReflector: {clusterId: "224.0.0.1"}
            neighbors:
              - address: "10.0.0.2"
                asNumber: 64512
                passive: false
                gracefulRestart: {restartTime: 120}
                rrClient: true
                import: [calico_import]
                export: [calico_export]
            originate:
              - "10.1.0.64/26"
            policies:
              calico_import:
                - action: accept
              calico_export:
                - match: {prefixes: ["10.1.0.0/16 le 32"]}
                  action: accept
                - action: reject
            """;

    @Test
    void aGoodConfigPrintsOkAndOpensNoSocket() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path f = file(CONFD_SHAPE.formatted(taken.getLocalPort()));
            assertThat(Main.run("--check", "--config", f.toString())).isZero();
            assertThat(out()).isEqualTo("ok\n");
            assertThat(err()).isEmpty();
        }
    }

    @Test
    void aSessionKeyErrorIsOneLineAndExit1() throws Exception {
        Path f = file(
                "routerId: 10.0.0.1\nasNumber: 65000\nneighbors:\n  - {address: 10.0.0.2, asNumber: 1, holdTime: 2}\n");
        assertThat(Main.run("--config", f.toString(), "--check")).isEqualTo(1);
        assertThat(out()).isEmpty();
        assertThat(err()).isEqualTo("bgp-speaker: " + f + ": neighbors[0].holdTime: 2 (expected: 0 or 3..65535)\n");
    }

    @Test
    void aRoutingErrorIsOneLineAndExit1() throws Exception {
        Path f = file(CONFD_SHAPE.formatted(179).replace("clusterId: \"224.0.0.1\"", "clusterId: \"\""));
        assertThat(Main.run("--check", "--config", f.toString())).isEqualTo(1);
        assertThat(err())
                .startsWith("bgp-speaker: " + f + ": routeReflector.clusterId")
                .endsWith("\n");
        assertThat(err().lines()).hasSize(1);
    }

    @Test
    void injectedYamlIsRefused() throws Exception {
        Path f = file(CONFD_SHAPE.formatted(179).replace("rrClient: true", "rrClient: true\n    evil: \"x\""));
        assertThat(Main.run("--check", "--config", f.toString())).isEqualTo(1);
        assertThat(err().lines()).hasSize(1);
    }

    @Test
    void missingOrUnreadableFileIsExit1() {
        assertThat(Main.run("--check", "--config", dir.resolve("absent.yaml").toString()))
                .isEqualTo(1);
        assertThat(err().lines()).hasSize(1);
    }

    @Test
    void badUsageIsExit2() {
        assertThat(Main.run("--check")).isEqualTo(2);
        assertThat(err()).contains("Missing required option: '--config=FILE'");
        assertThat(Main.run("--check", "--config", "x.yaml", "--bogus")).isEqualTo(2);
        assertThat(Main.run("--config")).isEqualTo(2);
        assertThat(Main.run("--config", "a", "stray")).isEqualTo(2);
        assertThat(Main.run("--reload", "s.ctl", "--config", "a")).isEqualTo(2);
        assertThat(err()).contains("--reload SOCKET takes no other option");
    }

    @Test
    void theDaemonRefusesABadConfigWithExit2() throws Exception {
        Path f = file("routerId: 10.0.0.1\nasNumber: 0\n");
        assertThat(Main.run(
                        "--config",
                        f.toString(),
                        "--control-socket",
                        dir.resolve("c.sock").toString()))
                .isEqualTo(2);
        assertThat(err().lines()).hasSize(1).first().asString().startsWith("bgp-speaker: " + f + ": asNumber");
    }
}
