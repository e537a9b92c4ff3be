package org.calicojava.netlink.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.netlink.Batch;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.RouteFilter;

/**
 * Installs N /32 routes into a fresh namespace through {@link Batch} and deletes them again, against
 * {@code ip -n NS -batch FILE} doing the same in the same run (alternating, median of several rounds), then streams
 * a large count through one batch while sampling the heap to show it stays flat.
 * Run with {@code netlink/bench/routes.sh [N] [ROUNDS] [BIG_N]}.
 */
public final class RouteBench {
    private static final int PROTO = 77;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int big = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        String ns = "cj-bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        NetNs.create(ns);
        Path dir = Files.createTempDirectory("routebench");
        try (Netlink nl = NetNs.open(ns)) {
            int ifindex = nl.createVeth("v0", "v1").index();
            nl.setUp("v0");
            nl.setUp("v1");
            Path addFile = ipBatchFile(dir.resolve("add"), "add", n);
            Path delFile = ipBatchFile(dir.resolve("del"), "del", n);
            System.out.printf("routes: %d /32 routes per run, %d rounds, namespace %s%n", n, rounds, ns);
            long[] jAdd = new long[rounds];
            long[] jDel = new long[rounds];
            long[] iAdd = new long[rounds];
            long[] iDel = new long[rounds];
            javaRun(nl, ifindex, n, true); // warm-up (JIT), not counted
            javaRun(nl, ifindex, n, false);
            for (int r = 0; r < rounds; r++) {
                jAdd[r] = javaRun(nl, ifindex, n, true);
                check(nl, n);
                jDel[r] = javaRun(nl, ifindex, n, false);
                check(nl, 0);
                iAdd[r] = ipRun(ns, addFile);
                check(nl, n);
                iDel[r] = ipRun(ns, delFile);
                check(nl, 0);
            }
            report("add", n, jAdd, iAdd);
            report("delete", n, jDel, iDel);

            System.out.printf(
                    "%nmemory: %d routes through one batch (heap used after GC, -Xmx%dm)%n",
                    big, Runtime.getRuntime().maxMemory() >> 20);
            long t0 = System.nanoTime();
            List<String> samples = new ArrayList<>();
            try (Batch b = nl.batch()) {
                for (int i = 0; i < big; i++) {
                    b.addRoute(route(i, ifindex));
                    if ((i + 1) % (big / 5) == 0) {
                        samples.add(String.format("%dk: %.1f MiB", (i + 1) / 1000, heapMiB()));
                    }
                }
            }
            long bigAdd = System.nanoTime() - t0;
            check(nl, big);
            t0 = System.nanoTime();
            try (Batch b = nl.batch()) {
                for (int i = 0; i < big; i++) {
                    b.deleteRoute(route(i, ifindex));
                }
            }
            long bigDel = System.nanoTime() - t0;
            check(nl, 0);
            System.out.println("  heap while streaming: " + String.join(", ", samples));
            long ipBigAdd = ipRun(ns, ipBatchFile(dir.resolve("bigadd"), "add", big));
            long ipBigDel = ipRun(ns, ipBatchFile(dir.resolve("bigdel"), "del", big));
            check(nl, 0);
            System.out.printf(
                    "  %dk add: java %.0f ms, ip -batch %.0f ms (%.2fx); delete: java %.0f ms, ip -batch %.0f ms"
                            + " (%.2fx)%n",
                    big / 1000,
                    ms(bigAdd),
                    ms(ipBigAdd),
                    (double) ipBigAdd / bigAdd,
                    ms(bigDel),
                    ms(ipBigDel),
                    (double) ipBigDel / bigDel);
        } finally {
            NetNs.delete(ns);
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    static String dst(int i) {
        return "10." + (64 + (i >> 16)) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
    }

    static Route route(int i, int ifindex) {
        return Route.builder(IpPrefix.parse(dst(i) + "/32"))
                .protocol(PROTO)
                .dev(ifindex)
                .build();
    }

    static long javaRun(Netlink nl, int ifindex, int n, boolean add) {
        long t0 = System.nanoTime();
        try (Batch b = nl.batch()) {
            for (int i = 0; i < n; i++) {
                if (add) {
                    b.addRoute(route(i, ifindex));
                } else {
                    b.deleteRoute(route(i, ifindex));
                }
            }
        }
        return System.nanoTime() - t0;
    }

    static Path ipBatchFile(Path file, String verb, int n) throws IOException {
        StringBuilder s = new StringBuilder(n * 48);
        for (int i = 0; i < n; i++) {
            s.append("route ")
                    .append(verb)
                    .append(' ')
                    .append(dst(i))
                    .append("/32 dev v0 proto ")
                    .append(PROTO)
                    .append('\n');
        }
        Files.writeString(file, s);
        return file;
    }

    static long ipRun(String ns, Path file) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("ip", "-n", ns, "-batch", file.toString())
                .inheritIO()
                .start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("ip -batch " + file + " exited " + p.exitValue());
        }
        return System.nanoTime() - t0;
    }

    static void check(Netlink nl, int expected) {
        int found =
                nl.routes(RouteFilter.main().withProtocol(PROTO).withFamily(2)).size();
        if (found != expected) {
            throw new IllegalStateException(
                    "routes with proto " + PROTO + ": " + found + " (expected: " + expected + ")");
        }
    }

    static double heapMiB() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    static void report(String what, int n, long[] java, long[] ip) {
        double j = median(java);
        double i = median(ip);
        System.out.printf(
                "  %-6s java batch median %7.1f ms (%6.0f routes/s) | ip -batch median %7.1f ms | ip/java %.2fx"
                        + "   java runs %s ip runs %s%n",
                what, j / 1e6, n / (j / 1e9), i / 1e6, i / j, fmt(java), fmt(ip));
    }

    static String fmt(long[] v) {
        return Arrays.toString(Arrays.stream(v).map(x -> x / 1_000_000).toArray());
    }
}
