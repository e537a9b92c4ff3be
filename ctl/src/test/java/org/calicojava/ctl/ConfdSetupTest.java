package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resources {@code node run} writes for confd; the speaker's reload command is the real {@code bin/bgp-speaker
 * --reload} on the run directory's control socket (its outcomes against a real speaker: confd-renderer's
 * SpeakerReloadIT).
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
    void reloadGoesThroughTheSpeakersControlSocketAndNoSpeakerIsNothingToDo(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run dir's");
        Files.createDirectories(dir);
        Path home = Path.of("..").toAbsolutePath().normalize(); // the real bin/bgp-speaker
        ConfdSetup.write(dir, home, "java");
        assertThat(Files.readString(dir.resolve("confd/conf.d/java.toml")))
                .contains("reload_cmd = \""
                        + ConfdSetup.tomlEscape(ConfdSetup.shellQuote(home + "/bin/bgp-speaker") + " --reload "
                                + ConfdSetup.shellQuote(
                                        dir.resolve("bgp-speaker.ctl").toString()))
                        + "\"\n")
                .doesNotContain("bgp-speaker.pid");

        assertThat(reload(dir)).containsExactly("0", ""); // no socket yet: no speaker, nothing to do
        try (var gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(dir.resolve("bgp-speaker.ctl")));
        }
        assertThat(reload(dir)).containsExactly("0", ""); // a socket left by a speaker that exited: nobody accepts
        Files.delete(dir.resolve("bgp-speaker.ctl"));
        Files.writeString(dir.resolve("bgp-speaker.ctl"), "not a socket");
        String[] r = reload(dir);
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).isEqualTo("bgp-speaker: reload: " + dir.resolve("bgp-speaker.ctl") + ": not a socket");
    }
}
