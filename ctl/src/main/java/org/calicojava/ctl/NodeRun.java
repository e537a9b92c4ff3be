package org.calicojava.ctl;

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
import org.calicojava.model.Json;
import org.calicojava.model.Names;
import org.calicojava.store.cli.EtcdSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code javactl node run}: registers the node (as {@code node add}) and runs its processes under a {@link Supervisor}:
 * felix-agent, confd-renderer (rendering the speaker's or BIRD's config into the run directory), the BGP daemon chosen
 * by {@code --backend} (the built-in speaker, BIRD, or none), with {@code --libnetwork} the Docker driver and, with
 * {@code --cni}, the resident CNI server that {@code bin/calico-java-cni} hands its calls to.
 * The run directory (default /var/run/calico-java/NAME) holds node.pid, status.json, each child's .log and .pid, the
 * rendered configs and the daemons' control sockets; {@code node stop} and {@code node status} read it.
 */
@Command(
        name = "run",
        description = "Register this node and run its processes (felix-agent, confd-renderer, BGP), supervised.")
final class NodeRun extends Sub {
    @Option(names = "--name", required = true, paramLabel = "NAME")
    String name;

    @Option(names = "--ip", required = true, paramLabel = "IPV4")
    String ip;

    @Option(names = "--ip6", paramLabel = "IPV6")
    String ip6;

    @Option(names = "--as", paramLabel = "ASN")
    String as;

    @Option(
            names = "--backend",
            defaultValue = "java",
            paramLabel = "java|bird|none",
            description = "BGP: the built-in speaker (java), BIRD with the rendered config (bird), or none")
    String backend;

    @Option(
            names = "--no-felix",
            description = "do not run felix-agent (a control plane only: confd and the BGP daemon, "
                    + "as for scale benches without workloads)")
    boolean noFelix;

    @Option(names = "--libnetwork", description = "also run the Docker network/IPAM driver")
    boolean libnetwork;

    @Option(
            names = "--cni",
            description = "also run the CNI server (calico-java-cni serve on " + CNI_SOCKET
                    + "): CNI calls then cost no JVM start")
    boolean cni;

