package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped speaker resource's reload_cmd ({@code bgp-speaker --reload SOCKET}) against the real {@code
 * bin/bgp-speaker}, started as the systemd unit starts it: no PID file anywhere, only {@code --control-socket}.
 */
class SpeakerReloadIT {
    static final Path HOME = ConfdBadInputIT.HOME;
    static final Path SPEAKER = ConfdBadInputIT.SPEAKER;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The shipped resource's reload_cmd run as confd runs it: {exit, stdout, stderr}. */
    static String[] reload(Path socket) throws Exception {
        List<TemplateResource> rs = new ResourceLoader(ShippedTemplatesTest.CONFDIR, "n1", "/calico", null).load();
        String cmd = rs.stream()
                .filter(r -> r.name().contains("bgp-speaker"))
                .findFirst()
                .orElseThrow()
                .reloadCmd();
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", cmd);
        pb.environment().put("BGP_SPEAKER_BIN", SPEAKER.toString());
        pb.environment().put("BGP_SPEAKER_CONTROL_SOCKET", socket.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(40, TimeUnit.SECONDS)).isTrue();
        return new String[] {Integer.toString(p.exitValue()), out.trim(), err.trim()};
    }

    /** The neighbour addresses the speaker on {@code socket} has now ({@code show protocols json}). */
    static TreeSet<String> neighbours(Path socket) {
        TreeSet<String> out = new TreeSet<>();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("show protocols json\n".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            while (ch.read(buf) >= 0) {
                // until the speaker closes
            }
            buf.flip();
            for (JsonNode row : JSON.readTree(StandardCharsets.UTF_8.decode(buf).toString())) {
                out.add(row.get("address").asText());
            }
        } catch (Exception e) {
            out.add("unreachable: " + e);
        }
        return out;
    }

