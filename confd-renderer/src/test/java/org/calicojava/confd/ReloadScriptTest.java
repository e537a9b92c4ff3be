package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped bgp-speaker resource's reload ({@code etc/confd/reload-bgp-speaker.sh}, run through the resource's
 * reload_cmd as confd runs it): no signal to a PID that is not the speaker, none before the speaker has a control
 * socket newer than itself, SIGHUP after that.
 */
class ReloadScriptTest {
    private static String[] reload(Path pidFile, Path socket) throws Exception {
        List<TemplateResource> rs = new ResourceLoader(ShippedTemplatesTest.CONFDIR, "n1", "/calico", null).load();
        String cmd = rs.stream()
                .filter(r -> r.name().contains("bgp-speaker"))
                .findFirst()
                .orElseThrow()
                .reloadCmd();
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", cmd);
        pb.environment()
                .put(
                        "CONFD_RENDERER_CONFDIR",
                        ShippedTemplatesTest.CONFDIR.toAbsolutePath().toString());
        pb.environment().put("BGP_SPEAKER_PID_FILE", pidFile.toString());
        pb.environment().put("BGP_SPEAKER_CONTROL_SOCKET", socket.toString());
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String[] {Integer.toString(p.exitValue()), err.trim()};
    }

    @Test
    void signalsOnlyTheSpeakerAndOnlyOnceItHasAFreshControlSocket(@TempDir Path tmp) throws Exception {
        Path pidFile = tmp.resolve("bgp-speaker.pid");
        Path socket = tmp.resolve("bgp-speaker.ctl");
        assertThat(reload(pidFile, socket)).containsExactly("0", ""); // no PID file: nothing to do

        Process sleep = new ProcessBuilder("sleep", "300").start();
        Path hup = tmp.resolve("hup");
        Process speaker = new ProcessBuilder(
                        "sh",
                        "-c",
                        "trap 'echo hup > \"$0\"; exit 0' HUP; while :; do sleep 0.05; done",
                        hup.toString(),
                        "-cp",
                        "x.jar",
                        "org.calicojava.bgp.Main",
                        "--config",
                        "c.yaml")
                .start();
        try {
            Files.writeString(pidFile, sleep.pid() + "\n");
            String[] r = reload(pidFile, socket);
            assertThat(r[0]).isEqualTo("1");
            assertThat(r[1])
                    .isEqualTo(
                            pidFile + ": pid " + sleep.pid() + " is not the bgp-speaker (sleep 300 ); not signalled");
            assertThat(sleep.isAlive()).as("the unrelated process survives").isTrue();

            Files.writeString(pidFile, speaker.pid() + "\n");
            try (var stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                stale.bind(UnixDomainSocketAddress.of(socket));
                // a socket left by an earlier speaker: older than this process, so not a sign of readiness
                Files.setLastModifiedTime(socket, FileTime.from(Instant.now().minusSeconds(3600)));
                CompletableFuture<String[]> pending = CompletableFuture.supplyAsync(() -> {
                    try {
                        return reload(pidFile, socket);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(1500);
                assertThat(pending).isNotDone();
                assertThat(hup).doesNotExist();
                Files.setLastModifiedTime(socket, FileTime.from(Instant.now()));
                assertThat(pending.get(10, TimeUnit.SECONDS)).containsExactly("0", "");
                assertThat(speaker.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(Files.readString(hup).trim()).isEqualTo("hup");
            }
        } finally {
            sleep.destroyForcibly();
            speaker.destroyForcibly();
        }
    }
}
