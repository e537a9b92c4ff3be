package org.calicojava.bgp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.calicojava.bgp.bfd.BfdManager;
import org.calicojava.bgp.config.ConfigException;
import org.calicojava.bgp.control.ControlServer;
import org.calicojava.bgp.control.ReloadClient;
import org.calicojava.bgp.kernel.KernelSync;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.rib.Rib;
import org.calicojava.bgp.rib.RoutingConfig;
import org.calicojava.bgp.session.Peer;
import org.calicojava.bgp.session.Speaker;
import org.calicojava.bgp.yaml.SpeakerFile;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;
import org.calicojava.common.OneLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bgp-speaker --config FILE [--control-socket PATH] [--check]} or {@code bgp-speaker --reload SOCKET}: runs the speaker (sessions, RIB, kernel routes,
 * control socket, metrics) until SIGTERM/SIGINT, then closes sessions (without NOTIFICATION where graceful restart was
 * negotiated, so peers keep our routes; our kernel routes stay). SIGHUP re-reads FILE and applies it without touching
 * sessions whose settings did not change. {@code --check} validates FILE through the config loader (everything the
 * daemon checks before it opens a socket) and prints {@code ok} (exit 0) or a one-line error (exit 1). Bad usage exits
 * 2, as does the daemon with a bad config. {@code --reload SOCKET} asks a running speaker to reload through its control
 * socket ({@link ReloadClient}); a speaker whose file changed between its load and its socket being up reloads by
 * itself once started, so a reload that found no speaker listening is never lost. Options are parsed by picocli, as in the other programs.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final long CONVERGE_TIMEOUT_S = 120;
    private static final java.time.Duration RELOAD_TIMEOUT = java.time.Duration.ofSeconds(20);

    private static volatile Main running;
    private static volatile boolean hupWhileStarting;
    private final Path file;
    private final Path controlOverride;
    private Speaker speaker;
    private Rib rib;
    private KernelSync kernel;
    private RoutingConfig routing;
    private BfdManager bfd;

    /** FILE's bytes as read before the config was loaded (null if unreadable): compared once the socket is up. */
    private final byte[] loaded;

    private Main(Path file, Path controlOverride, byte[] loaded) {
        this.file = file;
        this.controlOverride = controlOverride;
        this.loaded = loaded;
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
    }

    static SpeakerFile load(Path file, Path controlOverride) {
        SpeakerFile f = SpeakerYamlLoader.load(file);
        return controlOverride == null ? f : f.withControlSocket(controlOverride);
    }

    synchronized String reload() {
        try {
            SpeakerFile l = load(file, controlOverride);
            if (l.routing().kernel().enabled() != routing.kernel().enabled()
                    || l.routing().metricsPort() != routing.metricsPort()
                    || !l.routing().metricsHost().equals(routing.metricsHost())) {
                throw new IllegalArgumentException(
                        "kernel.enabled, metrics.port, metrics.host: changed (expected: unchanged on reload; restart the speaker)");
            }
            speaker.reconfigure(l.speaker());
            rib.reconfigure(l.speaker(), l.routing());
            configureBfd(l);
            blackholes(l);
            routing = l.routing();
            LOG.info("reloaded {}", file);
            return "reloaded " + file;
        } catch (ConfigException | IllegalArgumentException e) {
            LOG.warn("reload of {} refused: {}", file, e.getMessage());
            return "error: reload refused: " + e.getMessage();
        }
    }

    private void configureBfd(SpeakerFile l) {
        if (bfd != null) {
            bfd.configure(l.bfd());
        } else if (!l.bfd().isEmpty()) {
            LOG.warn("bfd: not available without the epoll transport; neighbours' bfd settings ignored");
        }
    }

    /** The kernel's blackhole routes for the originated blocks as {@code l} says (none when it turns them off). */
    private void blackholes(SpeakerFile l) {
        if (kernel != null) {
            kernel.blackholes(
                    l.routing().kernel().blackholes()
                            ? new LinkedHashSet<>(l.speaker().originate())
                            : java.util.Set.of());
            kernel.ipip(l.routing().kernel().ipip()); // IP-in-IP pools (a no-op when unchanged)
        }
    }

    private void run(SpeakerFile l) throws IOException, InterruptedException {
        routing = l.routing();
        Metrics metrics = new Metrics();
        rib = new Rib(l.speaker(), routing, metrics);
        speaker = new Speaker(l.speaker(), rib);
        if (io.netty.channel.epoll.Epoll.isAvailable()) { // BFD runs on epoll only (its TTL filter, socket options)
            bfd = new BfdManager(null, null, BfdManager.PORT, metrics, (peer, graceful, why) -> {
                for (Peer p : speaker.peers()) {
                    if (p.address().equals(peer)) {
                        p.bfdDown(graceful, why);
                    }
                }
            });
        }
        if (routing.kernel().enabled()) {
            kernel = new KernelSync(routing.kernel(), metrics);
            kernel.start(rib::kernelRoute);
            blackholes(l);
            rib.onConverged(kernel::sweepLeftovers);
            rib.thread().schedule(rib::converge, CONVERGE_TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS);
        }
        rib.attach(speaker, kernel);
        metrics.gauges(() -> sessionsByState(rib), rib::sizes);
        if (routing.metricsPort() > 0) {
            metrics.serve(routing.metricsHost(), routing.metricsPort());
        }
        ControlServer control =
                routing.controlSocket() == null ? null : new ControlServer(routing.control(), rib, this::reload);
        // held until started: a reload through the socket that comes meanwhile waits for it
        synchronized (this) {
            if (control != null) {
                control.bfd(bfd);
                control.start();
            }
            speaker.start();
            configureBfd(l);
            running = this;
            // confd may have swapped in a new file after we read ours and before our socket was there to take its
            // reload (it then found no speaker): compare, and reload once if so
            boolean changed = !java.util.Arrays.equals(loaded, bytes(file));
            if (changed) {
                LOG.info("{} changed while the speaker started; reloading it", file);
            }
            if (hupWhileStarting || changed) {
                reload();
            }
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            speaker.close(true);
                            if (bfd != null) {
                                bfd.close();
                            }
                            if (control != null) {
                                control.close();
                            }
                            if (kernel != null) {
                                kernel.close();
                            }
                            rib.close();
                            metrics.close();
                            done.countDown();
                        },
                        "shutdown"));
        done.await();
    }

    private static java.util.Map<String, Integer> sessionsByState(Rib rib) {
        java.util.Map<String, Integer> byState = new java.util.TreeMap<>();
        for (var row : rib.protocols()) {
            byState.merge((String) row.get("state"), 1, Integer::sum);
        }
        return byState;
    }

    /** The command line (picocli); {@link #call} runs the check or the daemon. */
    @Command(
            name = "bgp-speaker",
            mixinStandardHelpOptions = true,
            version = "bgp-speaker 0.1.0",
            description = "BGP speaker for calico-java: sessions, RIB, kernel routes, control socket, metrics. "
                    + "SIGHUP re-reads the config; SIGTERM closes the sessions.")
    static final class Cli implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE", description = "The speaker's YAML config (required).")
        Path config;

        @Option(
                names = "--reload",
                paramLabel = "SOCKET",
                description = "Ask the speaker on control socket SOCKET to reload its config and exit: 0 when it "
                        + "reloaded or no speaker listens there, 1 (one line) when it refused or did not answer.")
        Path reload;

        @Option(
                names = "--control-socket",
                paramLabel = "PATH",
                description = "Unix socket for javactl (overrides the config's controlSocket).")
        Path controlSocket;

        @Option(
                names = "--check",
                description = "Validate FILE as the daemon would (the config loader) and exit: "
                        + "prints ok (exit 0) or a one-line error (exit 1); opens no sockets.")
        boolean check;

        @Override
        public Integer call() throws InterruptedException {
            if (reload != null) {
                if (config != null || controlSocket != null || check) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), "--reload SOCKET takes no other option");
                }
                return reload(reload);
            }
            if (config == null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "Missing required option: '--config=FILE'");
            }
            return check ? check(config, controlSocket) : runDaemon(config, controlSocket);
        }
    }

    /** {@code --check}: everything the daemon validates before it opens a socket. */
    static int check(Path file, Path control) {
        try {
            load(file, control);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("bgp-speaker: " + file + ": " + OneLine.of(e.getMessage()));
            return 1;
        }
        System.out.println("ok");
        return 0;
    }

    /** {@code --reload SOCKET}: see {@link ReloadClient}; the outcome in one line (stdout when 0, stderr when 1). */
    static int reload(Path socket) {
        ReloadClient.Outcome o = ReloadClient.reload(socket, RELOAD_TIMEOUT);
        if (o.kind() == ReloadClient.Kind.FAILED) {
            System.err.println("bgp-speaker: reload: " + o.message());
            return 1;
        }
        System.out.println(o.message());
        return 0;
    }

    private static int runDaemon(Path file, Path control) throws InterruptedException {
        // SIGHUP may come (confd re-render) while we start: remember it and reload once running
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
            Main m = running;
            if (m != null) {
                m.reload();
            } else {
                hupWhileStarting = true;
            }
        });
        SpeakerFile l;
        byte[] loaded = bytes(file); // before the loader reads it: a change after this is found once started
        try {
            l = load(file, control);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("bgp-speaker: " + file + ": " + OneLine.of(e.getMessage()));
            return 2;
        }
        try {
            new Main(file, control, loaded).run(l);
            return 0;
        } catch (IllegalStateException | IOException e) {
            System.err.println("bgp-speaker: " + e.getMessage());
            return 1;
        }
    }

    /** Exit codes: 0 ok, 1 check failed or the daemon could not start, 2 bad usage or (daemon) a bad config. */
    static int run(String... args) {
        return new CommandLine(new Cli()).setExpandAtFiles(false).execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
