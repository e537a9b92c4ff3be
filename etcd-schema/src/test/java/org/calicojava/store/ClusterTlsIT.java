package org.calicojava.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.calicojava.model.Json;
import org.calicojava.testing.EtcdCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Both stores against a three-member etcd cluster over TLS with client certificates (client-cert-auth, peer TLS),
 * each member on a loopback address of its own (127.0.0.2, .3, .4) with a certificate naming that address (and
 * 127.0.0.1, the source address of its peer connections, which etcd checks): so a client that checked every member
 * against the first endpoint's name, or sent it as the authority, would fail on the others. Requests and a watch go on when the first endpoint (the leader) dies; a client without a certificate is
 * refused by every member.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTlsIT {
    private static final List<String> HOSTS = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");
    private Path dir;
    private EtcdCluster cluster;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("cj-cluster-tls-");
        StringBuilder make = new StringBuilder("set -e; key() { openssl genpkey -algorithm EC -pkeyopt"
                + " ec_paramgen_curve:P-256 -out $1; }; sign() { key $1.key; openssl req -new -key $1.key -subj /CN=$1"
                + " -out $1.csr; printf \"$2\" > $1.ext; openssl x509 -req -in $1.csr -CA ca.pem -CAkey ca.key"
                + " -CAcreateserial -days 2 -extfile $1.ext -out $1.pem; }; key ca.key; openssl req -x509 -new"
                + " -key ca.key -subj /CN=cj-cluster-ca -days 2 -out ca.pem;");
        for (int i = 0; i < HOSTS.size(); i++) {
            make.append(" sign m")
                    .append(i)
                    .append(" 'subjectAltName=IP:")
                    .append(HOSTS.get(i))
                    .append(",IP:127.0.0.1\\nextendedKeyUsage=serverAuth,clientAuth\\n';");
        }
        make.append(" sign client 'extendedKeyUsage=clientAuth\\n'");
        SecurityIT.sh(dir, make.toString());
        String ca = dir.resolve("ca.pem").toString();
        cluster = EtcdCluster.start(HOSTS, "https", i -> {
            String m = dir.resolve("m" + i).toString();
            return List.of(
                    "--cert-file",
                    m + ".pem",
                    "--key-file",
                    m + ".key",
                    "--trusted-ca-file",
                    ca,
                    "--client-cert-auth",
                    "--peer-cert-file",
                    m + ".pem",
                    "--peer-key-file",
                    m + ".key",
                    "--peer-trusted-ca-file",
                    ca,
                    "--peer-client-cert-auth");
        });
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (dir != null) {
            SecurityIT.sh(dir.getParent(), "rm -rf " + dir);
        }
    }

    private EtcdConfig config(List<URI> endpoints, boolean clientCert) {
        return new EtcdConfig(
                endpoints,
                dir.resolve("ca.pem"),
                clientCert ? dir.resolve("client.pem") : null,
                clientCert ? dir.resolve("client.key") : null,
                null,
                null,
                Duration.ofSeconds(4));
    }

    private List<URI> endpoints(int first) {
        List<URI> all = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            all.add(URI.create(cluster.member((first + i) % cluster.size()).endpoint()));
        }
        return all;
    }

    private int leader() throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < cluster.size(); i++) {
                if (!cluster.member(i).running()) {
                    continue;
                }
                String out = cluster.member(i)
                        .etcdctl(
                                "--cacert",
                                dir.resolve("ca.pem").toString(),
                                "--cert",
                                dir.resolve("client.pem").toString(),
                                "--key",
                                dir.resolve("client.key").toString(),
                                "endpoint",
                                "status",
                                "-w",
                                "json");
                seen.add(out);
                try {
                    JsonNode s = Json.MAPPER.readTree(out).get(0);
                    if (s.path("Status").path("leader").asLong() != 0
                            && s.path("Status").path("leader").asLong()
                                    == s.path("Status")
                                            .path("header")
                                            .path("member_id")
                                            .asLong()) {
                        return i;
                    }
                } catch (Exception e) {
                    // not this one
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no leader: " + seen.subList(Math.max(0, seen.size() - 3), seen.size()));
    }

    @Test
    void everyMemberServesBothStoresAndTheyGoOnWhenTheFirstEndpointTheLeaderDies() throws Exception {
        int leader = leader();
        List<URI> leaderFirst = endpoints(leader);
        // each member alone: its own certificate (SAN = its address only) is accepted by both stores
        for (int i = 0; i < cluster.size(); i++) {
            EtcdConfig one = config(List.of(URI.create(cluster.member(i).endpoint())), true);
            try (KvStore g = new GatewayStore(one);
                    KvStore j = new JetcdStore(one)) {
                g.put("/tls-cluster/g" + i, "v");
                j.put("/tls-cluster/j" + i, "v");
                assertThat(j.get("/tls-cluster/g" + i)).map(KeyValue::value).contains("v");
            }
        }
        RecordingListener seen = new RecordingListener();
        try (GatewayStore gateway = new GatewayStore(config(leaderFirst, true));
                JetcdStore jetcd = new JetcdStore(config(leaderFirst, true))) {
            long rev = jetcd.put("/tls-watch/before", "1");
            try (WatchableStore.Watch w = jetcd.watch("/tls-watch/", rev, seen)) {
                seen.awaitUntil(l -> l.view.containsKey("/tls-watch/before"), Duration.ofSeconds(10));
                cluster.member(leader).kill();
                gateway.put("/tls-watch/gateway", "2");
                jetcd.put("/tls-watch/jetcd", "3");
                assertThat(jetcd.list("/tls-watch/").kvs()).hasSize(3);
                // new clients whose first endpoint is the dead member
                try (KvStore g2 = new GatewayStore(config(leaderFirst, true));
                        KvStore j2 = new JetcdStore(config(leaderFirst, true))) {
                    g2.put("/tls-watch/fresh-gateway", "4");
                    j2.put("/tls-watch/fresh-jetcd", "5");
                    assertThat(g2.list("/tls-watch/").kvs()).hasSize(5);
                }
                seen.awaitUntil(l -> l.view.size() == 5, Duration.ofSeconds(30));
                assertThat(seen.resyncsCopy())
                        .as("the watch resumed without a resync")
                        .isEmpty();
            }
        } finally {
            cluster.member(leader).start();
        }
        assertThat(leader()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aClientWithoutACertificateIsRefusedByEveryMember() {
        for (int i = 0; i < cluster.size(); i++) {
            String endpoint = cluster.member(i).endpoint();
            EtcdConfig noCert = config(List.of(URI.create(endpoint)), false);
            try (GatewayStore g = new GatewayStore(noCert)) {
                assertThatThrownBy(() -> g.get("/tls-cluster/x"))
                        .isInstanceOf(DatastoreException.class)
                        .hasMessageStartingWith("etcd at " + endpoint);
            }
            try (JetcdStore j = new JetcdStore(noCert)) {
                assertThatThrownBy(() -> j.get("/tls-cluster/x")).isInstanceOf(DatastoreException.class);
            }
        }
        // and all of them together (the stores try each member): still refused, never served
        try (GatewayStore g = new GatewayStore(config(endpoints(0), false))) {
            assertThatThrownBy(() -> g.get("/tls-cluster/x")).isInstanceOf(DatastoreException.class);
        }
    }

    @Test
    void aSlowTlsHandshakeIsNotTakenForADeadMember() throws Exception {
        // every member reached through a relay that holds each connection 1.5 s before passing on the handshake (a
        // busy machine's cold JVM): the 500 ms a member gets to accept a connection must not cover the handshake
        List<SlowRelay> relays = new ArrayList<>();
        try {
            List<URI> slow = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                SlowRelay r = new SlowRelay(
                        cluster.member(i).clientPort(), cluster.member(i).host(), 1500);
                relays.add(r);
                slow.add(URI.create("https://127.0.0.1:" + r.port()));
            }
            try (GatewayStore g = new GatewayStore(config(slow, true))) {
                g.put("/tls-slow/k", "v");
                assertThat(g.get("/tls-slow/k")).map(KeyValue::value).contains("v");
            }
        } finally {
            for (SlowRelay r : relays) {
                r.close();
            }
        }
    }

    /** A TCP relay on 127.0.0.1 that waits {@code delayMs} after accepting a connection before relaying it. */
    private static final class SlowRelay implements AutoCloseable {
        private final java.net.ServerSocket server;
        private final List<java.net.Socket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());

        SlowRelay(int targetPort, String targetHost, long delayMs) throws java.io.IOException {
            server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        java.net.Socket in = server.accept();
                        sockets.add(in);
                        Thread.sleep(delayMs);
                        java.net.Socket out = new java.net.Socket(targetHost, targetPort);
                        sockets.add(out);
                        pump(in, out);
                        pump(out, in);
                    } catch (java.io.IOException | InterruptedException e) {
                        return;
                    }
                }
            });
            accept.setDaemon(true);
            accept.start();
        }

        private static void pump(java.net.Socket from, java.net.Socket to) {
            Thread t = new Thread(() -> {
                try {
                    from.getInputStream().transferTo(to.getOutputStream());
                } catch (java.io.IOException e) {
                    // closed
                }
            });
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
            synchronized (sockets) {
                for (java.net.Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
