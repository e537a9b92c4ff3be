package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The shipped systemd units (etc/systemd) hold exactly the capabilities {@code node run} gives each daemon
 * ({@link Launcher#CAPABILITIES}), and carry the hardening the README's Security section promises; and systemd itself
 * accepts them ({@code systemd-analyze verify}, where it is installed).
 */
class SystemdUnitsTest {
    private static final Path DIR = Path.of("..", "etc", "systemd");
    private static final Map<String, String> UNITS = Map.of(
            "felix-agent",
            "calico-java-felix.service",
            "bgp-speaker",
            "calico-java-bgp-speaker.service",
            "confd-renderer",
            "calico-java-confd.service",
            "libnetwork",
            "calico-java-libnetwork.service");

    @Test
    void unitsHoldNodeRunsCapabilitiesAndTheHardening() throws Exception {
        for (Map.Entry<String, String> u : UNITS.entrySet()) {
            List<String> lines = Files.readAllLines(DIR.resolve(u.getValue()));
            List<String> expected = Launcher.CAPABILITIES.get(u.getKey()).stream()
                    .map(c -> "CAP_" + c.toUpperCase(Locale.ROOT))
                    .sorted()
                    .toList();
            assertThat(caps(lines, "CapabilityBoundingSet=")).as(u.getValue()).isEqualTo(expected);
            assertThat(caps(lines, "AmbientCapabilities=")).as(u.getValue()).isEqualTo(expected);
            assertThat(lines)
                    .as(u.getValue())
                    .contains("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes");
            assertThat(lines).as(u.getValue()).anyMatch(l -> l.startsWith("RestrictAddressFamilies="));
        }
    }

    @Test
    void systemdAcceptsTheUnits() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(analyze)) {
            return; // not a systemd host: the text checks above still hold
        }
        Path root = Files.createTempDirectory("cj-units");
        try {
            // ExecStart must name an executable: point /opt/calico-java's paths at this checkout's bin/
            List<String> args = new java.util.ArrayList<>(List.of(analyze.toString(), "verify", "--man=no"));
            for (String unit : UNITS.values()) {
                String text = Files.readString(DIR.resolve(unit))
                        .replace("/opt/calico-java/", DIR.resolve("../..").toRealPath() + "/");
                Files.writeString(root.resolve(unit), text);
                args.add(root.resolve(unit).toString());
            }
            Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).as("systemd's warnings").isBlank();
        } finally {
            try (var files = Files.list(root)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(root);
        }
    }

    private static List<String> caps(List<String> lines, String key) {
        return lines.stream()
                .filter(l -> l.startsWith(key))
                .findFirst()
                .map(l -> Arrays.stream(l.substring(key.length()).trim().split("\\s+"))
                        .filter(s -> !s.isEmpty())
                        .sorted()
                        .collect(Collectors.toList()))
                .orElseThrow(() -> new AssertionError("no " + key));
    }
}
