package org.calicojava.cni;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The CNI server's metrics in Prometheus' text format (GET /metrics on its socket): calls by plugin, command and
 * exit status, their duration as a histogram by command, and requests refused before reaching the plugin.
 * Thread-safe; a few dozen series at most (the label values come from fixed sets).
 */
final class ServerMetrics {
    static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final Map<String, Histogram> durations = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> refused = new ConcurrentHashMap<>();

    private static final class Histogram {
        final LongAdder[] buckets = new LongAdder[BUCKETS.length];
        final LongAdder count = new LongAdder();
        final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }

    /** One call run by the plugin code ({@code command} from a fixed set, see {@link ServerRequest#command}). */
    void call(Cli.Kind kind, String command, int exit, double seconds) {
        String plugin = kind == Cli.Kind.NETWORK ? "network" : "ipam";
        calls.computeIfAbsent(
                        "plugin=\"" + plugin + "\",command=\"" + command + "\",exit=\"" + exit + "\"",
                        k -> new LongAdder())
                .increment();
        Histogram h = durations.computeIfAbsent(command, k -> new Histogram());
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                h.buckets[i].increment();
            }
        }
        h.count.increment();
        h.sum.add(seconds);
    }

    /** A request answered with an HTTP error (bad request, refused peer, ...). */
    void refused(int status) {
        refused.computeIfAbsent(status, k -> new LongAdder()).increment();
    }

    String text() {
        StringBuilder b = new StringBuilder();
        b.append("# HELP calico_java_cni_requests_total CNI calls run by the server\n")
                .append("# TYPE calico_java_cni_requests_total counter\n");
        for (String k : List.copyOf(calls.keySet())) {
            b.append("calico_java_cni_requests_total{")
                    .append(k)
                    .append("} ")
                    .append(calls.get(k).sum())
                    .append('\n');
        }
        b.append("# HELP calico_java_cni_request_seconds Time to run a CNI call in the server\n")
                .append("# TYPE calico_java_cni_request_seconds histogram\n");
        for (String cmd : List.copyOf(durations.keySet())) {
            Histogram h = durations.get(cmd);
            for (int i = 0; i < BUCKETS.length; i++) {
                b.append("calico_java_cni_request_seconds_bucket{command=\"")
                        .append(cmd)
                        .append("\",le=\"")
                        .append(BUCKETS[i])
                        .append("\"} ")
                        .append(h.buckets[i].sum())
                        .append('\n');
            }
            long n = h.count.sum();
            b.append("calico_java_cni_request_seconds_bucket{command=\"")
                    .append(cmd)
                    .append("\",le=\"+Inf\"} ")
                    .append(n)
                    .append('\n');
            b.append("calico_java_cni_request_seconds_sum{command=\"")
                    .append(cmd)
                    .append("\"} ")
                    .append(h.sum.sum())
                    .append('\n');
            b.append("calico_java_cni_request_seconds_count{command=\"")
                    .append(cmd)
                    .append("\"} ")
                    .append(n)
                    .append('\n');
        }
        b.append("# HELP calico_java_cni_refused_requests_total Requests answered with an HTTP error, by status\n")
                .append("# TYPE calico_java_cni_refused_requests_total counter\n");
        for (Integer s : List.copyOf(refused.keySet())) {
            b.append("calico_java_cni_refused_requests_total{status=\"")
                    .append(s)
                    .append("\"} ")
                    .append(refused.get(s).sum())
                    .append('\n');
        }
        return b.toString();
    }
}
