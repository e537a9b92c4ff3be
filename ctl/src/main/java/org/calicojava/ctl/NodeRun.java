package org.calicojava.ctl;

import org.calicojava.model.Json;
import org.calicojava.model.Names;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code javactl node run}: registers the node (as {@code node add}) and runs its processes under a {@link Supervisor}:
 * felix-agent, confd-renderer (rendering the speaker's or BIRD's config into the run directory), the BGP daemon chosen
 * by {@code --backend} (the built-in speaker, BIRD, or none) and, with {@code --libnetwork}, the Docker driver.
 * The run directory (default /var/run/calico-java/NAME) holds node.pid, status.json, each child's .log and .pid, the
 * rendered configs and the daemons' control sockets; {@code node stop} and {@code node status} read it.
 */
@Command(name = "run", description = "Register this node and run its processes (felix-agent, confd-renderer, BGP), supervised.")
final class NodeRun extends Sub {
    @Option(names = "--name", required = true, paramLabel = "NAME")
    String name;
    @Option(names = "--ip", required = true, paramLabel = "IPV4")
    String ip;
    @Option(names = "--ip6", paramLabel = "IPV6")
    String ip6;
    @Option(names = "--as", paramLabel = "ASN")
    String as;
    @Option(names = "--backend", defaultValue = "java", paramLabel = "java|bird|none",
            description = "BGP: the built-in speaker (java), BIRD with the rendered config (bird), or none")
    String backend;
    @Option(names = "--libnetwork", description = "also run the Docker network/IPAM driver")
    boolean libnetwork;
    @Option(names = "--run-dir", paramLabel = "DIR", description = "default: /var/run/calico-java/NAME")
    Path runDir;

    static Path home() {
        String h = System.getProperty("calico.home");
        return Path.of(h != null ? h : ".").toAbsolutePath().normalize();
    }

    static Path runDir(Path given, String name) {
        return given != null ? given.toAbsolutePath() : Path.of("/var/run/calico-java", name);
    }

    @Override
    public void run() {
        String n = Names.check("host", name);
        if (!List.of("java", "bird", "none").contains(backend)) {
            throw fail("--backend: '" + backend + "' (expected: java, bird or none)");
        }
        Path dir = runDir(runDir, n);
        Path pidFile = dir.resolve("node.pid");
        try {
            if (Files.exists(pidFile)) {
                long old = Long.parseLong(Files.readString(pidFile).trim());
                if (ProcessHandle.of(old).map(ProcessHandle::isAlive).orElse(false)) {
                    throw fail("node " + n + " is already running (pid " + old + ", " + dir + ")");
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        NodeCommand.register(this, n, ip, ip6, as);
        List<Supervisor.Spec> specs = specs(n, dir);
        try {
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Supervisor sup = new Supervisor(dir, line -> log(n, line), Duration.ofSeconds(1), Duration.ofSeconds(30));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log(n, "stopping");
            sup.stop(Duration.ofSeconds(15));
            writeStatus(dir, n, sup, "stopped");
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // best effort
            }
            log(n, "stopped");
            stopped.countDown();
        }));
        log(n, "calico-java node running (" + backend + " backend" + (libnetwork ? ", libnetwork" : "") + "), run dir " + dir);
        specs.forEach(sup::start);
        while (stopped.getCount() > 0) {
            writeStatus(dir, n, sup, "running");
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void log(String node, String line) {
        System.err.println(Instant.now() + " node " + node + ": " + line);
    }

    private List<Supervisor.Spec> specs(String n, Path dir) {
        Path home = home();
        String bin = home.resolve("bin").toString();
        List<String> etcd = etcdArgs();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CALICO_ETCD_PREFIX", keys().root());
        List<Supervisor.Spec> out = new ArrayList<>();
        List<String> felix = new ArrayList<>(List.of(bin + "/felix-agent", "--hostname", n));
        felix.addAll(etcd);
        out.add(new Supervisor.Spec("felix-agent", felix, env));
        if (!backend.equals("none")) {
            Path confd = ConfdSetup.write(dir, home, backend);
            List<String> c = new ArrayList<>(List.of(bin + "/confd-renderer", "--node", n, "--confdir", confd.toString()));
            c.addAll(etcd);
            out.add(new Supervisor.Spec("confd-renderer", c, env));
            if (backend.equals("java")) {
                Path cfg = dir.resolve("bgp-speaker.yaml");
                out.add(new Supervisor.Spec("bgp-speaker", List.of("sh", "-c", "while [ ! -s '" + cfg
                        + "' ]; do sleep 0.2; done; exec '" + bin + "/bgp-speaker' --config '" + cfg
                        + "' --control-socket '" + dir.resolve("bgp-speaker.ctl") + "'"), env));
            } else {
                Path cfg = dir.resolve("bird.conf");
                out.add(new Supervisor.Spec("bird", List.of("sh", "-c", "while [ ! -s '" + cfg + "' ]; do sleep 0.2; done; "
                        + "exec bird -f -c '" + cfg + "' -s '" + dir.resolve("bird.ctl") + "' -P '" + dir.resolve("bird.pid") + "'"), env));
            }
        }
        if (libnetwork) {
            List<String> l = new ArrayList<>(List.of(bin + "/calico-java-libnetwork", "--hostname", n));
            l.addAll(etcd);
            out.add(new Supervisor.Spec("libnetwork", l, env));
        }
        return out;
    }

    /** The etcd options javactl was given, passed on to every daemon. */
    private List<String> etcdArgs() {
        Javactl r = root();
        var cfg = r.etcdConfig();
        List<String> a = new ArrayList<>(List.of("--etcd-endpoints", cfg.describe(), "--etcd-prefix", keys().root()));
        if (cfg.caFile() != null) {
            a.addAll(List.of("--etcd-ca-cert", cfg.caFile().toString()));
        }
        if (cfg.certFile() != null) {
            a.addAll(List.of("--etcd-cert", cfg.certFile().toString(), "--etcd-key", cfg.keyFile().toString()));
        }
        if (cfg.username() != null) {
            a.addAll(List.of("--etcd-username", cfg.username(), "--etcd-password", cfg.password()));
        }
        return a;
    }

    static void writeStatus(Path dir, String node, Supervisor sup, String state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", node);
        m.put("state", state);
        m.put("pid", ProcessHandle.current().pid());
        m.put("time", Instant.now().toString());
        m.put("processes", sup.describe());
        try {
            Path tmp = dir.resolve("status.json.tmp");
            Files.writeString(tmp, Json.write(m));
            Files.move(tmp, dir.resolve("status.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ignored) {
            // the status file is informational
        }
    }
}
