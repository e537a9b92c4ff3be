package org.calicojava.store.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The one merge of etcd flags, environment and defaults, as every program parses it (picocli with the mixin). */
class EtcdOptionsTest {
    @Command(name = "prog")
    static final class Prog {
        @Mixin
        EtcdOptions etcd = new EtcdOptions();
    }

    private static EtcdOptions parse(String args) {
        Prog p = new Prog();
        new CommandLine(p)
                .parseArgs(args.isBlank() ? new String[0] : args.trim().split(" +"));
        return p.etcd;
    }

    /** "K=V;K=V" */
    private static Map<String, String> env(String text) {
        Map<String, String> env = new HashMap<>();
        if (text != null) {
            Arrays.stream(text.split(";")).filter(s -> !s.isBlank()).forEach(kv -> {
                int eq = kv.indexOf('=');
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            });
        }
        return env;
    }

    @ParameterizedTest(name = "{0} | {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # flags                                            | environment                                           | endpoints                          | prefix   | user | password
            ''                                                 | -                                                     | http://127.0.0.1:2379              | /calico  | -    | -
            ''                                                 | ETCD_ENDPOINTS=http://10.0.0.1:2379                   | http://10.0.0.1:2379               | /calico  | -    | -
            --etcd-endpoints http://10.0.0.2:2379              | ETCD_ENDPOINTS=http://10.0.0.1:2379                   | http://10.0.0.2:2379               | /calico  | -    | -
            --etcd-endpoints 10.0.0.2:2379,10.0.0.3:2379       | -                                                     | http://10.0.0.2:2379,http://10.0.0.3:2379 | /calico | - | -
            ''                                                 | ETCD_ENDPOINTS=                                       | http://127.0.0.1:2379              | /calico  | -    | -
            ''                                                 | CALICO_ETCD_PREFIX=/env-root                          | http://127.0.0.1:2379              | /env-root | -   | -
            --etcd-prefix /flag-root                           | CALICO_ETCD_PREFIX=/env-root                          | http://127.0.0.1:2379              | /flag-root | -  | -
            --etcd-prefix /flag-root                           | -                                                     | http://127.0.0.1:2379              | /flag-root | -  | -
            ''                                                 | ETCD_USERNAME=u;ETCD_PASSWORD=envpw                   | http://127.0.0.1:2379              | /calico  | u    | envpw
            --etcd-password flagpw                             | ETCD_USERNAME=u;ETCD_PASSWORD=envpw                   | http://127.0.0.1:2379              | /calico  | u    | flagpw
            --etcd-username v --etcd-password flagpw           | ETCD_USERNAME=u                                       | http://127.0.0.1:2379              | /calico  | v    | flagpw
            --etcd-username v                                  | ETCD_USERNAME=u;ETCD_PASSWORD=envpw                   | http://127.0.0.1:2379              | /calico  | v    | envpw
            """)
    void flagsOverEnvironmentOverDefaults(
            String flags, String environment, String endpoints, String prefix, String user, String password) {
        EtcdSettings s = parse(flags).resolve(env(environment));
        assertThat(s.etcd().describe()).isEqualTo(endpoints);
        assertThat(s.prefix()).isEqualTo(prefix);
        assertThat(s.etcd().username()).isEqualTo(user);
        assertThat(s.etcd().password()).isEqualTo(password);
    }

    @ParameterizedTest(name = "{0} | {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # flags                                                     | environment                             | message
            --etcd-endpoints http://127.0.0.1:1 --etcd-ca-cert somefile | -                                       | etcd TLS options --etcd-ca-cert given but every etcd endpoint is http:// (http://127.0.0.1:1; expected: https:// endpoints, or no TLS options)
            --etcd-cert c --etcd-key k                                  | -                                       | etcd TLS options --etcd-cert, --etcd-key given but every etcd endpoint is http:// (http://127.0.0.1:2379; expected: https:// endpoints, or no TLS options)
            --etcd-endpoints http://127.0.0.1:1                         | ETCD_CA_CERT_FILE=/x                    | etcd TLS options ETCD_CA_CERT_FILE given but every etcd endpoint is http:// (http://127.0.0.1:1; expected: https:// endpoints, or no TLS options)
            ''                                                          | ETCD_ENDPOINTS=http://a:1,https://b:2   | etcd endpoints: http://a:1,https://b:2 mix http:// and https:// (expected: one scheme)
            --etcd-password a --etcd-password-file /f                   | -                                       | --etcd-password and --etcd-password-file: both given (expected: one)
            ''                                                          | ETCD_PASSWORD=a;ETCD_PASSWORD_FILE=/f   | ETCD_PASSWORD and ETCD_PASSWORD_FILE: both set (expected: one)
            --etcd-password a                                           | -                                       | etcd auth: a password given without a user (expected: --etcd-username or ETCD_USERNAME too)
            --etcd-username u                                           | -                                       | etcd auth: username given without a password
            --etcd-endpoints ftp://x:1                                  | -                                       | etcd endpoint: 'ftp://x:1' (expected: http(s)://HOST:PORT)
            --etcd-prefix calico                                        | -                                       | etcd prefix: 'calico' (expected: a path starting with /)
            """)
    void badOptionsAreUsageErrors(String flags, String environment, String message) {
        assertThatThrownBy(() -> parse(flags).resolve(env(environment)))
                .isInstanceOf(EtcdOptionsException.class)
                .hasMessage(message);
    }