    @Option(
            names = "--ctl-server",
            description = "also run the resident javactl (javactl serve on " + CtlServer.DEFAULT_SOCKET
                    + "): javactl's read commands on this host then cost no JVM start")
    boolean ctlServer;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "default: /var/run/calico-java/NAME")
    Path runDir;

    @Option(
            names = "--keep-capabilities",
            description = "start the children with all of node run's capabilities "
                    + "(default when root: each only its own, see the README)")
    boolean keepCapabilities;

    /** Where bin/calico-java-cni looks for the server by default. */
    static final String CNI_SOCKET = "/var/run/calico-java/cni.sock";

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
                if (ProcCmdline.of(old).map(c -> c.isNodeRun(n)).orElse(false)) {
                    throw fail("node " + n + " is already running (pid " + old + ", " + dir + ")");
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NumberFormatException e) {
            log(n, "ignoring a node.pid that holds no PID");
        }
        NodeCommand.register(this, n, ip, ip6, as);
        if (root().etcd.password != null) {
            log(
                    n,
                    "the etcd password is on node run's own command line, visible in ps (its children get it through "
                            + "their environment); use --etcd-password-file or ETCD_PASSWORD_FILE");
        }
        Launcher launcher = Launcher.fromEnvironment(keepCapabilities);
        if (launcher.warning() != null) {
            log(n, launcher.warning());
        }
        List<Supervisor.Spec> specs = specs(n, dir, launcher);
        Supervisor sup = new Supervisor(dir, line -> log(n, line), Duration.ofSeconds(1), Duration.ofSeconds(30));
        CountDownLatch stopped = new CountDownLatch(1);
        // the hook is in place before node.pid and before the first child: a SIGTERM at any moment of the start-up
        // stops every child started so far (and the supervisor starts none after it), and removes node.pid
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
        try {
            ProcCmdline.writePidFile(pidFile, ProcessHandle.current().pid());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        log(
                n,
                "calico-java node running (" + backend + " backend" + (noFelix ? ", no felix" : "")
                        + (libnetwork ? ", libnetwork" : "") + (cni ? ", cni" : "") + (ctlServer ? ", ctl server" : "")
                        + "), run dir " + dir);
        specs.forEach(sup::start);
        NodeBgpStatus bgpStatus = new NodeBgpStatus(store(), keys(), n, dir, line -> log(n, line));
        for (long tick = 0; stopped.getCount() > 0; tick++) {
            writeStatus(dir, n, sup, "running");
            if (tick % 5 == 4) {
                bgpStatus.publish(); // for javactl graph
            }
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

    /**
     * The children. etcd settings reach felix, confd and the Docker driver only through their environment (nothing
     * on a command line, where every local user could read a password); the BGP daemon gets no etcd settings.
     */
    private List<Supervisor.Spec> specs(String n, Path dir, Launcher launcher) {
        Path home = home();
        String bin = home.resolve("bin").toString();
        Map<String, String> etcdEnv = root().settings().childEnv();
        Map<String, String> noEtcd = EtcdSettings.noEtcdEnv();
        List<Supervisor.Spec> out = new ArrayList<>();
        if (!noFelix) {
            out.add(spec(launcher, "felix-agent", List.of(bin + "/felix-agent", "--hostname", n), etcdEnv));
        }
        if (!backend.equals("none")) {
            Path confd = ConfdSetup.write(dir, home, backend);
            out.add(spec(
                    launcher,
                    "confd-renderer",
                    List.of(bin + "/confd-renderer", "--node", n, "--confdir", confd.toString()),
                    etcdEnv));
            if (backend.equals("java")) {
                Path cfg = dir.resolve("bgp-speaker.yaml");
                // a control socket left by a previous speaker is removed first (confd's reload, bgp-speaker --reload,
                // would find nobody accepting on it and count it as no speaker anyway; see ConfdSetup)
                String sock =
                        ConfdSetup.shellQuote(dir.resolve("bgp-speaker.ctl").toString());
                out.add(spec(
                        launcher,
                        "bgp-speaker",
                        List.of(
                                "sh",
                                "-c",
                                "rm -f " + sock + "; while [ ! -s '" + cfg
                                        + "' ]; do sleep 0.2; done; exec '" + bin + "/bgp-speaker' --config '" + cfg
                                        + "' --control-socket " + sock),
                        noEtcd));
            } else {
                Path cfg = dir.resolve("bird.conf");
                out.add(spec(
                        launcher,
                        "bird",
                        List.of(
                                "sh",
                                "-c",
                                "while [ ! -s '" + cfg + "' ]; do sleep 0.2; done; " + "exec bird -f -c '" + cfg
                                        + "' -s '" + dir.resolve("bird.ctl") + "' -P '" + dir.resolve("bird.pid")
                                        + "'"),
                        noEtcd));
            }
        }
        if (libnetwork) {
            out.add(spec(launcher, "libnetwork", List.of(bin + "/calico-java-libnetwork", "--hostname", n), etcdEnv));
        }
        if (cni) { // HOSTNAME: a configuration without nodename means this node
            Map<String, String> cniEnv = new java.util.HashMap<>(etcdEnv);
            cniEnv.put("HOSTNAME", n);
            out.add(spec(launcher, "cni", List.of(bin + "/calico-java-cni", "serve", "--socket", CNI_SOCKET), cniEnv));
        }
        if (ctlServer) { // the caller's environment comes with each call: the server needs none of its own
            Map<String, String> ctlEnv = new java.util.HashMap<>(noEtcd);
            ctlEnv.put("HOSTNAME", null);
            out.add(spec(
                    launcher, "ctl", List.of(bin + "/javactl", "serve", "--socket", CtlServer.DEFAULT_SOCKET), ctlEnv));
        }
        return out;
    }

    private static Supervisor.Spec spec(Launcher launcher, String name, List<String> command, Map<String, String> env) {
        return new Supervisor.Spec(name, launcher.wrap(name, command), env);
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
            Files.move(
                    tmp,
                    dir.resolve("status.json"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ignored) {
            // the status file is informational
        }
    }
}
