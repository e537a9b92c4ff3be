package org.calicojava.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.calicojava.testing.EtcdProcess;
import org.junit.jupiter.api.Test;

/** etcd over TLS with client certificates, and etcd with username/password auth: both stores. */
class SecurityIT {
    /** {@code cmd} in bash, in {@code dir}; fails the test with its output unless it exits 0 within 60 s. */
    static void sh(Path dir, String cmd) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0)
                .as(cmd + "\n" + out)
                .isTrue();
    }

    @Test
    void tlsWithClientCertificates() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("cj-tls-");
        sh(
                dir,
                "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=cj-ca -keyout ca.key -out ca.pem"
                        + " && openssl req -newkey rsa:2048 -nodes -subj /CN=etcd -keyout server.key -out server.csr"
                        + " && printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth,clientAuth\\n' > ext"
                        + " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext -out server.pem"
                        + " && openssl req -newkey rsa:2048 -nodes -subj /CN=client -keyout client.key -out client.csr"
                        + " && printf 'extendedKeyUsage=clientAuth\\n' > ext2"
                        + " && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext2 -out client.pem");
        List<String> tls = List.of(
                "--cert-file",
                dir.resolve("server.pem").toString(),
                "--key-file",
                dir.resolve("server.key").toString(),
                "--trusted-ca-file",
                dir.resolve("ca.pem").toString(),
                "--client-cert-auth");
        try (EtcdProcess etcd = new EtcdProcess("https", tls).start()) {
            EtcdConfig good = new EtcdConfig(
                    EtcdConfig.parseEndpoints(etcd.endpoint()),
                    dir.resolve("ca.pem"),
                    dir.resolve("client.pem"),
                    dir.resolve("client.key"),
                    null,
                    null,
                    Duration.ofSeconds(4));
            for (KvStore s : List.of(new GatewayStore(good), new JetcdStore(good))) {
                s.put("/tls/" + s.getClass().getSimpleName(), "ok");
                assertThat(s.get("/tls/" + s.getClass().getSimpleName())
                                .orElseThrow()
                                .value())
                        .isEqualTo("ok");
                s.close();
            }
            EtcdConfig noClientCert = new EtcdConfig(
                    EtcdConfig.parseEndpoints(etcd.endpoint()),
                    dir.resolve("ca.pem"),
                    null,
                    null,
                    null,
                    null,
                    Duration.ofSeconds(3));
            try (GatewayStore s = new GatewayStore(noClientCert)) {
                assertThatThrownBy(() -> s.get("/tls/x"))
                        .isInstanceOf(DatastoreException.class)
                        .hasMessageStartingWith("etcd at " + etcd.endpoint());
            }
        } finally {
            sh(dir.getParent(), "rm -rf " + dir);
        }
    }

    @Test
    void usernameAndPassword() throws Exception {
        try (EtcdProcess etcd = EtcdProcess.plain().start()) {
            assertThat(etcd.etcdctl("user", "add", "root:rootpw")).contains("User root created");
            assertThat(etcd.etcdctl("auth", "enable")).contains("Authentication Enabled");
            EtcdConfig good = new EtcdConfig(
                    EtcdConfig.parseEndpoints(etcd.endpoint()),
                    null,
                    null,
                    null,
                    "root",
                    "rootpw",
                    Duration.ofSeconds(4));
            EtcdConfig bad = new EtcdConfig(
                    EtcdConfig.parseEndpoints(etcd.endpoint()),
                    null,
                    null,
                    null,
                    "root",
                    "wrong",
                    Duration.ofSeconds(4));
            EtcdConfig none = EtcdConfig.of(etcd.endpoint());
            for (KvStore s : List.of(new GatewayStore(good), new JetcdStore(good))) {
                s.put("/auth/k", s.getClass().getSimpleName());
                assertThat(s.get("/auth/k").orElseThrow().value())
                        .isEqualTo(s.getClass().getSimpleName());
                s.close();
            }
            try (GatewayStore s = new GatewayStore(bad)) {
                assertThatThrownBy(() -> s.get("/auth/k"))
                        .isInstanceOf(AuthenticationException.class)
                        .hasMessageContaining("etcd at " + etcd.endpoint());
            }
            try (GatewayStore s = new GatewayStore(none)) {
                assertThatThrownBy(() -> s.put("/auth/k", "x"))
                        .isInstanceOf(DatastoreException.class)
                        .hasMessageStartingWith("etcd at " + etcd.endpoint());
            }
        }
    }
}