    static void await(String what, java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 60 s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static String speakerYaml(String routerId, String... neighbours) {
        StringBuilder b = new StringBuilder("routerId: " + routerId + "\nasNumber: 65010\n"
                + "listen: {address: 127.31.0.1, port: "
                + (17000 + (int) (ProcessHandle.current().pid() % 1000))
                + "}\nkernel: {enabled: false}\nneighbors:\n");
        for (String n : neighbours) {
            b.append("  - {address: ").append(n).append(", asNumber: 65011, port: 1}\n");
        }
        return b.toString();
    }

    @Test
    void reloadIsConfirmedByTheSpeakerOrRefusedInOneLine() throws Exception {
        Path socket = dir.resolve("bgp-speaker.ctl");
        Path cfg = dir.resolve("bgp-speaker.yaml");
        assertThat(reload(socket)[0]).as("no socket: no speaker, nothing to do").isEqualTo("0");

        Files.writeString(cfg, speakerYaml("127.31.0.1", "127.31.0.2"));
        Process speaker = new ProcessBuilder(
                        SPEAKER.toString(), "--config", cfg.toString(), "--control-socket", socket.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("speaker.log").toFile())
                .start();
        try {
            await(
                    "the speaker's control socket",
                    () -> neighbours(socket).equals(new TreeSet<>(List.of("127.31.0.2"))));

            Files.writeString(cfg, speakerYaml("127.31.0.1", "127.31.0.2", "127.31.0.3"));
            String[] r = reload(socket);
            assertThat(r).containsExactly("0", "reloaded " + cfg, "");
            assertThat(neighbours(socket)).containsExactly("127.31.0.2", "127.31.0.3");

            // a change the speaker refuses (the router id needs a restart): exit 1, one line, old neighbours kept
            Files.writeString(cfg, speakerYaml("127.31.0.9", "127.31.0.2"));
            r = reload(socket);
            assertThat(r[0]).isEqualTo("1");
            assertThat(r[2])
                    .startsWith("bgp-speaker: reload: " + socket + ": error: reload refused: ")
                    .contains("routerId")
                    .doesNotContain("\n");
            assertThat(speaker.isAlive()).isTrue();
            assertThat(neighbours(socket)).containsExactly("127.31.0.2", "127.31.0.3");
        } finally {
            speaker.destroyForcibly(); // SIGKILL: the socket file stays behind, as after a crash
            assertThat(speaker.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.exists(socket)).as("the crashed speaker's socket").isTrue();
        assertThat(reload(socket)[0])
                .as("a socket nobody accepts on: no speaker")
                .isEqualTo("0");
        Files.delete(socket);
        Files.writeString(socket, "x");
        String[] r = reload(socket);
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).isEqualTo("bgp-speaker: reload: " + socket + ": not a socket");
    }

    /**
     * The whole chain as the systemd units run it: confd-renderer with the shipped resource, a real speaker started
     * with {@code --control-socket} and no PID file (in its own network namespace, since the shipped template turns
     * kernel routes on); a global peer added in etcd is a session of the running speaker, a removed one is gone.
     */
    @Test
    void confdReloadsASpeakerStartedAsSystemdStartsIt() throws Exception {
        String ns = "cjrl-" + UUID.randomUUID().toString().substring(0, 8);
        Keys keys = new Keys("/cj-rl-" + UUID.randomUUID().toString().substring(0, 8));
        Path socket = dir.resolve("bgp-speaker.ctl");
        Path yaml = dir.resolve("out/etc/calico-java/bgp-speaker.yaml");
        Process confd = null;
        Process speaker = null;
        try (JetcdStore store = new JetcdStore(EtcdConfig.of(ConfdHarness.endpoints()))) {
            Sh.ok("ip", "netns", "add", ns);
            Sh.ok("ip", "-n", ns, "link", "set", "lo", "up");
            Sh.ok("ip", "-n", ns, "addr", "add", "10.0.0.1/32", "dev", "lo");
            store.put(keys.bgpGlobalAsNum(), "64512");
            store.put(keys.bgpHostIp("me", 4), "10.0.0.1");
            store.put(keys.bgpGlobalPeer("192.0.2.1"), "{\"ip\":\"192.0.2.1\",\"as_num\":\"65001\"}");
            ProcessBuilder pb = new ProcessBuilder(
                            HOME.resolve("bin/confd-renderer").toString(),
                            "--node",
                            "me",
                            "--confdir",
                            ShippedTemplatesTest.CONFDIR.toAbsolutePath().toString(),
                            "--dest-root",
                            dir.resolve("out").toString(),
                            "--etcd-endpoints",
                            ConfdHarness.endpoints(),
                            "--etcd-prefix",
                            keys.root())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("confd.log").toFile());
            pb.environment().put("BGP_SPEAKER_CONTROL_SOCKET", socket.toString());
            confd = pb.start();
            await("the rendered speaker config", () -> Files.exists(yaml));
            File log = dir.resolve("speaker.log").toFile();
            speaker = new ProcessBuilder(
                            "ip",
                            "netns",
                            "exec",
                            ns,
                            SPEAKER.toString(),
                            "--config",
                            yaml.toString(),
                            "--control-socket",
                            socket.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log)
                    .start();
            await("the speaker with its first peer", () -> neighbours(socket).contains("192.0.2.1"));

            store.put(keys.bgpGlobalPeer("192.0.2.7"), "{\"ip\":\"192.0.2.7\",\"as_num\":\"65007\"}");
            await(
                    "the new peer in the running speaker",
                    () -> neighbours(socket).equals(new TreeSet<>(List.of("192.0.2.1", "192.0.2.7"))));
            store.deletePrefix(keys.bgpGlobalPeer("192.0.2.1")); // the one key
            await("the removed peer gone", () -> neighbours(socket).equals(new TreeSet<>(List.of("192.0.2.7"))));
            assertThat(speaker.isAlive()).isTrue();
            assertThat(Files.readString(log.toPath())).contains("reloaded " + yaml);
            assertThat(Files.readString(dir.resolve("confd.log")))
                    .contains("reloaded")
                    .doesNotContain("reload_cmd failed");
        } finally {
            for (Process p : new Process[] {speaker, confd}) {
                if (p != null) {
                    Sh.stop(p, 15);
                }
            }
            Sh.run("ip", "netns", "delete", ns);
            try (JetcdStore store = new JetcdStore(EtcdConfig.of(ConfdHarness.endpoints()))) {
                store.deletePrefix(keys.root() + "/");
            }
        }
    }
}
