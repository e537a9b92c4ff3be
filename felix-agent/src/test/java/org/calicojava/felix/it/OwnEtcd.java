package org.calicojava.felix.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away etcd of a test's own (as scripts/lib/etcd.sh starts one): free 127.0.0.1 ports, a temp data dir;
 * {@link #stop()} kills it by PID, {@link #start()} brings it back with the same data and ports.
 */
final class OwnEtcd implements AutoCloseable {
    final Path dir;
    final int clientPort;
    final int peerPort;
    private Process process;

    OwnEtcd() throws IOException {
        Sh.require("etcd");
        dir = Files.createTempDirectory("v6-etcd-");
        clientPort = freePort();
        int p = freePort();
        while (p == clientPort) {
            p = freePort();
        }
        peerPort = p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    long pid() {
        return process.pid();
    }

    /** Starts etcd and waits until it answers (up to 20 s). */
    void start() throws IOException {
        String client = endpoint();
        String peer = "http://127.0.0.1:" + peerPort;
        process = new ProcessBuilder(List.of("etcd", "--name", "cj", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer, "--initial-cluster", "cj=" + peer, "--logger", "zap",
                "--log-outputs", dir.resolve("etcd.log").toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long ms = Sh.waitFor(20, () -> !process.isAlive() || Sh.run("etcdctl", "--endpoints", client,
                "endpoint", "health").exit() == 0);
        if (ms < 0 || !process.isAlive()) {
            String log = Sh.run("tail", "-5", dir.resolve("etcd.log").toString()).out();
            stop();
            throw new AssertionError("etcd did not start at " + client + ": " + log);
        }
    }

    /** Stops etcd by its PID (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
    void stop() {
        if (process == null) {
            return;
        }
        Sh.run("kill", Long.toString(process.pid()));
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                Sh.run("kill", "-9", Long.toString(process.pid()));
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
        Sh.run("rm", "-rf", dir.toString());
    }
}
