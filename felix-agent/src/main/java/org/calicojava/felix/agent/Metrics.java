package org.calicojava.felix.agent;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/** Counters and gauges, rendered in the Prometheus text format. Thread-safe. */
public final class Metrics {
    /** Records read from etcd and skipped as invalid (bad key or value). */
    public static final String INVALID_RECORDS = "felix_datastore_invalid_records";
    /** Keys removed from the state because applying them failed unexpectedly. */
    public static final String QUARANTINED_KEYS = "felix_quarantined_keys";
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final Map<String, DoubleAdder> sums = new ConcurrentHashMap<>();
    private final Map<String, Double> gauges = new ConcurrentHashMap<>();
    private final Map<String, String> help = new ConcurrentHashMap<>();

    public Metrics() {
        describe("felix_active_local_endpoints", "gauge", "Local workload endpoints in state active");
        describe("felix_active_policies", "gauge", "Tiered policies that apply to local endpoints");
        describe("felix_ipsets", "gauge", "ipsets programmed");
        describe("felix_iptables_restore_calls", "counter", "iptables-restore runs");
        describe("felix_iptables_restore_errors", "counter", "iptables-restore runs that failed");
        describe("felix_iptables_restore_seconds", "counter", "Total time in iptables-restore");
        describe("felix_resyncs", "counter", "Full resyncs from the datastore");
        describe("felix_update_to_dataplane_seconds", "gauge", "Time from the last datastore update to dataplane programmed");
        describe("felix_refreshes", "counter", "Periodic dataplane refreshes (drift checks)");
        describe("felix_refreshes_skipped", "counter", "Refreshes that did not read the rules back: the nftables generation showed no commit since the last read-back");
        describe(INVALID_RECORDS, "counter", "Records read from etcd that were invalid and skipped (bad key or value)");
        describe(QUARANTINED_KEYS, "counter", "Keys removed from the state because applying them failed unexpectedly");
        describe("felix_program_failures", "counter", "Unexpected failures of calculation or programming (retried; "
                + Agent.MAX_PROGRAM_FAILURES + " in a row exit the process)");
        describe("felix_route_conflicts", "gauge", "Endpoint routes refused now: a route of another protocol has the same destination");
        describe("felix_drift_repairs", "counter", "Chains found changed by hand and rewritten");
    }

    private void describe(String name, String type, String text) {
        help.put(name, "# HELP " + name + " " + text + "\n# TYPE " + name + " " + type + "\n");
    }

    public void inc(String name) {
        add(name, 1);
    }

    public void add(String name, long n) {
        counters.computeIfAbsent(name, k -> new AtomicLong()).addAndGet(n);
    }

    public void addSeconds(String name, double seconds) {
        sums.computeIfAbsent(name, k -> new DoubleAdder()).add(seconds);
    }

    public void gauge(String name, double value) {
        gauges.put(name, value);
    }

    public long counter(String name) {
        AtomicLong a = counters.get(name);
        return a == null ? 0 : a.get();
    }

    public String render() {
        Map<String, String> values = new TreeMap<>();
        counters.forEach((k, v) -> values.put(k, Long.toString(v.get())));
        sums.forEach((k, v) -> values.put(k, Double.toString(v.sum())));
        gauges.forEach((k, v) -> values.put(k, Double.toString(v)));
        StringBuilder b = new StringBuilder();
        values.forEach((k, v) -> b.append(help.getOrDefault(k, "")).append(k).append(' ').append(v).append('\n'));
        return b.toString();
    }
}
