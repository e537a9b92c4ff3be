package org.calicojava.netlink.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.WorkloadInterface;
import org.calicojava.process.CommandRunner;
import org.calicojava.process.ProcessRunner;

/**
 * Calico's per-interface sysctls ({@link WorkloadInterface#configureSysctls}: 4 IPv4 and 3 IPv6 settings each) for N
 * veths in a fresh namespace, against {@code sysctl -q -p FILE} (procps) of the same settings in the same run, and
 * against the Java file API doing the same writes ({@code Files.writeString}, as the agent did before 2026-12-04),
 * alternating, median of several rounds after one warm-up pass of each. Then what an agent that restarts on these
 * interfaces does: one link dump, then {@code configureSysctls} with the settings it reports, which leaves out those
 * already at their value (all but the proxy delay here). Run with
 * {@code netlink/bench/sysctls.sh [N] [ROUNDS]}.
 */
public final class SysctlBench {
    private static final String[] V4 = {
        "conf/%s/proxy_arp 1", "conf/%s/route_localnet 1", "neigh/%s/proxy_delay 0", "conf/%s/forwarding 1"
    };
    private static final String[] V6 = {"conf/%s/accept_ra 0", "conf/%s/proxy_ndp 1", "conf/%s/forwarding 1"};

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String ns = "cj-bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        Path dir = Files.createTempDirectory("sysctlbench");
        NetNs.create(ns);
        try {
            StringBuilder links = new StringBuilder();
            StringBuilder conf = new StringBuilder();
            for (int i = 0; i < n; i++) {
                links.append("link add ")
                        .append(name(i))
                        .append(" type veth peer name ")
                        .append(String.format("p%011d", i))
                        .append('\n');
                for (String s : V4) {
                    conf.append("net.ipv4.").append(dotted(s, name(i))).append('\n');
                }
                for (String s : V6) {
                    conf.append("net.ipv6.").append(dotted(s, name(i))).append('\n');
                }
            }
            Files.writeString(dir.resolve("links"), links);
            Files.writeString(dir.resolve("sysctl.conf"), conf);
            run("ip", "-n", ns, "-batch", dir.resolve("links").toString());
            System.out.printf("sysctls: %d interfaces x 7 settings, %d rounds, namespace %s%n", n, rounds, ns);
            long[] lib = new long[rounds];
            long[] nio = new long[rounds];
            long[] procps = new long[rounds];
            long[] reading = new long[rounds];
            int[] writes = new int[1];
            // warm-up (JIT; the first pass also changes the values, later ones write the same), not counted
            libc(ns, n);
            fileApi(ns, n);
            readFirst(ns, n, writes);
            for (int r = 0; r < rounds; r++) {
                lib[r] = libc(ns, n);
                nio[r] = fileApi(ns, n);
                long t0 = System.nanoTime();
                run(
                        "ip",
                        "netns",
                        "exec",
                        ns,
                        "sysctl",
                        "-q",
                        "-p",
                        dir.resolve("sysctl.conf").toString());
                procps[r] = System.nanoTime() - t0;
                reading[r] = readFirst(ns, n, writes);
            }
            check(ns, n);
            System.out.printf(
                    "  median of %d: configureSysctls (libc open/write/close) %.0f ms, Files.writeString %.0f"
                            + " ms, sysctl -p %.0f ms; configureSysctls is %.2fx sysctl -p's time and %.2fx the file"
                            + " API's%n",
                    rounds,
                    median(lib) / 1e6,
                    median(nio) / 1e6,
                    median(procps) / 1e6,
                    (double) median(lib) / median(procps),
                    (double) median(lib) / median(nio));
            System.out.printf(
                    "  a restart on these interfaces (link dump + configureSysctls with what it reports, %d writes): %.0f"
                            + " ms, %.2fx configureSysctls' blind writes and %.2fx"
                            + " sysctl -p's time%n",
                    writes[0],
                    median(reading) / 1e6,
                    (double) median(reading) / median(lib),
                    (double) median(reading) / median(procps));
            System.out.printf(
                    "    of it the link dump (all %d links of the namespace, both ends of each pair) %.0f ms on average%n",
                    2 * n + 1, dumpNanos / 1e6 / (rounds + 1));
        } finally {
            NetNs.delete(ns);
            for (String f : new String[] {"links", "sysctl.conf"}) {
                Files.deleteIfExists(dir.resolve(f));
            }
            Files.delete(dir);
        }
    }

    static String name(int i) {
        return String.format("cali%011d", i);
    }

    static String dotted(String setting, String iface) {
        String[] kv = String.format(setting, iface).split(" ");
        return kv[0].replace('/', '.') + " = " + kv[1];
    }

    /** Nanoseconds for every interface's {@link WorkloadInterface#configureSysctls}, on a thread in the namespace. */
    static long libc(String ns, int n) {
        return NetNs.run(ns, () -> {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                WorkloadInterface.configureSysctls(name(i));
            }
            return System.nanoTime() - t0;
        });
    }

    /** Nanoseconds spent in {@link #readFirst}'s link dumps, summed over its calls. */
    static long dumpNanos;

    /**
     * Nanoseconds for reading every interface's settings (one link dump) and writing those that differ, and the
     * proxy delay, which the dump does not carry; {@code writes[0]} gets how many it wrote.
     */
    static long readFirst(String ns, int n, int[] writes) {
        long t0 = System.nanoTime();
        java.util.Map<String, Link> links = new java.util.HashMap<>();
        try (Netlink nl = NetNs.open(ns)) {
            nl.links().forEach(l -> links.put(l.name(), l));
        }
        dumpNanos += System.nanoTime() - t0;
        writes[0] = NetNs.run(ns, () -> {
            int w = 0;
            for (int i = 0; i < n; i++) {
                Link l = links.get(name(i));
                w += WorkloadInterface.configureSysctls(l.name(), l.inet());
            }
            return w;
        });
        return System.nanoTime() - t0;
    }

    /** The same writes through {@code Files.writeString}, with the IPv6 directory checked first (the old way). */
    static long fileApi(String ns, int n) {
        return NetNs.run(ns, () -> {
            long t0 = System.nanoTime();
            Path root = Path.of("/proc/sys/net");
            for (int i = 0; i < n; i++) {
                String iface = name(i);
                for (String s : V4) {
                    write(root.resolve("ipv4/" + String.format(s, iface)));
                }
                if (Files.isDirectory(root.resolve("ipv6/conf/" + iface))) {
                    for (String s : V6) {
                        write(root.resolve("ipv6/" + String.format(s, iface)));
                    }
                }
            }
            return System.nanoTime() - t0;
        });
    }

    private static void write(Path keyAndValue) throws IOException {
        String s = keyAndValue.toString();
        int space = s.lastIndexOf(' ');
        Files.writeString(Path.of(s.substring(0, space)), s.substring(space + 1) + "\n");
    }

    /** Every interface has every setting (spot check of the first, middle and last). */
    static void check(String ns, int n) {
        for (int i : new int[] {0, n / 2, n - 1}) {
            String out = run(
                    "ip",
                    "netns",
                    "exec",
                    ns,
                    "sysctl",
                    "-n",
                    "net.ipv4.conf." + name(i) + ".proxy_arp",
                    "net.ipv4.neigh." + name(i) + ".proxy_delay",
                    "net.ipv6.conf." + name(i) + ".proxy_ndp");
            if (!out.equals("1\n0\n1\n")) {
                throw new IllegalStateException(name(i) + ": " + out);
            }
        }
    }

    static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Stdout of {@code cmd}; fails with its first error line. */
    static String run(String... cmd) {
        CommandRunner.Result r = ProcessRunner.local().run(List.of(cmd), null);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + r.firstError());
        }
        return r.out();
    }
}
