package org.calicojava.felix.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU seconds used, not wall time (the build machine is shared, so wall time mostly measures the others): this
 * thread's CPU ({@link #thread}) and the CPU of one command ({@link #run}: a shell runs it and reports its reaped
 * child's cutime + cstime), so a read-back through {@code nft} or {@code iptables-save} is counted with its
 * parsing and without whatever else the agent in the same JVM is doing.
 */
final class CpuClock {
    private static final double TICK = 100.0; // USER_HZ on Linux

    private CpuClock() {}

    static double thread() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9;
    }

    /** This whole process's CPU: every thread, plus the children it has reaped (the commands it ran). */
    static double process() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).strip().split(" ");
            long ticks = 0;
            for (int field = 14; field <= 17; field++) { // utime, stime, cutime, cstime
                ticks += Long.parseLong(f[field - 3]);
            }
            return ticks / TICK;
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** A command's output (stdin optional) and the CPU seconds it used. */
    record Run(String out, double cpu) {}

    static Run run(String stdin, String... cmd) {
        try {
            Path out = Files.createTempFile("nf-bench", ".out");
            try {
                String[] full = new String[cmd.length + 4];
                full[0] = "sh";
                full[1] = "-c";
                full[2] = "\"$@\" > " + out + " && cat /proc/$$/stat";
                full[3] = "sh";
                System.arraycopy(cmd, 0, full, 4, cmd.length);
                String stat = BenchSh.input(stdin, full);
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).strip().split(" ");
                // after "pid (comm) ": state is f[0], so field n (1-based in proc(5)) is f[n - 3]
                double cpu = (Long.parseLong(f[16 - 3]) + Long.parseLong(f[17 - 3])) / TICK;
                return new Run(Files.readString(out), cpu);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
