package org.calicojava.bgp.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.calicojava.bgp.codec.Ip;

/**
 * The speaker's metrics in a Prometheus Java client registry of its own, served on {@code GET /metrics}: sessions by
 * state, updates and prefixes in/out per peer, RIB sizes, best-path computations, kernel route operations and their
 * time. The client does the types, label escaping and the exposition format (counters end in {@code _total}).
 * Thread-safe.
 */
public final class Metrics implements AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Counter sessionChanges = counter("bgp_session_changes", "Sessions reaching or leaving Established");
    private final Counter updatesReceived = counter("bgp_updates_received", "UPDATE messages received", "peer");
    private final Counter prefixesReceived = counter("bgp_prefixes_received", "Prefixes announced to us", "peer");
    private final Counter updatesSent = counter("bgp_updates_sent", "UPDATE messages sent", "peer");
    private final Counter bestPath = counter("bgp_best_path_computations", "Best-path decisions");
    private final Counter kernelOps = counter("bgp_kernel_route_operations", "Kernel route requests answered", "op");
    private final Counter kernelSeconds = counter("bgp_kernel_route_seconds", "Time in kernel route requests", "op");
    /** Per-peer data points by address: the RIB counts every UPDATE, so the labelled point is looked up once per peer. */
    private final Map<InetAddress, CounterDataPoint> updatesIn = new ConcurrentHashMap<>();

    private final Map<InetAddress, CounterDataPoint> prefixesIn = new ConcurrentHashMap<>();
    private final Map<InetAddress, CounterDataPoint> updatesOut = new ConcurrentHashMap<>();
    private volatile Supplier<Map<String, Integer>> sessions = Map::of;
    private volatile Supplier<Map<String, Long>> ribSizes = Map::of;
    private HTTPServer server;

    public Metrics() {
        GaugeWithCallback.builder()
                .name("bgp_sessions")
                .help("Configured neighbours by session state")
                .labelNames("state")
                .callback(cb -> sessions.get().forEach((state, n) -> cb.call(n, state)))
                .register(registry);
        GaugeWithCallback.builder()
                .name("bgp_rib_prefixes")
                .help("Prefixes in the Loc-RIB and in every Adj-RIB-In/Out")
                .labelNames("rib")
                .callback(cb -> ribSizes.get().forEach((rib, n) -> cb.call(n, rib)))
                .register(registry);
    }

    /** The counter {@code name} (without {@code _total}) with these label names, registered on first use. */
    public Counter counter(String name, String help, String... labelNames) {
        return counters.computeIfAbsent(
                name,
                n -> Counter.builder().name(n).help(help).labelNames(labelNames).register(registry));
    }

    public void sessionChange() {
        sessionChanges.inc();
    }

    public void updateIn(InetAddress peer) {
        perPeer(updatesIn, updatesReceived, peer).inc();
    }

    public void prefixesIn(InetAddress peer, int n) {
        perPeer(prefixesIn, prefixesReceived, peer).inc(n);
    }

    public void updatesOut(InetAddress peer, int n) {
        perPeer(updatesOut, updatesSent, peer).inc(n);
    }

    private static CounterDataPoint perPeer(Map<InetAddress, CounterDataPoint> byPeer, Counter c, InetAddress peer) {
        CounterDataPoint p = byPeer.get(peer);
        if (p != null) {
            return p;
        }
        return byPeer.computeIfAbsent(peer, a -> c.labelValues(Ip.string(a)));
    }

    public void bestPathRun() {
        bestPath.inc();
    }

    public void bestPathRuns(long n) {
        bestPath.inc(n);
    }

    /** One kernel route request of {@code op} (add, replace, delete) that took {@code nanos}. */
    public void kernelOp(String op, long nanos) {
        kernelOps.labelValues(op).inc();
        kernelSeconds.labelValues(op).inc(nanos / 1e9);
    }

    /** Gauges read at scrape time: configured neighbours by session state, and RIB sizes by RIB. */
    public void gauges(Supplier<Map<String, Integer>> sessionsByState, Supplier<Map<String, Long>> sizes) {
        sessions = sessionsByState;
        ribSizes = sizes;
    }

    /** The registry in the Prometheus text format (what {@code GET /metrics} answers). */
    public String text() {
        return new PrometheusTextFormatWriter(false).toDebugString(registry.scrape());
    }

    /** Serves the registry on {@code host:port} (port 0: an ephemeral one, see {@link #port}). */
    public void serve(String host, int port) throws IOException {
        server = HTTPServer.builder()
                .hostname(host)
                .port(port)
                .registry(registry)
                .buildAndStart();
    }

    public int port() {
        return server == null ? 0 : server.getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
