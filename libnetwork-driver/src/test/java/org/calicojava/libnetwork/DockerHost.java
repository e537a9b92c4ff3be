package org.calicojava.libnetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.calicojava.netlink.Address;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.Sysctl;
import org.calicojava.testing.Sh;

/**
 * A simulated Docker host: namespace {@code cj-dock-XXXX} with an uplink veth to {@code cj-dup-XXXX} and a default
 * route through it (so proxy ARP answers for 169.254.1.1), IP forwarding on, and a dockerd started inside it with
 * {@code nsenter --net} (its own data/exec roots in a temp dir, no iptables, no bridge, vfs storage), with the image
 * {@code cj-busybox} imported from busybox-static. {@link #close} stops everything by PID and removes what it made,
 * including files dockerd drops outside its roots when they did not exist before.
 */
final class DockerHost implements AutoCloseable {
    static final String DOCKER = "/usr/bin/docker";
    final String suffix =
            Integer.toHexString(0x10000 + ThreadLocalRandom.current().nextInt(0xeffff));
    final String ns = "cj-dock-" + suffix;
    final String uplinkNs = "cj-dup-" + suffix;
    final Path tmp;
    private final List<Path> createdOutside = new ArrayList<>();
    private final List<Process> daemons = new ArrayList<>();
    private Process dockerd;

    DockerHost() throws IOException {
        tmp = Files.createTempDirectory("cjd");
        for (Path p : List.of(
                Path.of("/etc/docker/key.json"),
                Path.of("/run/docker/plugins"),
                Path.of("/run/docker"),
                Path.of("/run/containerd/s"),
                Path.of("/run/containerd"),
                Path.of("/etc/docker/plugins"))) {
            if (!Files.exists(p)) {
                createdOutside.add(p); // removed on close if dockerd or we created it (and it is empty)
            }
        }
    }

    void createNetwork() {
        NetNs.create(ns);
        NetNs.create(uplinkNs);
        try (Netlink nl = NetNs.open(ns);
                Netlink up = NetNs.open(uplinkNs)) {
            nl.setUp("lo");
            up.setUp("lo");
            nl.createVeth("uplink", "peer", NetNs.path(uplinkNs));
            nl.addAddress(Address.of(nl.link("uplink").orElseThrow().index(), IpPrefix.parse("192.0.2.1/24")));
            up.addAddress(Address.of(up.link("peer").orElseThrow().index(), IpPrefix.parse("192.0.2.2/24")));
            nl.setUp("uplink");
            up.setUp("peer");
            nl.addRoute(Route.builder("0.0.0.0/0")
                    .via("192.0.2.2", nl.link("uplink").orElseThrow().index())
                    .build());
        }
        NetNs.run(ns, () -> {
            Sysctl.set("net/ipv4/ip_forward", "1");
            Sysctl.set("net/ipv6/conf/all/forwarding", "1");
            return null;
        });
    }

    Path dockerSocket() {
        return tmp.resolve("docker.sock");
    }

    void startDockerd() {
        Path log = tmp.resolve("dockerd.log");
        try {
            dockerd = new ProcessBuilder(
                            "nsenter",
                            "--net=" + NetNs.path(ns),
                            "dockerd",
                            "--data-root",
                            tmp.resolve("data").toString(),
                            "--exec-root",
                            tmp.resolve("exec").toString(),
                            "--pidfile",
                            tmp.resolve("dockerd.pid").toString(),
                            "-H",
                            "unix://" + dockerSocket(),
                            "--iptables=false",
                            "--ip-masq=false",
                            "--bridge=none",
                            "--storage-driver",
                            "vfs")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError("cannot start dockerd: " + e.getMessage());
        }
        if (Sh.waitFor(90, () -> dockerd.isAlive() && docker("version").ok()) < 0) {
            throw new AssertionError("dockerd did not come up; its log:\n" + tail(log, 30));
        }
    }

    void importBusybox() throws IOException {
        Path root = tmp.resolve("rootfs/bin");
        Files.createDirectories(root);
        Files.copy(Path.of("/bin/busybox"), root.resolve("busybox"));
        for (String applet : List.of("sh", "ping", "ping6", "sleep", "ip", "cat", "ls")) {
            Files.createSymbolicLink(root.resolve(applet), Path.of("busybox"));
        }
        Path tar = tmp.resolve("rootfs.tar");
        Sh.ok(List.of("tar", "-C", tmp.resolve("rootfs").toString(), "-cf", tar.toString(), "."), 60);
        Sh.Result r = Sh.run(List.of(DOCKER, "-H", "unix://" + dockerSocket(), "import", "-", "cj-busybox"), tar, 120);
        if (!r.ok()) {
            throw new AssertionError("docker import failed: " + r);
        }
    }

    /** Registers the plugin name {@code name} for this host's dockerd through a spec file pointing at the socket. */
    void registerPlugin(String name, Path socket) throws IOException {
        Path sock = Path.of("/run/docker/plugins", name + ".sock");
        Path spec = Path.of("/etc/docker/plugins", name + ".spec");
        if (Files.exists(sock) || Files.exists(spec)) {
            throw new AssertionError("a '" + name + "' Docker plugin is already installed on this machine (" + sock
                    + " or " + spec + "); stop it before running this test");
        }
        Files.createDirectories(spec.getParent());
        Files.writeString(spec, "unix://" + socket + "\n");
        createdOutside.add(0, spec);
    }

    /** Starts a daemon inside the namespace ({@code ip netns exec}), output to {@code TMP/<name>.log}. */
    Process startInNamespace(String name, List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile())
                .start();
        daemons.add(p);
        return p;
    }

    String log(String name, int lines) {
        return tail(tmp.resolve(name + ".log"), lines);
    }

    Sh.Result docker(String... args) {
        List<String> cmd = new ArrayList<>(List.of(DOCKER, "-H", "unix://" + dockerSocket()));
        cmd.addAll(List.of(args));
        return Sh.run(cmd, 120).trimmed();
    }

    Sh.Result inNs(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(args));
        return Sh.run(cmd, 60).trimmed();
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (dockerd != null && dockerd.isAlive()) {
            Sh.Result ps = docker("ps", "-aq");
            if (ps.ok() && !ps.out().isBlank()) {
                List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                rm.addAll(List.of(ps.out().split("\\s+")));
                docker(rm.toArray(String[]::new));
            }
        }
        Sh.stop(dockerd, 60); // nsenter execs dockerd: this PID is dockerd's
        for (int i = daemons.size() - 1; i >= 0; i--) {
            Sh.stop(daemons.get(i), 30);
        }
        for (String n : List.of(ns, uplinkNs)) {
            if (NetNs.exists(n)) {
                NetNs.delete(n);
            }
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
        Sh.run(List.of("sh", "-c", "grep -o ' " + tmp + "[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l"), 30);
        try (Stream<Path> walk = Files.walk(tmp)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + tmp + ": " + e.getMessage());
        }
    }
}
