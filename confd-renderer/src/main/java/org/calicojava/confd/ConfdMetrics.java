package org.calicojava.confd;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;

/**
 * confd's Prometheus metrics (its own registry, served by {@link #serve} when {@code --metrics-port} is given):
 * {@code confd_invalid_records} (records the last render pass skipped), {@code confd_invalid_records_reported_total}
 * (bad values reported), {@code confd_renders_total{resource,result}} (written, unchanged, failed),
 * {@code confd_reloads_total{resource}} (successful reloads, retries included), {@code confd_reloads_pending} (resources
 * whose reload failed and waits for its retry) and {@code confd_failures_total{resource,stage}} (render, write, check, reload).
 */
public final class ConfdMetrics implements AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge invalid = Gauge.builder()
            .name("confd_invalid_records")
            .help("etcd records skipped as invalid by the last render pass")
            .register(registry);
    private final Counter reported = Counter.builder()
            .name("confd_invalid_records_reported")
            .help("invalid etcd values reported (each new bad value once)")
            .register(registry);
    private final Counter renders = Counter.builder()
            .name("confd_renders")
            .labelNames("resource", "result")
            .help("template renders by resource and result (written, unchanged, failed)")
            .register(registry);
    private final Counter reloads = Counter.builder()
            .name("confd_reloads")
            .labelNames("resource")
            .help("successful reload commands by resource")
            .register(registry);
    private final Counter failures = Counter.builder()
            .name("confd_failures")
            .labelNames("resource", "stage")
            .help("failed renders by resource and stage (render, write, check, reload)")
            .register(registry);
    private final Gauge pendingReloads = Gauge.builder()
            .name("confd_reloads_pending")
            .help("resources whose file was written but whose reload has not succeeded yet (retried with backoff)")
            .register(registry);
    private HTTPServer server;

    void reloadsPending(int n) {
        pendingReloads.set(n);
    }

    /** The current value of {@code confd_reloads_pending} (for tests and status). */
    public double reloadsPending() {
        return pendingReloads.get();
    }

    void invalidNow(int n) {
        invalid.set(n);
    }

    void invalidReported() {
        reported.inc();
    }

    void rendered(String resource, ResourceProcessor.Result result) {
        renders.labelValues(resource, result.name().toLowerCase(java.util.Locale.ROOT))
                .inc();
    }

    void reloaded(String resource) {
        reloads.labelValues(resource).inc();
    }

    void failed(String resource, String stage) {
        failures.labelValues(resource, stage).inc();
    }

    /** The current value of {@code confd_invalid_records} (for tests and status). */
    public double invalidRecords() {
        return invalid.get();
    }

    /** Serves {@code /metrics} on {@code host:port} (port 0 = an ephemeral port); returns the bound port. */
    public synchronized int serve(String host, int port) throws IOException {
        server = HTTPServer.builder()
                .hostname(host)
                .port(port)
                .registry(registry)
                .buildAndStart();
        return server.getPort();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
