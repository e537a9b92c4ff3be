package org.calicojava.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private etcd (Debian etcd-server) for tests that need their own: one member on free 127.0.0.1 ports with a temp
 * data dir, stopped by its PID; it can be stopped and started again on the same ports and data (to test outages and
 * reconnects). {@link EtcdCluster} makes several of these into one cluster.
 */
public final class EtcdProcess implements AutoCloseable {
    private final String name;
    private final String host;
    private final String peerScheme;
    private final Path dir;
    private final int clientPort;
    private final int peerPort;
    private final String scheme;
    private final List<String> extraArgs;
    private String initialCluster;
    private Process process;

    /** A single-member etcd; {@code scheme} http or https (with TLS flags in {@code extraArgs}). */
    public EtcdProcess(String scheme, List<String> extraArgs) throws IOException {
        this("t", scheme, extraArgs);
    }

    EtcdProcess(String name, String scheme, List<String> extraArgs) throws IOException {
        this(name, "127.0.0.1", scheme, "http", extraArgs);
    }

    /**
     * A member listening on {@code host} (a loopback address such as 127.0.0.2, so that members can have certificates
     * of their own), clients on {@code scheme}, peers on {@code peerScheme} (https: peer TLS flags in extraArgs).
     */
    EtcdProcess(String name, String host, String scheme, String peerScheme, List<String> extraArgs) throws IOException {
        this.name = name;
        this.host = host;
        this.peerScheme = peerScheme;
        this.dir = Files.createTempDirectory("cj-etcd-");
        this.clientPort = freePort(host);
        this.peerPort = freePort(host);
        this.extraArgs = List.copyOf(extraArgs);
        this.scheme = scheme;
        this.initialCluster = name + "=" + peerUrl();
    }

    public static EtcdProcess plain() throws IOException {
        return new EtcdProcess("http", List.of());
    }

    /**
     * Ports this JVM handed out: the kernel gives a closed ephemeral port out again soon, so a cluster's six ports
     * could otherwise repeat (one member's peer port another's client port: "bind: address already in use").
     */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A free TCP port on 127.0.0.1 now, not one this JVM handed out before. */
    public static int freePort() throws IOException {
        return freePort(InetAddress.getLoopbackAddress().getHostAddress());
    }

    private static int freePort(String host) throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }

    /** Whether this member could not start because another socket took one of its ports first. */
    static boolean lostAPort(IllegalStateException e) {
        return e.getMessage() != null && e.getMessage().contains("address already in use");
    }

    public Path dir() {
        return dir;
    }

    public String host() {
        return host;
    }

    public String name() {
        return name;
    }

    public int clientPort() {
        return clientPort;
    }

    public String endpoint() {
        return scheme + "://" + host + ":" + clientPort;
    }

    String peerUrl() {
        return peerScheme + "://" + host + ":" + peerPort;
    }

    void initialCluster(String members) {
        this.initialCluster = members;
    }

    /** The running process's PID (for tests that stop it the way an outage would). */
    public long pid() {
        return process.pid();
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    /** Starts the member and waits (up to 20 s) until it listens; returns this. */
    public EtcdProcess start() throws IOException, InterruptedException {
        spawn();
        awaitListening();
        return this;
    }

    void spawn() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                "etcd",
                "--name",
                name,
                "--data-dir",
                dir.resolve("data").toString(),
                "--listen-client-urls",
                endpoint(),
                "--advertise-client-urls",
                endpoint(),
                "--listen-peer-urls",
                peerUrl(),
                "--initial-advertise-peer-urls",
                peerUrl(),
                "--initial-cluster",
                initialCluster,
                "--logger",
                "zap",
                "--log-outputs",
                dir.resolve("etcd.log").toString()));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile())
                .start();
    }

    void awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd " + name + " exited: " + Files.readString(dir.resolve("out.log"))
                        + tail(dir.resolve("etcd.log")));
            }
            try (Socket s = new Socket(host, clientPort)) {
                Thread.sleep(200); // listening; give it a moment to elect a leader
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException(
                "etcd " + name + " did not start listening on " + endpoint() + tail(dir.resolve("etcd.log")));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops the member by PID (SIGTERM, then SIGKILL after 10 s), keeping its data. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Kills the member by PID (SIGKILL, as a crash), keeping its data; returns when it is gone. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Runs etcdctl (API v3) against this member; returns its output (stdout and stderr). */
    public String etcdctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "ETCDCTL_API=3", "etcdctl", "--endpoints", endpoint()));
        cmd.addAll(List.of(args));
        return Sh.run(cmd, 20).text();
    }

    /** Stops the member and removes its data. */
    @Override
    public void close() throws InterruptedException {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
