package org.calicojava.bgp.metrics;

import com.sun.net.httpserver.HttpServer;
import org.calicojava.bgp.codec.Ip;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Prometheus text metrics (exposition format 0.0.4) on {@code GET /metrics}: sessions by state, updates and prefixes
 * in/out per peer, RIB size, best-path computations, kernel route operations and their time, BFD packets and state changes.
 */
public final class Metrics implements AutoCloseable {
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private volatile Supplier<String> gauges = () -> "";
    private HttpServer server;

    public void sessionChange() { add("bgp_session_changes_total", 1); }

    /** Per-peer counters by address: the RIB counts every UPDATE, so the labelled key is built once per peer. */
    private final Map<InetAddress, LongAdder> updatesIn = new ConcurrentHashMap<>(), prefixesIn = new ConcurrentHashMap<>(),
            updatesOut = new ConcurrentHashMap<>();

    public void updateIn(InetAddress peer) { perPeer(updatesIn, "bgp_updates_received_total", peer).increment(); }

    public void prefixesIn(InetAddress peer, int n) { perPeer(prefixesIn, "bgp_prefixes_received_total", peer).add(n); }

    public void updatesOut(InetAddress peer, int n) { perPeer(updatesOut, "bgp_updates_sent_total", peer).add(n); }

    private LongAdder perPeer(Map<InetAddress, LongAdder> byPeer, String name, InetAddress peer) {
        LongAdder a = byPeer.get(peer);
        if (a != null) return a;
        return byPeer.computeIfAbsent(peer, p -> counters.computeIfAbsent(name + "{peer=\"" + Ip.string(p) + "\"}", k -> new LongAdder()));
    }

    private final LongAdder bestPath = counters.computeIfAbsent("bgp_best_path_computations_total", k -> new LongAdder());

    public void bestPathRun() { bestPath.increment(); }

    public void bestPathRuns(long n) { bestPath.add(n); }

    public void kernelOp(String op, long nanos) {
        add("bgp_kernel_route_operations_total{op=\"" + op + "\"}", 1);
        add("bgp_kernel_route_seconds_total_micros{op=\"" + op + "\"}", nanos / 1000);
    }

    public void add(String key, long n) { counters.computeIfAbsent(key, k -> new LongAdder()).add(n); }

    /** The counter named {@code key} (with its labels), for a caller that counts on a hot path without a map lookup. */
    public LongAdder counter(String key) { return counters.computeIfAbsent(key, k -> new LongAdder()); }

    /** Gauges computed at scrape time (sessions by state, RIB sizes), already in text format. */
    public void gauges(Supplier<String> s) { gauges = s; }

    public String text() {
        StringBuilder sb = new StringBuilder();
        new java.util.TreeMap<>(counters).forEach((k, v) -> {
            String name = k.contains("{") ? k.substring(0, k.indexOf('{')) : k;
            if (name.endsWith("_micros")) {
                sb.append(k.replace("_total_micros", "_total")).append(' ').append(v.sum() / 1e6).append('\n');
            } else {
                sb.append(k).append(' ').append(v.sum()).append('\n');
            }
        });
        sb.append(gauges.get());
        return sb.toString();
    }

    public void serve(String host, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getByName(host), port), 16);
        server.createContext("/metrics", ex -> {
            byte[] b = text().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) { o.write(b); }
        });
        server.start();
    }

    public int port() { return server == null ? 0 : server.getAddress().getPort(); }

    @Override public void close() { if (server != null) server.stop(0); }
}
