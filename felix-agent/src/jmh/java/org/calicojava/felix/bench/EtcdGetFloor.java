package org.calicojava.felix.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The etcd floor of a cold start: {@code etcdctl get --prefix} of the datastore the agent lists (one process, the same
 * etcd). Every agent has to read this much before it can program anything.
 */
final class EtcdGetFloor {
    private EtcdGetFloor() {}

    /** Median of 3 runs in seconds; fails if a run printed fewer than {@code minLines} lines (key and value each). */
    static double median(String endpoints, String prefix, long minLines) {
        List<Double> runs = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            long t = System.nanoTime();
            String got =
                    BenchSh.run("env", "ETCDCTL_API=3", "etcdctl", "--endpoints", endpoints, "get", "--prefix", prefix);
            runs.add(FelixBench.secs(t));
            if (got.lines().count() < minLines) {
                throw new IllegalStateException(
                        "etcdctl got only " + got.lines().count() + " lines");
            }
        }
        double median = FelixBench.pct(runs, 0.5);
        System.out.printf("floor: etcdctl get --prefix %s: %.3f s (median of 3)%n", prefix, median);
        return median;
    }
}
