package org.calicojava.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private etcd (Debian etcd-server) for tests that need their own: started on free 127.0.0.1 ports with a temp
 * data dir, stopped by PID. Can be restarted on the same ports and data (to test reconnects).
 */
public final class EtcdProcess implements AutoCloseable {
    private final Path dir;
    private final int clientPort;
    private final int peerPort;
    private final List<String> extraArgs;
    private final String scheme;
    private Process process;

    public EtcdProcess(String scheme, List<String> extraArgs) throws IOException {
        this.dir = Files.createTempDirectory("cj-etcd-");
        this.clientPort = freePort();
        this.peerPort = freePort();
        this.extraArgs = extraArgs;
        this.scheme = scheme;
    }

    public static EtcdProcess plain() throws IOException {
        return new EtcdProcess("http", List.of());
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public Path dir() {
        return dir;
    }

    public String endpoint() {
        return scheme + "://127.0.0.1:" + clientPort;
    }

    public EtcdProcess start() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("etcd", "--name", "t", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-cluster", "t=http://127.0.0.1:" + peerPort,
                "--logger", "zap", "--log-outputs", dir.resolve("etcd.log").toString()));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited: " + Files.readString(dir.resolve("out.log")));
            }
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", clientPort)) {
                Thread.sleep(200); // listening; give it a moment to become leader
                return this;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("etcd did not start listening on " + endpoint());
    }

    /** Stops etcd by PID (SIGTERM, then SIGKILL), keeping its data. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs etcdctl against this etcd; returns its output. */
    public String etcdctl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(20, TimeUnit.SECONDS);
        return out;
    }

    @Override
    public void close() throws Exception {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
