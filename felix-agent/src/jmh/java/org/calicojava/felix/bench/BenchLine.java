package org.calicojava.felix.bench;

import java.util.Locale;

/**
 * The bench's final line for one backend at one N, as JSON (null: not measured in this run). {@code floorNftF} and
 * {@code floorKernelCommit} are the nftables floors of the same policy at this N ({@link NftFloor}, {@link
 * KernelCommitFloor}), the same on every backend's line; {@code floorKernelStartS}: all of a cold start's kernel work
 * (that batch, the routes, the sysctls), prepared and run at once ({@link KernelStartFloor}); {@code refreshCpuPct}:
 * the whole process's CPU per refresh on a quiet host as a share of a core at the default 90 s interval
 * (iptables-legacy, which always reads everything back: its full read-back's); {@code floorEtcdGetS}: {@code etcdctl get --prefix} of the datastore the agent
 * lists, the read every cold start needs before it can program anything; {@code policyAllMs}: a policy that starts
 * applying to every endpoint, from the etcd write to programmed; {@code coldStartCpuS}: the CPU seconds this JVM used
 * (every thread, also those that ended, not the commands it ran) during the cold start, which varies much less
 * between runs than its wall time on a shared machine; {@code processColdStartS}: the median cold start of the
 * first backend as a process ({@link ProcessStart}: exec of bin/felix-agent until programmed), with the build's
 * class-data-sharing archive, and {@code processColdStartNoCdsS} without it (-Dprocess=REPS; null when not run);
 * {@code warmStartS} and {@code warmStartCpuS}: the median wall and CPU seconds of the first backend's starts after
 * its cold start in the same JVM, each from an emptied dataplane (-Dwarm=K; null when not run); {@code processRssMb}:
 * the median resident memory of those processes (with the archive) when ready, in MiB (VmRSS).
 */
record BenchLine(
        String backend,
        int n,
        double coldStartS,
        double coldStartCpuS,
        Double floorNftFS,
        Double floorKernelCommitS,
        Double floorKernelStartS,
        Double floorEtcdGetS,
        Double addP50Ms,
        Double addP99Ms,
        Double policyAllMs,
        Double refreshCpuPct,
        Double processColdStartS,
        Double processColdStartNoCdsS,
        Double warmStartS,
        Double warmStartCpuS,
        Double processRssMb) {

    /** This line with the nftables floors of its N, measured after the agents. */
    BenchLine withNftFloors(Double nftF, Double kernelCommit, Double kernelStart) {
        return new BenchLine(
                backend,
                n,
                coldStartS,
                coldStartCpuS,
                nftF,
                kernelCommit,
                kernelStart,
                floorEtcdGetS,
                addP50Ms,
                addP99Ms,
                policyAllMs,
                refreshCpuPct,
                processColdStartS,
                processColdStartNoCdsS,
                warmStartS,
                warmStartCpuS,
                processRssMb);
    }

    /**
     * This line with the medians of {@link ProcessStart}: with the class-data-sharing archive, and without; the
     * agent's resident memory when ready (with the archive).
     */
    BenchLine withProcessStarts(double cds, double noCds, double rssMb) {
        return new BenchLine(
                backend,
                n,
                coldStartS,
                coldStartCpuS,
                floorNftFS,
                floorKernelCommitS,
                floorKernelStartS,
                floorEtcdGetS,
                addP50Ms,
                addP99Ms,
                policyAllMs,
                refreshCpuPct,
                cds,
                noCds,
                warmStartS,
                warmStartCpuS,
                rssMb);
    }

    String json() {
        return String.format(
                Locale.ROOT,
                "{\"backend\":\"%s\",\"n\":%d,\"cold_start_s\":%.3f,\"cold_start_cpu_s\":%.2f,\"floor_nft_f_s\":%s,\"floor_kernel_commit_s\":%s,"
                        + "\"floor_kernel_start_s\":%s,\"floor_etcd_get_s\":%s,\"add_p50_ms\":%s,\"add_p99_ms\":%s,\"policy_all_ms\":%s,\"refresh_cpu_pct\":%s,"
                        + "\"process_cold_start_s\":%s,\"process_cold_start_no_cds_s\":%s,\"warm_start_s\":%s,\"warm_start_cpu_s\":%s,"
                        + "\"process_rss_mb\":%s}",
                backend,
                n,
                coldStartS,
                coldStartCpuS,
                num(floorNftFS, 3),
                num(floorKernelCommitS, 3),
                num(floorKernelStartS, 3),
                num(floorEtcdGetS, 3),
                num(addP50Ms, 1),
                num(addP99Ms, 1),
                num(policyAllMs, 1),
                num(refreshCpuPct, 2),
                num(processColdStartS, 3),
                num(processColdStartNoCdsS, 3),
                num(warmStartS, 3),
                num(warmStartCpuS, 2),
                num(processRssMb, 0));
    }

    private static String num(Double v, int decimals) {
        return v == null ? "null" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
