package org.calicojava.felix.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.nft.BenchBatch;
import org.calicojava.netlink.Batch;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.NextHop;
import org.calicojava.netlink.NfTables;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.WorkloadInterface;
import org.calicojava.netlink.nft.NftBatch;

/**
 * {@code floor_kernel_start_s}: the kernel's own work of one cold start at N endpoints, all of it prepared before the
 * clock starts, in the bench's namespace with its N interfaces: the agent's netlink batch of the whole ruleset (its
 * encoder, one transaction), the N workload routes (one netlink {@link Batch}, proto 80, scope link, as {@code
 * RouteManager} sends them) and the interfaces' sysctls ({@link WorkloadInterface#configureSysctls} from the links as
 * read, as {@code SysctlManager} writes them on new interfaces). Each is timed alone, then the three on three threads
 * at once, as the agent runs them beside each other; each round starts from an empty table, no workload route and the
 * sysctls as they were before the first agent ({@link SysctlSnapshot}). The nft batch is encoded before the clock
 * starts; the route messages are encoded as the {@link Batch} sends them, as the agent's are (a small share). The
 * together figure is the kernel's work in the agent's arrangement, without etcd, decoding, calculation or the nft
 * encoding; the sum of the streams' CPU over two cores is what that work would need split perfectly. Median of
 * {@code floor.rounds}.
 */
final class KernelStartFloor {
    private KernelStartFloor() {}

    /** Seconds and this thread's CPU seconds (user and system, so mostly the kernel's here) of one timed stream. */
    private record Timed(double wall, double cpu) {}

    static double measure(String ns, DesiredDataplane d, int n, SysctlSnapshot sysctls) throws Exception {
        NftBatch nft = BenchBatch.coldStart(d);
        List<List<Double>> alone = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<List<Double>> cpu = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<Double> together = new ArrayList<>();
        nft.datagram(); // closes the batch (BATCH_END) here, not in the first timed commit
        try (Netlink nl = NetNs.open(ns);
                NfTables nf = NetNs.run(ns, NfTables::open)) {
            clean(ns, sysctls);
            nf.commit(nft); // untimed: the socket's first send of a batch this size
            for (int r = 0; r < KernelCommitFloor.ROUNDS; r++) {
                List<Callable<Timed>> streams = reset(ns, nl, nf, n, nft, sysctls);
                for (int s = 0; s < streams.size(); s++) {
                    QuietMachine.await(15);
                    Timed t = streams.get(s).call();
                    alone.get(s).add(t.wall());
                    cpu.get(s).add(t.cpu());
                }
                streams = reset(ns, nl, nf, n, nft, sysctls);
                QuietMachine.await(15);
                together.add(atOnce(streams));
            }
            clean(ns, sysctls);
        }
        double[] a = {median(alone.get(0)), median(alone.get(1)), median(alone.get(2))};
        double[] c = {median(cpu.get(0)), median(cpu.get(1)), median(cpu.get(2))};
        double both = median(together);
        System.out.printf(
                "floor: the cold start's kernel work, prepared (the agent's %d-byte nft batch, %d routes, the"
                        + " interfaces' sysctls): alone %.3f / %.3f / %.3f s (CPU %.3f / %.3f / %.3f s, sum %.3f);"
                        + " the three at once on three threads: median %.3f s of %s%n",
                nft.datagram().remaining(),
                n,
                a[0],
                a[1],
                a[2],
                c[0],
                c[1],
                c[2],
                c[0] + c[1] + c[2],
                both,
                sorted(together).stream().map(v -> String.format("%.3f", v)).toList());
        return both;
    }

    /**
     * Back to before a cold start (untimed), then the three streams of the work, each timing itself, its inputs read
     * and built here (the links after the sysctls are put back, so that their settings are those the agent would see).
     */
    private static List<Callable<Timed>> reset(
            String ns, Netlink nl, NfTables nf, int n, NftBatch nft, SysctlSnapshot sysctls) {
        clean(ns, sysctls);
        java.util.Map<String, Link> byName = new java.util.HashMap<>();
        for (Link l : nl.links()) {
            byName.put(l.name(), l);
        }
        List<Route> routes = new ArrayList<>(n);
        List<Link> links = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Link l = byName.get(FelixBench.iface(i));
            links.add(l);
            routes.add(Route.builder(IpPrefix.parse(FelixBench.ip(i) + "/32"))
                    .protocol(80)
                    .scope(Route.SCOPE_LINK)
                    .nextHop(NextHop.dev(l.index()))
                    .build());
        }
        return List.of(
                () -> timed(() -> nf.commit(nft)),
                () -> timed(() -> {
                    try (Batch b = nl.batch()) {
                        routes.forEach(b::addRoute);
                    }
                }),
                () -> NetNs.run(
                        ns,
                        () -> timed(
                                () -> { // on NetNs's thread in ns: its CPU is counted there
                                    for (Link l : links) {
                                        WorkloadInterface.configureSysctls(l.name(), l.inet());
                                    }
                                })));
    }

    /** No table, no workload route, the sysctls as before the agents. */
    private static void clean(String ns, SysctlSnapshot sysctls) {
        BenchSh.run("ip", "netns", "exec", ns, "nft", "flush", "ruleset");
        try {
            BenchSh.run("ip", "-n", ns, "route", "flush", "proto", "80");
        } catch (IllegalStateException e) {
            // nothing to flush
        }
        sysctls.restore();
    }

    private static Timed timed(Runnable work) {
        long t0 = System.nanoTime();
        double c0 = CpuClock.thread();
        work.run();
        return new Timed((System.nanoTime() - t0) / 1e9, CpuClock.thread() - c0);
    }

    /**
     * The streams on threads of their own, released together; seconds until the last is done (the sysctl stream's
     * hop onto a thread in the namespace is inside this window, not inside its time alone: well under a millisecond).
     */
    private static double atOnce(List<Callable<Timed>> streams) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failed = Collections.synchronizedList(new ArrayList<>());
        for (Callable<Timed> s : streams) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    s.call();
                } catch (Throwable e) {
                    failed.add(e);
                }
            });
            t.start();
            threads.add(t);
        }
        long t0 = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (!failed.isEmpty()) {
            IllegalStateException e = new IllegalStateException("kernel start floor: " + failed.get(0), failed.get(0));
            failed.subList(1, failed.size()).forEach(e::addSuppressed);
            throw e;
        }
        return s;
    }

    private static double median(List<Double> v) {
        List<Double> s = sorted(v);
        return s.get(s.size() / 2);
    }

    private static List<Double> sorted(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s;
    }
}
