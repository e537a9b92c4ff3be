package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code javactl ipam configure} against the real etcd: shown, changed field by field, refusals write nothing. */
class IpamConfigureIT {
    private final Cli cli = new Cli();

    @TempDir
    Path tmp;

    @AfterEach
    void close() {
        cli.close();
    }

    @Test
    void showsDefaultsThenChangesOnlyWhatIsGiven() {
        assertThat(cli.ok("ipam", "configure", "-o", "json"))
                .contains("\"StrictAffinity\"", "\"false\"", "\"0 (no cap)\"");
        assertThat(cli.snapshot()).noneMatch(k -> k.contains("/ipam/v2/config"));

        cli.ok("ipam", "configure", "--strictaffinity=true");
        assertThat(cli.get(cli.keys.ipamConfig()))
                .isEqualTo("{\"strict_affinity\":true,\"auto_allocate_blocks\":true}");
        cli.ok("ipam", "configure", "--max-blocks-per-host", "4");
        assertThat(cli.get(cli.keys.ipamConfig()))
                .isEqualTo("{\"strict_affinity\":true,\"auto_allocate_blocks\":true,\"max_blocks_per_host\":4}");
        String shown = cli.ok("ipam", "configure");
        assertThat(shown).contains("StrictAffinity", "true", "MaxBlocksPerHost", "| 4 ");
        cli.ok("ipam", "configure", "--strict-affinity", "false", "--max-blocks-per-host", "0");
        assertThat(cli.get(cli.keys.ipamConfig()))
                .isEqualTo("{\"strict_affinity\":false,\"auto_allocate_blocks\":true}");
    }

    @Test
    void badValuesAreRefusedWithOneLineAndNothingWritten() {
        cli.ok("ipam", "configure", "--max-blocks-per-host", "2");
        List<String> before = cli.snapshot();
        for (String[] args : List.of(
                new String[] {"ipam", "configure", "--max-blocks-per-host", "-1"},
                new String[] {"ipam", "configure", "--max-blocks-per-host", "99999999999"},
                new String[] {"ipam", "configure", "--strictaffinity", "maybe"})) {
            Cli.Result r = cli.run(args);
            assertThat(r.code()).as(String.join(" ", args)).isNotZero();
            assertThat(r.err()).as(String.join(" ", args)).startsWith("Error: ");
            assertThat(cli.snapshot()).isEqualTo(before);
        }
        assertThat(cli.run("ipam", "configure", "--max-blocks-per-host", "-1").err())
                .isEqualTo(
                        "Error: --max-blocks-per-host: max_blocks_per_host: -1 (expected: 0..16777216, 0: no cap)\n");
    }

    @Test
    void anUnreadableConfigIsReportedAndCanBeReplaced() {
        cli.etcd.put(cli.keys.ipamConfig(), "{\"strict_affinity\":\"sometimes\"}");
        Cli.Result shown = cli.run("ipam", "configure");
        assertThat(shown.code()).isEqualTo(1);
        assertThat(shown.err())
                .startsWith("Error: the IPAM config cannot be read (")
                .contains("IPAM assigns nothing");
        assertThat(cli.get(cli.keys.ipamConfig())).isEqualTo("{\"strict_affinity\":\"sometimes\"}");
        assertThat(cli.ok("ipam", "configure", "--strictaffinity", "true"))
                .startsWith("Replaced an unreadable IPAM config (");
        assertThat(cli.get(cli.keys.ipamConfig()))
                .isEqualTo("{\"strict_affinity\":true,\"auto_allocate_blocks\":true}");
    }

    @Test
    void theIpamConfigurationResourceAppliesGetsAndDeletes() throws Exception {
        Path f = tmp.resolve("ipam.yaml");
        Files.writeString(f, """
                apiVersion: projectcalico.org/v3
                kind: IPAMConfiguration
                metadata: {name: default}
                spec: {strictAffinity: true, maxBlocksPerHost: 3}
                """);
        assertThat(cli.ok("apply", "-f", f.toString())).startsWith("Created IPAMConfiguration");
        assertThat(cli.get(cli.keys.ipamConfig()))
                .isEqualTo("{\"strict_affinity\":true,\"auto_allocate_blocks\":true,\"max_blocks_per_host\":3}");
        String yaml = cli.ok("get", "ipamconfig", "-o", "yaml");
        assertThat(yaml).contains("kind: IPAMConfiguration", "strictAffinity: true", "maxBlocksPerHost: 3");
        Files.writeString(f, yaml);
        List<String> before = cli.snapshot();
        assertThat(cli.ok("apply", "-f", f.toString())).startsWith("Unchanged IPAMConfiguration");
        assertThat(cli.snapshot()).isEqualTo(before);

        Files.writeString(f, """
                apiVersion: projectcalico.org/v3
                kind: IPAMConfiguration
                metadata: {name: default}
                spec: {maxBlocksPerHost: -2}
                """);
        Cli.Result bad = cli.run("apply", "-f", f.toString());
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("max_blocks_per_host: -2");
        Files.writeString(f, "apiVersion: projectcalico.org/v3\nkind: IPAMConfiguration\nmetadata: {name: other}\n");
        assertThat(cli.run("apply", "-f", f.toString()).err()).contains("metadata.name: \"other\" (expected: default)");
        assertThat(cli.snapshot()).isEqualTo(before);

        cli.ok("delete", "ipamconfiguration", "default");
        assertThat(cli.snapshot()).noneMatch(k -> k.contains("/ipam/v2/config"));
    }
}
