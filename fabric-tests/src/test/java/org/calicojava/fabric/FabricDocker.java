package org.calicojava.fabric;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.calicojava.testing.Sh;

/**
 * Docker on a fabric host, as libnetwork-driver's DockerIT runs it: the Docker driver
 * ({@code bin/calico-java-libnetwork --hostname hN}, its socket in a temp dir) and a dockerd (own data and exec roots,
 * {@code --iptables=false --ip-masq=false --bridge=none}, vfs), both started in host N's namespace with
 * {@code nsenter --net} (so each PID is the daemon's own), the driver registered under a plugin name of this fabric
 * ({@code /etc/docker/plugins/NAME.spec}), and an image {@code cj-busybox} imported from busybox-static.
 * {@link #close} removes the containers, stops both daemons by PID and removes the spec, mounts and temp dir.
 */
final class FabricDocker implements AutoCloseable {
    static final String DOCKER = "/usr/bin/docker"; // the client of the installed dockerd's release
    final String plugin;
    private final Fabric f;
    private final int host;
    private final Path tmp;
    private final Path spec;
    private final List<Path> createdOutside = new ArrayList<>();
    private Process driver;
    private Process dockerd;

    FabricDocker(Fabric f, int host) throws IOException {
        this.f = f;
        this.host = host;
        this.plugin = "cj" + f.id.substring(3) + "h" + host;
        this.tmp = Files.createTempDirectory("cjfd");
        this.spec = Path.of("/etc/docker/plugins", plugin + ".spec");
        for (Path p : List.of(
                Path.of("/etc/docker/key.json"),
                Path.of("/run/docker/plugins"),
                Path.of("/run/docker"),
                Path.of("/run/containerd/s"),
                Path.of("/run/containerd"),
                Path.of("/etc/docker/plugins"),
                Path.of("/etc/docker"))) {
            if (!Files.exists(p)) {
                createdOutside.add(p); // removed on close if empty
            }
        }
    }

    /** Starts the driver and dockerd, registers the plugin, imports the image. */
    void start() throws IOException, InterruptedException {
        Path socket = tmp.resolve("driver.sock");
        driver = inHost(
                "driver",
                Fabric.HOME.resolve("bin/calico-java-libnetwork").toString(),
                "--hostname",
                "h" + host,
                "--socket",
                socket.toString(),
                "--etcd-endpoints",
                f.etcd());
        await(Duration.ofSeconds(90), "the Docker driver's socket", () -> Files.exists(socket), driver, "driver");
        if (Files.exists(spec)) {
            throw new AssertionError("a Docker plugin spec " + spec + " exists already");
        }
        Files.createDirectories(spec.getParent());
        Files.writeString(spec, "unix://" + socket + "\n");
        dockerd = inHost(
                "dockerd",
                "dockerd",
                "--data-root",
                tmp.resolve("data").toString(),
                "--exec-root",
                tmp.resolve("exec").toString(),
                "--pidfile",
                tmp.resolve("dockerd.pid").toString(),
                "-H",
                "unix://" + tmp.resolve("docker.sock"),
                "--iptables=false",
                "--ip-masq=false",
                "--ip6tables=false",
                "--bridge=none",
                "--storage-driver",
                "vfs");
        await(
                Duration.ofSeconds(120),
                "dockerd answering",
                () -> docker("version").ok(),
                dockerd,
                "dockerd");
        Path bin = tmp.resolve("rootfs/bin");
        Files.createDirectories(bin);
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "ping", "sleep", "ip", "cat", "nc", "echo")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Fabric.Result r = Fabric.sh(
                List.of(
                        "sh",
                        "-c",
                        "tar -C '" + tmp.resolve("rootfs") + "' -c . | " + DOCKER + " -H 'unix://"
                                + tmp.resolve("docker.sock") + "' import - cj-busybox"),
                Duration.ofMinutes(2));
        if (!r.ok()) {
            throw new AssertionError("docker import: " + r.out());
        }
    }

    private Process inHost(String name, String... cmd) throws IOException {
        List<String> c = new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + f.ns("h" + host)));
        c.addAll(List.of(cmd));
        return new ProcessBuilder(c)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile())
                .start();
    }

    private void await(Duration d, String what, java.util.function.BooleanSupplier ok, Process p, String log)
            throws InterruptedException {
        long deadline = System.nanoTime() + d.toNanos();
        while (!ok.getAsBoolean()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + "; " + log + " log:\n" + log(log));
            }
            Thread.sleep(300);
        }
    }

    String log(String name) {
        try {
            List<String> all = Files.readAllLines(tmp.resolve(name + ".log"));
            return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        } catch (IOException e) {
            return "(none)";
        }
    }

    /** The docker CLI against this dockerd. */
    Fabric.Result docker(String... args) {
        List<String> c = new ArrayList<>(List.of(DOCKER, "-H", "unix://" + tmp.resolve("docker.sock")));
        c.addAll(List.of(args));
        return Fabric.sh(c, Duration.ofMinutes(2));
    }

    String dockerOk(String... args) {
        Fabric.Result r = docker(args);
        if (!r.ok()) {
            throw new AssertionError("docker " + String.join(" ", args) + ": " + r.out());
        }
        return r.out().trim();
    }

    /** A process running {@code docker ARGS} (e.g. exec of a server), its output readable when it ends. */
    Process dockerProcess(String... args) throws IOException {
        List<String> c = new ArrayList<>(List.of(DOCKER, "-H", "unix://" + tmp.resolve("docker.sock")));
        c.addAll(List.of(args));
        return new ProcessBuilder(c).redirectErrorStream(true).start();
    }

    @Override
    public void close() {
        if (dockerd != null && dockerd.isAlive()) {
            Fabric.Result ps = docker("ps", "-aq");
            if (ps.ok() && !ps.out().isBlank()) {
                List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                rm.addAll(List.of(ps.out().trim().split("\\s+")));
                docker(rm.toArray(String[]::new));
            }
            docker("network", "prune", "-f");
        }
        System.err.println("dockerd log:\n" + log("dockerd") + "\ndriver log:\n" + log("driver"));
        Sh.stop(dockerd, 60); // SIGTERM to this PID (nsenter exec'd the daemon)
        Sh.stop(driver, 60);
        try {
            Files.deleteIfExists(spec);
        } catch (IOException e) {
            System.err.println("could not remove " + spec + ": " + e.getMessage());
        }
        for (Path p : createdOutside) {
            try {
                if (Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.list(p)) {
                        if (s.findAny().isPresent()) {
                            continue;
                        }
                    }
                }
                Files.deleteIfExists(p);
            } catch (IOException e) {
                System.err.println("could not remove " + p + ": " + e.getMessage());
            }
        }
        Fabric.sh(
                List.of("sh", "-c", "grep -o ' " + tmp + "[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l"),
                Duration.ofSeconds(30));
        try (Stream<Path> walk = Files.walk(tmp)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + tmp + ": " + e.getMessage());
        }
    }
}
