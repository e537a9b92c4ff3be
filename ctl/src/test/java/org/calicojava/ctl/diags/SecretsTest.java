package org.calicojava.ctl.diags;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.calicojava.model.Json;
import org.junit.jupiter.api.Test;

/** Masking by value and by shape; the tar writer's output read back by GNU tar. */
class SecretsTest {
    @Test
    void knownSecretsAreMaskedEverywhereAndSecretShapedValuesToo() throws Exception {
        Secrets s = new Secrets();
        s.addFromJson(Json.MAPPER.readTree("{\"ip\":\"192.0.2.1\",\"as_num\":\"65000\",\"password\":\"Tor-Pw_1\"}"));
        s.add("x"); // too short to mask blindly
        assertThat(s.mask("log: peer 192.0.2.1 md5 key Tor-Pw_1 set"))
                .isEqualTo("log: peer 192.0.2.1 md5 key ******** set");
        assertThat(s.mask("    password: \"unknown-1\"\n")).isEqualTo("    password: \"********\"\n");
        assertThat(s.mask("  password \"unknown-2\";")).isEqualTo("  password \"********\";");
        assertThat(s.mask("ETCD_PASSWORD=hunter22 next")).isEqualTo("ETCD_PASSWORD=******** next");
        assertThat(s.maskJson("{\"ip\":\"192.0.2.9\",\"password\":\"other\",\"nested\":{\"secret\":\"s\"}}"))
                .isEqualTo("{\"ip\":\"192.0.2.9\",\"password\":\"********\",\"nested\":{\"secret\":\"********\"}}");
        assertThat(s.mask("x marks the spot")).isEqualTo("x marks the spot");
    }

    @Test
    void tarGzReadsBackWithGnuTar(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("a.tar.gz");
        byte[] big = "0123456789".repeat(1000).getBytes(StandardCharsets.US_ASCII);
        try (TarGz t = new TarGz(Files.newOutputStream(out), 1_700_000_000L)) {
            t.add("top/empty.txt", new byte[0]);
            t.add("top/dir/big.txt", big);
            t.add(LONG_TOP + "/etc/calico-java/confd/conf.d/bgp-speaker-resource-with-a-long-name.toml", big);
        }
        Process p = new ProcessBuilder("tar", "-xzf", out.toString(), "-C", tmp.toString())
                .redirectErrorStream(true)
                .start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        p.getInputStream().transferTo(err);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err.toString()).isZero();
        assertThat(Files.readAllBytes(tmp.resolve("top/dir/big.txt"))).isEqualTo(big);
        assertThat(Files.size(tmp.resolve("top/empty.txt"))).isZero();
        // a name over 100 bytes (a long node name in the top directory) goes through ustar's prefix
        assertThat(Files.readAllBytes(tmp.resolve(
                        LONG_TOP + "/etc/calico-java/confd/conf.d/bgp-speaker-resource-with-a-long-name.toml")))
                .isEqualTo(big);
    }

    private static final String LONG_TOP =
            "calico-java-diags-ip-10-0-12-34.eu-west-1.compute.internal-" + "x".repeat(60) + "-20261206-101500";
}
