package org.calicojava.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every program that talks to etcd parses its options with the one shared mixin: TLS options with only http://
 * endpoints are a usage error (exit 2, one line naming the option), never silently ignored.
 */
class EtcdOptionsIT {
    private static final String MESSAGE = "etcd TLS options --etcd-ca-cert given but every etcd endpoint is http:// "
            + "(http://127.0.0.1:1; expected: https:// endpoints, or no TLS options)";

    private record Run(int code, String out, String err) {}

    private static Run run(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        for (String v : List.of(
                "ETCD_ENDPOINTS",
                "ETCD_CA_CERT_FILE",
                "ETCD_CERT_FILE",
                "ETCD_KEY_FILE",
                "ETCD_USERNAME",
                "ETCD_PASSWORD",
                "ETCD_PASSWORD_FILE",
                "CALICO_ETCD_PREFIX")) {
            pb.environment().remove(v);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void tlsOptionsWithHttpEndpointsExit2InEveryProgram() throws Exception {
        List<String> bad = List.of("--etcd-endpoints", "http://127.0.0.1:1", "--etcd-ca-cert", "somefile");
        record Program(String bin, List<String> before, String prefix) {}
        List<Program> programs = List.of(
                new Program("felix-agent", List.of("--hostname", "h1"), "felix-agent: "),
                new Program("confd-renderer", List.of("--node", "h1"), "confd-renderer: "),
                new Program(
                        "calico-java-libnetwork",
                        List.of("--hostname", "h1", "--socket", "/nonexistent/x.sock"),
                        "calico-java-libnetwork: "),
                new Program("javactl", List.of("pool", "show"), "Error: "));
        for (Program prog : programs) {
            List<String> cmd = new ArrayList<>(
                    List.of(Fabric.HOME.resolve("bin").resolve(prog.bin()).toString()));
            cmd.addAll(prog.before());
            cmd.addAll(bad);
            Run r = run(cmd);
            assertThat(r.code()).as(prog.bin() + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().lines().toList()).as(prog.bin()).containsExactly(prog.prefix() + MESSAGE);
            assertThat(r.out()).as(prog.bin()).isEmpty();
        }
    }

    @Test
    void aPasswordFileOthersCanReadIsRefused() throws Exception {
        Path f = Files.createTempFile("cj-pw", "");
        try {
            Files.writeString(f, "pw\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            for (String bin : List.of("felix-agent", "confd-renderer", "calico-java-libnetwork", "javactl")) {
                List<String> cmd = new ArrayList<>(
                        List.of(Fabric.HOME.resolve("bin").resolve(bin).toString()));
                if (bin.equals("javactl")) {
                    cmd.addAll(List.of("pool", "show"));
                }
                cmd.addAll(List.of(
                        "--etcd-endpoints",
                        "http://127.0.0.1:1",
                        "--etcd-username",
                        "u",
                        "--etcd-password-file",
                        f.toString()));
                Run r = run(cmd);
                assertThat(r.code()).as(bin + ": " + r.err()).isEqualTo(2);
                assertThat(r.err())
                        .as(bin)
                        .contains("--etcd-password-file: " + f + " has mode rw-r--r-- (expected: no "
                                + "access for group and others, e.g. chmod 600)");
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
