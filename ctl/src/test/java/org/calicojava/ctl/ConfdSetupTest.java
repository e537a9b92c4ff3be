package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The speaker's reload command that confd runs: it signals the PID in bgp-speaker.pid only if it is the speaker, and
 * only once the speaker has its control socket.
 */
class ConfdSetupTest {
    private static String[] reload(Path dir) throws Exception {
        Path toml = dir.resolve("confd/conf.d/java.toml");
        String line = Files.readAllLines(toml).stream()
                .filter(l -> l.startsWith("reload_cmd = "))
                .findFirst()
                .orElseThrow();
        String cmd = line.substring("reload_cmd = \"".length(), line.length() - 1)
                .replaceAll("\\\\(.)", "$1"); // TOML's \\ and \"
        Process p = new ProcessBuilder("/bin/sh", "-c", cmd).start();
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new String[] {Integer.toString(p.exitValue()), err.trim()};
    }

    @Test
    void resourcesAreWritten0600AndTheSpeakerConfigIsCheckedBeforeTheSwap(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run dir's");
        Files.createDirectories(dir);
        Path home = tmp.resolve("home \"x\"");
        ConfdSetup.write(dir, home, "java");
        String java = Files.readString(dir.resolve("confd/conf.d/java.toml"));
        assertThat(java)
                .contains("mode = \"0600\"\n")
                .contains("check_cmd = \"'" + home.toString().replace("\"", "\\\"")
                        + "/bin/bgp-speaker' --check --config {{.src}}\"\n");
        ConfdSetup.write(dir, home, "bird");
        String bird = Files.readString(dir.resolve("confd/conf.d/bird.toml"));
        assertThat(bird)
                .contains("mode = \"0600\"\n")
                .contains("check_cmd = \"bird -p -c {{.src}}\"\n")
                .contains("birdc -s "
                        + ConfdSetup.tomlEscape(
                                ConfdSetup.shellQuote(dir.resolve("bird.ctl").toString())) + " configure");
    }

    @Test
    void reloadSignalsTheSpeakerOnly(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run dir's");
        Files.createDirectories(dir);
        ConfdSetup.write(dir, Path.of("..").toAbsolutePath().normalize(), "java"); // the shipped reload script
        Path pidFile = dir.resolve("bgp-speaker.pid");

        assertThat(reload(dir)).containsExactly("0", ""); // no PID file yet: nothing to do

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
            String[] r = reload(dir);
            assertThat(r[0]).isEqualTo("1");
            assertThat(r[1])
                    .isEqualTo(
                            pidFile + ": pid " + sleep.pid() + " is not the bgp-speaker (sleep 300 ); not signalled");
            Thread.sleep(200);
            assertThat(sleep.isAlive()).as("the unrelated process survives").isTrue();

            // the speaker is signalled only once it has its control socket (its SIGHUP handler exists by then)
            Files.writeString(pidFile, speaker.pid() + "\n");
            CompletableFuture<String[]> pending = CompletableFuture.supplyAsync(() -> {
                try {
                    return reload(dir);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(1500);
            assertThat(pending).isNotDone();
            assertThat(hup).doesNotExist();
            try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(dir.resolve("bgp-speaker.ctl")));
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