    @Test
    void passwordFileFromFlagOrEnvironment(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("pw");
        Files.writeString(f, "s3cret\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        EtcdSettings s = parse("--etcd-username u --etcd-password-file " + f).resolve(Map.of());
        assertThat(s.etcd().password()).isEqualTo("s3cret");
        assertThat(s.etcd().toString()).doesNotContain("s3cret").contains("password=(hidden)");
        assertThat(parse("")
                        .resolve(Map.of("ETCD_USERNAME", "u", "ETCD_PASSWORD_FILE", f.toString()))
                        .etcd()
                        .password())
                .isEqualTo("s3cret");
        // the flag's file wins over the environment's password
        assertThat(parse("--etcd-password-file " + f)
                        .resolve(Map.of("ETCD_USERNAME", "u", "ETCD_PASSWORD", "envpw"))
                        .etcd()
                        .password())
                .isEqualTo("s3cret");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
        assertThat(parse("--etcd-username u --etcd-password-file " + f)
                        .resolve(Map.of())
                        .etcd()
                        .password())
                .isEqualTo("s3cret");
    }

    @Test
    void passwordFileReadableByOthersIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("pw");
        Files.writeString(f, "s3cret\n");
        for (String mode : new String[] {"rw-r-----", "rw----r--", "rw-rw-rw-", "rw-----w-"}) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
            assertThatThrownBy(() ->
                            parse("--etcd-username u --etcd-password-file " + f).resolve(Map.of()))
                    .isInstanceOf(EtcdOptionsException.class)
                    .hasMessage("--etcd-password-file: " + f + " has mode " + mode
                            + " (expected: no access for group and others, e.g. chmod 600)");
        }
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> parse("").resolve(Map.of("ETCD_USERNAME", "u", "ETCD_PASSWORD_FILE", f.toString())))
                .isInstanceOf(EtcdOptionsException.class)
                .hasMessageStartingWith("ETCD_PASSWORD_FILE: " + f + " has mode");
        assertThatThrownBy(() -> parse("--etcd-username u --etcd-password-file " + dir.resolve("missing"))
                        .resolve(Map.of()))
                .isInstanceOf(EtcdOptionsException.class)
                .hasMessage(
                        "--etcd-password-file: " + dir.resolve("missing") + " cannot be read (NoSuchFileException)");
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "\n");
        Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() ->
                        parse("--etcd-username u --etcd-password-file " + empty).resolve(Map.of()))
                .isInstanceOf(EtcdOptionsException.class)
                .hasMessageEndingWith("is empty (expected: the password on its first line)");
    }

    @Test
    void tlsFilesWithHttpsEndpointsAndTheirChildEnvironment(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        Path cert = Files.writeString(dir.resolve("c.pem"), "x");
        Path key = Files.writeString(dir.resolve("k.pem"), "x");
        EtcdSettings s = parse("--etcd-endpoints https://10.0.0.1:2379 --etcd-ca-cert " + ca + " --etcd-prefix /r")
                .resolve(Map.of(
                        "ETCD_CERT_FILE",
                        cert.toString(),
                        "ETCD_KEY_FILE",
                        key.toString(),
                        "ETCD_USERNAME",
                        "u",
                        "ETCD_PASSWORD",
                        "pw"));
        assertThat(s.etcd().caFile()).isEqualTo(ca);
        assertThat(s.etcd().certFile()).isEqualTo(cert);
        Map<String, String> child = s.childEnv();
        assertThat(child)
                .containsEntry("ETCD_ENDPOINTS", "https://10.0.0.1:2379")
                .containsEntry("CALICO_ETCD_PREFIX", "/r")
                .containsEntry("ETCD_CA_CERT_FILE", ca.toString())
                .containsEntry("ETCD_CERT_FILE", cert.toString())
                .containsEntry("ETCD_KEY_FILE", key.toString())
                .containsEntry("ETCD_USERNAME", "u")
                .containsEntry("ETCD_PASSWORD", "pw")
                .containsEntry("ETCD_PASSWORD_FILE", null);
        // the child's environment, read back through the same merge, gives the same settings
        Map<String, String> back = new HashMap<>(child);
        back.values().removeIf(v -> v == null);
        assertThat(parse("").resolve(back)).isEqualTo(s);
    }
}
