package org.calicojava.bgp;

import org.calicojava.bgp.config.ConfigException;
import org.calicojava.bgp.config.ConfigLoader;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.control.ControlServer;
import org.calicojava.bgp.kernel.KernelSync;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.rib.Rib;
import org.calicojava.bgp.rib.RoutingConfig;
import org.calicojava.bgp.rib.RoutingConfigLoader;
import org.calicojava.bgp.session.Speaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bgp-speaker --config FILE [--control-socket PATH] [--check]}: runs the speaker (sessions, RIB, kernel routes,
 * control socket, metrics) until SIGTERM/SIGINT, then closes sessions (without NOTIFICATION where graceful restart was
 * negotiated, so peers keep our routes; our kernel routes stay). SIGHUP re-reads FILE and applies it without touching
 * sessions whose settings did not change. {@code --check} validates FILE and exits 0, or 1 with a one-line error.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    private static final long CONVERGE_TIMEOUT_S = 120;

    private static volatile Main running;
    private static volatile boolean hupWhileStarting;
    private final Path file;
    private final Path controlOverride;
    private Speaker speaker;
    private Rib rib;
    private KernelSync kernel;
    private RoutingConfig routing;

    private Main(Path file, Path controlOverride) {
        this.file = file;
        this.controlOverride = controlOverride;
    }

    record Loaded(SpeakerConfig speaker, RoutingConfig routing) {}

    static Loaded load(Path file, Path controlOverride) {
        SpeakerConfig s = ConfigLoader.load(file);
        RoutingConfig r = RoutingConfigLoader.load(file);
        if (controlOverride != null) r = r.withControlSocket(controlOverride);
        return new Loaded(s, r);
    }

    synchronized String reload() {
        try {
            Loaded l = load(file, controlOverride);
            if (l.routing().kernel().enabled() != routing.kernel().enabled() || l.routing().metricsPort() != routing.metricsPort()) {
                throw new IllegalArgumentException("kernel.enabled, metrics.port: changed (expected: unchanged on reload; restart the speaker)");
            }
            speaker.reconfigure(l.speaker());
            rib.reconfigure(l.speaker(), l.routing());
            blackholes(l);
            routing = l.routing();
            log.info("reloaded {}", file);
            return "reloaded " + file;
        } catch (ConfigException | IllegalArgumentException e) {
            log.warn("reload of {} refused: {}", file, e.getMessage());
            return "error: reload refused: " + e.getMessage();
        }
    }

    /** The kernel's blackhole routes for the originated blocks as {@code l} says (none when it turns them off). */
    private void blackholes(Loaded l) {
        if (kernel != null) {
            kernel.blackholes(l.routing().kernel().blackholes() ? new LinkedHashSet<>(l.speaker().originate()) : java.util.Set.of());
        }
    }

    private void run(Loaded l) throws IOException, InterruptedException {
        routing = l.routing();
        Metrics metrics = new Metrics();
        rib = new Rib(l.speaker(), routing, metrics);
        speaker = new Speaker(l.speaker(), rib);
        if (routing.kernel().enabled()) {
            kernel = new KernelSync(routing.kernel(), metrics);
            kernel.start(rib::kernelRoute);
            blackholes(l);
            rib.onConverged(kernel::sweepLeftovers);
            rib.thread().schedule(rib::converge, CONVERGE_TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS);
        }
        rib.attach(speaker, kernel);
        metrics.gauges(() -> gauges(rib));
        if (routing.metricsPort() > 0) metrics.serve(routing.metricsPort());
        ControlServer control = routing.controlSocket() == null ? null : new ControlServer(routing.controlSocket(), rib, this::reload);
        if (control != null) control.start();
        speaker.start();
        running = this;
        if (hupWhileStarting) reload();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            speaker.close(true);
            if (control != null) control.close();
            if (kernel != null) kernel.close();
            rib.close();
            metrics.close();
            done.countDown();
        }, "shutdown"));
        done.await();
    }

    private static String gauges(Rib rib) {
        StringBuilder sb = new StringBuilder();
        java.util.Map<String, Integer> byState = new java.util.TreeMap<>();
        for (var row : rib.protocols()) byState.merge((String) row.get("state"), 1, Integer::sum);
        byState.forEach((s, n) -> sb.append("bgp_sessions{state=\"").append(s).append("\"} ").append(n).append('\n'));
        rib.sizes().forEach((k, v) -> sb.append("bgp_rib_prefixes{rib=\"").append(k).append("\"} ").append(v).append('\n'));
        return sb.toString();
    }

    public static void main(String[] args) throws InterruptedException, IOException {
        // SIGHUP may come (confd re-render) while we start: remember it and reload once running
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
            Main m = running;
            if (m != null) m.reload();
            else hupWhileStarting = true;
        });
        Path file = null, control = null;
        boolean check = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> file = i + 1 < args.length ? Path.of(args[++i]) : null;
                case "--control-socket" -> control = i + 1 < args.length ? Path.of(args[++i]) : null;
                case "--check" -> check = true;
                default -> file = null;
            }
            if (file == null && (args[i].equals("--config") || !args[i].startsWith("--"))) break;
        }
        if (file == null) {
            System.err.println("usage: bgp-speaker --config FILE [--control-socket PATH] [--check]");
            System.exit(2);
        }
        Loaded l;
        try {
            l = load(file, control);
        } catch (ConfigException e) {
            System.err.println("bgp-speaker: " + file + ": " + e.getMessage());
            System.exit(check ? 1 : 2);
            return;
        }
        if (check) {
            System.out.println("bgp-speaker: " + file + ": ok");
            System.exit(0);
        }
        try {
            new Main(file, control).run(l);
        } catch (IllegalStateException | IOException e) {
            System.err.println("bgp-speaker: " + e.getMessage());
            System.exit(1);
        }
    }
}
