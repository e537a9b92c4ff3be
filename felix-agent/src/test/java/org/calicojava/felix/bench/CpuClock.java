package org.calicojava.felix.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU seconds used, not wall time (the build machine is shared, so wall time mostly measures the others): this
 * thread's CPU plus the CPU of this process's finished children (cutime + cstime of /proc/self/stat), so a
 * read-back through {@code nft} or {@code iptables-save} is counted with its parsing.
 */
final class CpuClock {
    private static final double TICK = 100.0; // USER_HZ on Linux

    private CpuClock() {
    }

    static double now() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9 + children();
    }

    private static double children() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is f[0], so field n (1-based in proc(5)) is f[n - 3]
            return (Long.parseLong(f[16 - 3]) + Long.parseLong(f[17 - 3])) / TICK;
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
