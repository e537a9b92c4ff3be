package org.calicojava.confd;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;
import org.calicojava.process.CommandRunner;
import org.calicojava.process.ProcessRunner;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.JetcdStore;
import org.calicojava.store.cli.EtcdOptions;
import org.calicojava.store.cli.EtcdSettings;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code confd-renderer [--onetime] --node NAME --confdir DIR [--dest-root DIR]} plus etcd options. */
@Command(
        name = "confd-renderer",
        mixinStandardHelpOptions = true,
        version = "confd-renderer 0.1.0",
        description = "Renders config files (bgp-speaker YAML, BIRD 2) from etcd through mustache templates; "
                + "checks, swaps in and reloads them when etcd changes.")
public final class Main implements Callable<Integer> {
    @Option(names = "--onetime", description = "Render everything once and exit (exit code 0 only if all succeeded).")
    boolean onetime;

    @Option(names = "--node", description = "This node's name (default: $NODENAME, else the host name).")
    String node;

    @Option(names = "--confdir", description = "Directory with conf.d/ and templates/ (default: the shipped one).")
    Path confdir;

    @Option(names = "--dest-root", description = "Prefix for every dest path (for tests and trying it out).")
    Path destRoot;

    @Mixin
    EtcdOptions etcd = new EtcdOptions();

    @Option(
            names = "--quiet-ms",
            defaultValue = "50",
            description = "Render after this long without changes (default: ${DEFAULT-VALUE}).")
    long quietMs;

    @Option(
            names = "--max-delay-ms",
            defaultValue = "200",
            description = "Render at most this long after a burst's first change (default: ${DEFAULT-VALUE}).")
    long maxDelayMs;

    @Option(
            names = "--metrics-port",
            defaultValue = "0",
            description = "Serve Prometheus metrics on this port "
                    + "(/metrics: confd_invalid_records, renders, reloads, failures); 0 = off (default).")
    int metricsPort;

    @Option(
            names = "--metrics-host",
            defaultValue = "0.0.0.0",
            description = "Address the metrics endpoint listens "
                    + "on (default: ${DEFAULT-VALUE}, as Calico's PrometheusMetricsHost).")
    String metricsHost;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, c, p) -> {
            c.getErr().println("confd-renderer: " + e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        EtcdSettings settings = etcd.resolve(System.getenv());
        String nodeName = Names.check(
                "node",
                node != null
                        ? node
                        : env("NODENAME") != null
                                ? env("NODENAME")
                                : InetAddress.getLocalHost().getHostName().split("\\.")[0]);
        Path dir = confdir != null ? confdir : shippedConfDir();
        Keys keys = new Keys(settings.prefix());
        List<TemplateResource> resources = new ResourceLoader(dir, nodeName, keys.root(), destRoot).load();
        for (TemplateResource r : resources) {
            if (!Files.isReadable(r.src())) {
                throw new IllegalArgumentException(r.name() + ": template " + r.src() + " is not readable");
            }
        }
        if (metricsPort < 0 || metricsPort > 65535) {
            throw new IllegalArgumentException("--metrics-port: " + metricsPort + " (expected: 0..65535, 0 = off)");
        }
        CommandRunner runner = ProcessRunner.local();
        ConfdMetrics metrics = new ConfdMetrics();
        ResourceProcessor processor = new ResourceProcessor(
                keys,
                nodeName,
                new TemplateRenderer(dir.resolve("templates")),
                runner,
                Duration.ofSeconds(30),
                metrics,
                ResourceProcessor.REPEAT_INVALID,
                etcdAddresses(settings.etcd().endpoints()));
        if (metricsPort > 0) {
            try {
                metrics.serve(metricsHost, metricsPort);
            } catch (java.io.IOException e) {
                System.err.println(
                        "confd-renderer: metrics on " + metricsHost + ":" + metricsPort + ": " + e.getMessage());
                return 1;
            }
        }
        try (metrics;
                JetcdStore store = new JetcdStore(settings.etcd())) {
            if (onetime) {
                return ConfdDaemon.renderOnce(store, resources, processor) ? 0 : 1;
            }
            try (ConfdDaemon daemon = new ConfdDaemon(
                    store, resources, processor, Duration.ofMillis(quietMs), Duration.ofMillis(maxDelayMs))) {
                daemon.start();
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                stop.await();
            }
            return 0;
        } catch (DatastoreException e) {
            System.err.println("confd-renderer: " + e.getMessage());
            return 1;
        }
    }

    /**
     * The etcd endpoints' IP addresses, which the BGP templates protect from peers outside the mesh: an IP literal as
     * it is, a host name resolved once now (one log line per name that does not resolve; it is then unprotected).
     */
    static List<String> etcdAddresses(List<URI> endpoints) {
        List<String> out = new ArrayList<>();
        for (URI u : endpoints) {
            String host = u.getHost();
            if (host == null) {
                continue;
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                for (InetAddress a : InetAddress.getAllByName(host)) {
                    String ip = a.getHostAddress();
                    int zone = ip.indexOf('%');
                    out.add(zone < 0 ? ip : ip.substring(0, zone));
                }
            } catch (java.net.UnknownHostException e) {
                LoggerFactory.getLogger(Main.class)
                        .warn(
                                "etcd endpoint host {} does not resolve; its address is not "
                                        + "protected from BGP peers outside the mesh",
                                LogText.quote(host));
            }
        }
        return out.stream().map(ip -> Cidr.host(ip).ip()).distinct().toList();
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? null : v;
    }

    /** The module's etc/confd: beside target/ of the jar or classes directory this class was loaded from. */
    static Path shippedConfDir() {
        String override = env("CONFD_RENDERER_CONFDIR");
        if (override != null) {
            return Path.of(override);
        }
        try {
            Path p = Path.of(Main.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            for (Path d = p; d != null; d = d.getParent()) {
                Path candidate = d.resolve("etc/confd");
                if (Files.isDirectory(candidate.resolve("conf.d"))) {
                    return candidate;
                }
            }
        } catch (Exception ignored) {
            // fall through
        }
        throw new IllegalArgumentException("--confdir: not given and the shipped etc/confd was not found");
    }
}
