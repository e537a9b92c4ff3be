package org.calicojava.bgp.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.kernel.KernelSync;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.rib.KernelConfig;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.RouteFilter;

/**
 * Kernel install benchmark: N learned /32 routes (100.64.0.0 + i, via 10.99.0.2) installed (a) by {@code ip -n NS
 * -batch -} and (b) by the speaker's {@link KernelSync} ({@code set} per route, as the RIB calls it, then
 * {@code sync()}, which waits until all is applied; progress lines read a counter and do not wait), each into its own fresh namespace with a veth {@code k0} 10.99.0.1/24, in the same run; both
 * counted by a netlink dump afterwards. Prints progress every N/10 routes, seconds, the ratio and the load average.
 * Usage: {@code KernelBench N} (as root; bgp-speaker/bench/kernel.sh).
 */
public final class KernelBench {
    private static final int FIRST = (100 << 24) | (64 << 16);

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args.length > 0 ? args[0] : "100000");
        if (n < 10 || n > (1 << 22)) {
            throw new IllegalArgumentException("N: " + n + " (expected: 10..4194304)");
        }
        String id = UUID.randomUUID().toString().substring(0, 6);
        String nsIp = "cjb-ip-" + id;
        String nsJava = "cjb-sp-" + id;
        System.out.printf("kernel bench: %d routes; load average at start: %s%n", n, load());
        double ipSeconds;
        double javaSeconds;
        try {
            namespace(nsIp);
            namespace(nsJava);
            ipSeconds = viaIp(nsIp, n);
            javaSeconds = viaKernelSync(nsJava, n);
        } finally {
            delete(nsIp);
            delete(nsJava);
        }
        System.out.printf(
                "RESULT n=%d ip-batch %.2f s (%.0f routes/s) | KernelSync %.2f s (%.0f routes/s) | "
                        + "KernelSync/ip %.2fx | load average at end: %s%n",
                n, ipSeconds, n / ipSeconds, javaSeconds, n / javaSeconds, javaSeconds / ipSeconds, load());
    }

    static double viaIp(String ns, int n) throws Exception {
        System.out.printf("(a) ip -n %s -batch -%n", ns);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("ip", "-n", ns, "-batch", "-")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedWriter w =
                new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII), 1 << 16)) {
            for (int i = 0; i < n; i++) {
                w.write("route add ");
                w.write(Ip.v4String(FIRST + i));
                w.write("/32 via 10.99.0.2 proto 186\n");
                if ((i + 1) % (n / 10) == 0) {
                    w.flush();
                    System.out.printf("  ip: %d submitted, %.2f s%n", i + 1, (System.nanoTime() - t0) / 1e9);
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("ip -batch: exit " + p.exitValue());
        }
        double s = (System.nanoTime() - t0) / 1e9;
        check(ns, n);
        System.out.printf("  ip: %d routes in %.2f s%n", n, s);
        return s;
    }

    static double viaKernelSync(String ns, int n) throws Exception {
        System.out.printf("(b) KernelSync in %s%n", ns);
        KernelSync k = new KernelSync(KernelConfig.DEFAULT, new Metrics());
        NetNs.run(ns, () -> {
            k.start((p, present) -> {});
            return null;
        });
        try {
            k.sync();
            List<InetAddress> via = List.of(Ip.parse("10.99.0.2"));
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                k.set(new Prefix(Family.IPV4_UNICAST, 32, FIRST + i, 0, 0, 0), via);
                if ((i + 1) % (n / 10) == 0) { // no barrier here: the RIB does not wait for the kernel either
                    System.out.printf(
                            "  KernelSync: %d handed over, %d answered by the kernel, %.2f s%n",
                            i + 1, k.requestsDone(), (System.nanoTime() - t0) / 1e9);
                }
            }
            int done = k.sync();
            double s = (System.nanoTime() - t0) / 1e9;
            if (done != n) {
                throw new IllegalStateException("KernelSync: " + done + " installed (expected: " + n + ")");
            }
            check(ns, n);
            System.out.printf("  KernelSync: %d routes in %.2f s (table read whole %d times)%n", n, s, k.resyncs());
            return s;
        } finally {
            k.close();
        }
    }

    static void check(String ns, int n) {
        try (Netlink nl = NetNs.open(ns)) {
            int there = nl.routes(RouteFilter.main().withProtocol(186)).size();
            if (there != n) {
                throw new IllegalStateException(ns + ": " + there + " routes of protocol 186 (expected: " + n + ")");
            }
        }
    }

    static void namespace(String ns) throws Exception {
        NetNs.create(ns);
        sh("ip", "-n", ns, "link", "add", "k0", "type", "veth", "peer", "name", "k1");
        sh("ip", "-n", ns, "addr", "add", "10.99.0.1/24", "dev", "k0");
        sh("ip", "-n", ns, "link", "set", "k0", "up");
        sh("ip", "-n", ns, "link", "set", "k1", "up");
    }

    static void delete(String ns) {
        if (NetNs.exists(ns)) {
            NetNs.delete(ns);
        }
    }

    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static void sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
        }
    }
}
