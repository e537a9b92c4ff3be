package org.calicojava.felix.agent;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * felix's counters and gauges in a Prometheus Java client registry of its own (the client does the types, escaping
 * and exposition format; counters are exposed with the {@code _total} suffix). Metrics are named here once;
 * {@link #inc}/{@link #gauge} with a name not declared here is a programming error. Thread-safe.
 */
public final class Metrics {
    /** Records read from etcd and skipped as invalid (bad key or value). */
    public static final String INVALID_RECORDS = "felix_datastore_invalid_records";
    /** Keys removed from the state because applying them failed unexpectedly. */
    public static final String QUARANTINED_KEYS = "felix_quarantined_keys";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

    public Metrics() {
        gauge("felix_active_local_endpoints", "Local workload endpoints in state active");
        gauge("felix_active_policies", "Tiered policies that apply to local endpoints");
        gauge("felix_ipsets", "ipsets programmed");
        counter("felix_iptables_restore_calls", "iptables-restore runs");
        counter("felix_iptables_restore_errors", "iptables-restore runs that failed");
        counter("felix_iptables_restore_seconds", "Total time in iptables-restore");
        counter("felix_nft_calls", "nft -f runs");
        counter("felix_nft_errors", "nft -f runs that failed");
        counter("felix_nft_seconds", "Total time writing nftables transactions (netlink or nft -f)");
        counter("felix_nft_netlink_commits", "nftables transactions committed over netlink");
        counter("felix_calc_seconds", "Total time in the calculation (datastore state to desired dataplane)");
        counter("felix_nft_model_seconds", "Total time building the nftables model and its diff from the kernel's");
        counter("felix_nft_encode_seconds", "Total time encoding nftables transactions as netlink batches");
        counter(
                "felix_nft_kernel_seconds",
                "Total time in the kernel's nftables commits over netlink (from the send to the last answer)");
        counter(
                "felix_nft_netlink_fallbacks",
                "nftables transactions written with nft -f because the netlink commit could not be sent");
        counter(
                "felix_nft_stale_handles",
                "nftables transactions refused while editing chains by rule handle, "
                        + "written again with the chains whole");
        counter("felix_resyncs", "Full resyncs from the datastore");
        gauge("felix_update_to_dataplane_seconds", "Time from the last datastore update to dataplane programmed");
        counter("felix_refreshes", "Periodic dataplane refreshes (drift checks)");
        counter(
                "felix_refreshes_skipped",
                "Refreshes that did not read the rules back: the nftables generation "
                        + "showed no commit since the last read-back");
        counter(INVALID_RECORDS, "Records read from etcd that were invalid and skipped (bad key or value)");
        counter(QUARANTINED_KEYS, "Keys removed from the state because applying them failed unexpectedly");
        counter(
                "felix_program_failures",
                "Unexpected failures of calculation or programming (retried; " + Agent.MAX_PROGRAM_FAILURES
                        + " in a row exit the process)");
        gauge(
                "felix_route_conflicts",
                "Endpoint routes refused now: a route of another protocol has the same destination");
        gauge("felix_vxlan_routes", "Routes to remote blocks in VXLAN pools (through vxlan.calico or native)");
        gauge("felix_vxlan_remote_vteps", "Remote VXLAN tunnel endpoints with FDB and neighbour entries");
        counter("felix_drift_repairs", "Chains found changed by hand and rewritten");
    }

    private void counter(String name, String help) {
        counters.put(name, Counter.builder().name(name).help(help).register(registry));
    }

    private void gauge(String name, String help) {
        gauges.put(name, Gauge.builder().name(name).help(help).register(registry));
    }

    private Counter counterNamed(String name) {
        Counter c = counters.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no felix counter " + name);
        }
        return c;
    }

    public void inc(String name) {
        add(name, 1);
    }

    public void add(String name, long n) {
        counterNamed(name).inc(n);
    }

    public void addSeconds(String name, double seconds) {
        counterNamed(name).inc(seconds);
    }

    public void gauge(String name, double value) {
        Gauge g = gauges.get(name);
        if (g == null) {
            throw new IllegalArgumentException("no felix gauge " + name);
        }
        g.set(value);
    }

    /** A counter's value (for tests and status). */
    public long counter(String name) {
        return (long) counterNamed(name).get();
    }

    /** A seconds counter's value (for benchmarks). */
    public double seconds(String name) {
        return counterNamed(name).get();
    }

    /** The registry in the Prometheus text format (what {@link #serve} answers). */
    public String render() {
        return new PrometheusTextFormatWriter(false).toDebugString(registry.scrape());
    }

    /** Serves the registry on {@code host:port} (every path; port 0 = ephemeral); the caller closes the server. */
    public HTTPServer serve(String host, int port) {
        HealthServer.limits();
        try {
            return HTTPServer.builder()
                    .hostname(host)
                    .port(port)
                    .registry(registry)
                    .buildAndStart();
        } catch (IOException e) {
            throw new UncheckedIOException("metrics port " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }
}
