package org.calicojava.felix.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Waits before a cold start until the machine is quiet: the kernel tears a namespace with thousands of veths down in
 * a worker thread for a minute or more after {@code ip netns delete} (the previous N's), which would slow the start.
 */
final class QuietMachine {
    private QuietMachine() {}

    /** Until the CPUs were less than {@code maxBusyPct} busy over 2 s (all of them together), or 5 minutes passed. */
    static void await(double maxBusyPct) {
        long deadline = System.nanoTime() + 300_000_000_000L;
        long[] before = cpu();
        while (true) {
            FelixBench.sleep(2000);
            long[] now = cpu();
            double busy = busyPct(before, now);
            if (busy < maxBusyPct) {
                System.out.printf("machine quiet: %.0f%% busy over 2 s%n", busy);
                return;
            }
            if (System.nanoTime() > deadline) {
                System.out.printf("machine still %.0f%% busy after 5 minutes; starting anyway%n", busy);
                return;
            }
            System.out.printf("waiting for a quiet machine: %.0f%% busy over 2 s%n", busy);
            before = now;
        }
    }

    /** Percent of all CPUs' time busy between two {@link #cpu} readings. */
    static double busyPct(long[] before, long[] now) {
        return 100.0 * (1 - (double) (now[1] - before[1]) / Math.max(1, now[0] - before[0]));
    }

    /** Total (without steal) and idle (idle + iowait) jiffies of all CPUs, from the first line of /proc/stat. */
    static long[] cpu() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 7; i++) { // user nice system idle iowait irq softirq (not steal:
                total += Long.parseLong(f[i]); // time a busy neighbour of this VM took is not ours to wait for)
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException e) {
            throw new IllegalStateException("/proc/stat: " + e.getMessage(), e);
        }
    }
}
