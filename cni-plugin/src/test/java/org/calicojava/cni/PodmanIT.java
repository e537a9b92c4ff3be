package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A real CNI runtime: Podman with its CNI backend ({@code network_backend = "cni"} and {@code cni_plugin_dirs} in a
 * containers.conf this test writes, {@code --cni-config-dir}, storage and run state in the test's directory) and
 * felix-agent, both in the namespace standing for the host; the networks chain bandwidth and portmap after
 * calico-java-cni as the README's .conflist does. Two containers on one calico-java network ping each
 * other, a container on another network is denied, {@code javactl endpoint show} lists them, and {@code podman rm}
 * leaves no veth, endpoint or address. Busybox is imported from busybox-static, as the Docker test does. The same
 * again with the resident CNI server running: Podman's calls then go through the shim to it.
 */
class PodmanIT {
    Path work;
    CniHost host;
    /** CALICO_JAVA_CNI_SOCKET for Podman's plugin calls: empty, the one-shot path. */
    String cniSocket = "";

    @Test
    void podmanContainersOnCalicoJavaNetworks() throws Exception {
        podmanOnCalicoJava(false);
    }

    @Test
    void podmanThroughTheCniServer() throws Exception {
        podmanOnCalicoJava(true);
    }

    private void podmanOnCalicoJava(boolean viaServer) throws Exception {
        for (String jar : List.of("felix-agent/target", "ctl/target")) {
            try (Stream<Path> s = Files.list(CniHost.REPO.resolve(jar))) {
                assertThat(s.anyMatch(p -> p.toString().endsWith("-SNAPSHOT.jar")))
                        .as(jar + " has no jar: package it")
                        .isTrue();
            }
        }
        host = new CniHost();
        Process felix = null;
        Process server = null;
        work = host.tmp;
        try {
            if (viaServer) {
                Files.setPosixFilePermissions(
                        work, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
                cniSocket = work.resolve("cni/cni.sock").toString();
                server = host.startServer(Path.of(cniSocket), work.resolve("cni-server.log"));
            }
            pinSocket();
            host.pool("10.97.0.0/16", 0);
            host.routeWorkloads();
            writeConfig();
            Path felixLog = work.resolve("felix.log");
            felix = new ProcessBuilder(
                            "ip",
                            "netns",
                            "exec",
                            host.ns,
                            CniHost.REPO.resolve("bin/felix-agent").toString(),
                            "--hostname",
                            CniHost.HOST,
                            "--etcd-endpoints",
                            host.etcdInside,
                            "--etcd-prefix",
                            host.keys.root())
                    .redirectErrorStream(true)
                    .redirectOutput(felixLog.toFile())
                    .start();
            podman("import", work.resolve("rootfs.tar").toString(), "localhost/cj-busybox");
            for (String c : List.of("c1", "c2")) {
                podman("run", "-d", "--network", "cjnet", "--name", c, "localhost/cj-busybox", "sleep", "600");
            }
            podman("run", "-d", "--network", "cjother", "--name", "c3", "localhost/cj-busybox", "sleep", "600");
            String ip1 = ip("c1");
            String ip2 = ip("c2");
            assertThat(ip1).startsWith("10.97.");
            assertThat(host.caliLinks()).hasSize(3);
            assertThat(host.endpoints()).hasSize(3).allMatch(kv -> kv.key().contains("/workload/cni/"));

            boolean pinged = waitFor(
                    90,
                    () -> run("exec", "c1", "ping", "-c", "1", "-W", "1", ip2).rc() == 0);
            assertThat(pinged).as("c1 pings c2; felix log:\n" + tail(felixLog)).isTrue();
            assertThat(run("exec", "c2", "ping", "-c", "2", "-W", "2", ip1).rc())
                    .as("c2 pings c1")
                    .isZero();
            assertThat(run("exec", "c3", "ping", "-c", "2", "-W", "2", ip1).rc())
                    .as("c3, on another network, is denied")
                    .isNotZero();

            String show = CniHost.sh(List.of(
                    "env",
                    "ETCD_ENDPOINTS=" + host.store.endpoint(),
                    "CALICO_ETCD_PREFIX=" + host.keys.root(),
                    CniHost.REPO.resolve("bin/javactl").toString(),
                    "endpoint",
                    "show"));
            assertThat(show)
                    .contains(containerId("c1"))
                    .contains(containerId("c2"))
                    .contains("cni");

            podman("rm", "-f", "-t", "0", "c1", "c2", "c3");
            if (viaServer) {
                assertThat(CniHost.served(Path.of(cniSocket), "ADD"))
                        .as("Podman's ADDs through the server")
                        .isEqualTo(3);
                assertThat(CniHost.served(Path.of(cniSocket), "DEL"))
                        .as("Podman's DELs through the server; its log:\n" + tail(work.resolve("cni-server.log")))
                        .isEqualTo(3);
            }
            assertThat(host.caliLinks()).isEmpty();
            assertThat(host.endpoints()).isEmpty();
            assertThat(host.store.list(host.keys.ipamHandles()).kvs()).isEmpty();
        } finally {
            run("rm", "-f", "-a", "-t", "0");
            if (server != null) {
                server.destroy();
                server.waitFor(20, TimeUnit.SECONDS);
            }
            if (felix != null) {
                felix.destroy();
                felix.waitFor(20, TimeUnit.SECONDS);
            }
            host.close();
        }
    }

    /**
     * The plugins in the directory Podman runs them from become wrappers that fix CALICO_JAVA_CNI_SOCKET (and the lock
     * directory, this build's, not the host's /run). Podman's
     * own environment is not enough: a container's network may be torn down by the cleanup process conmon starts,
     * which does not inherit it (seen on CI: all three DELs took the one-shot path). In production the shim's default
     * socket path plays this part.
     */
    private void pinSocket() throws IOException {
        for (String plugin : List.of("calico-java-cni", "calico-java-ipam")) {
            Path link = host.binDir.resolve(plugin);
            Files.delete(link);
            Files.writeString(
                    link,
                    "#!/bin/bash\nexport CALICO_JAVA_CNI_SOCKET='" + cniSocket + "'\n"
                            + "export CALICO_JAVA_CNI_LOCK_DIR='" + AttachmentLock.dir() + "'\nexec "
                            + CniHost.REPO.resolve("bin/" + plugin) + " \"$@\"\n");
            Files.setPosixFilePermissions(link, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private void writeConfig() throws IOException {
        Path conf = Files.createDirectory(work.resolve("net.d"));
        for (String net : List.of("cjnet", "cjother")) {
            Files.writeString(
                    conf.resolve(net + ".conflist"),
                    "{\"cniVersion\":\"1.0.0\",\"name\":\"" + net + "\","
                            + "\"plugins\":[{\"type\":\"calico-java-cni\",\"etcd_endpoints\":\"" + host.etcdInside
                            + "\","
                            + "\"etcd_prefix\":\"" + host.keys.root() + "\",\"nodename\":\"" + CniHost.HOST + "\","
                            + "\"ipam\":{\"type\":\"calico-java-ipam\"}},"
                            + "{\"type\":\"bandwidth\",\"capabilities\":{\"bandwidth\":true}},"
                            + "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true},\"snat\":true}]}\n");
        }
        // nproc: this machine refuses runc's setrlimit of RLIMIT_NPROC at podman's default (the host's hard limit)
        Files.writeString(
                work.resolve("containers.conf"),
                "[network]\nnetwork_backend = \"cni\"\n"
                        + "cni_plugin_dirs = [\"" + host.binDir + "\"]\nnetwork_config_dir = \"" + conf + "\"\n"
                        + "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\nevents_logfile_path = \""
                        + work.resolve("events.log") + "\"\ntmp_dir = \"" + work.resolve("podman-tmp") + "\"\n"
                        + "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=4096:4096\"]\n");
        Path bin = Files.createDirectories(work.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "ping", "sleep", "ip", "cat")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        CniHost.sh(List.of(
                "tar",
                "-C",
                work.resolve("rootfs").toString(),
                "-cf",
                work.resolve("rootfs.tar").toString(),
                "."));
    }

    private String ip(String container) {
        return podman("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container)
                .trim();
    }

    private String containerId(String container) {
        return podman("inspect", "-f", "{{.Id}}", container).trim();
    }

    private String podman(String... args) {
        CniHost.Call c = run(args);
        assertThat(c.rc()).as("podman " + String.join(" ", args) + ": " + c).isZero();
        return c.out();
    }

    /** Podman in the host namespace (nsenter --net: the machine's /sys and cgroups stay visible, as runc needs). */
    private CniHost.Call run(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                "nsenter",
                "--net=" + Path.of("/var/run/netns", host.ns),
                "podman",
                "--root",
                work.resolve("storage").toString(),
                "--runroot",
                work.resolve("run").toString(),
                "--storage-driver",
                "vfs",
                "--cni-config-dir",
                work.resolve("net.d").toString()));
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment()
                    .putAll(Map.of(
                            "CONTAINERS_CONF",
                            work.resolve("containers.conf").toString(),
                            "CALICO_JAVA_CNI_SOCKET",
                            cniSocket));
            Path out = Files.createTempFile(work, "podman", ".out");
            Path err = Files.createTempFile(work, "podman", ".err");
            Process p =
                    pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return new CniHost.Call(
                    p.exitValue(),
                    Files.readString(out).trim(),
                    Files.readString(err).trim());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static boolean waitFor(int seconds, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(500);
        }
        return false;
    }
}
