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
        return stat(14, 17); // utime, stime, cutime, cstime
    }

    /** This process's own CPU: every thread, also those that ended, without its commands. */
    static double self() {
        return stat(14, 15);
    }

    /** Another process's own CPU: every thread, also those that ended, without its children. */
    static double of(long pid) {
        return stat("/proc/" + pid + "/stat", 14, 15);
    }

    private static double stat(int first, int last) {
        return stat("/proc/self/stat", first, last);
    }

    /** The sum of fields {@code first}..{@code last} (1-based, as in proc(5)) of a stat file, in seconds. */
    private static double stat(String file, int first, int last) {
        try {
            String[] f = fields(Files.readString(Path.of(file)));
            long ticks = 0;
            for (int field = first; field <= last; field++) {
                ticks += Long.parseLong(f[field - 3]);
            }
            return ticks / TICK;
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** A stat line's fields after "pid (comm) ": the state is [0], so field n (1-based in proc(5)) is [n - 3]. */
    private static String[] fields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).strip().split(" ");
    }

    /**
     * CPU seconds per live thread of this process, by thread name as the kernel has it (15 characters; a trailing
     * number dropped, so a pool's threads add up), from /proc/self/task.
     */
    static java.util.Map<String, Double> threads() {
        java.util.Map<String, Double> byName = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                        .replaceAll("[-#]?\\d+$", "");
                String[] f = fields(stat);
                double cpu = (Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3])) / TICK;
                byName.merge(name, cpu, Double::sum);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return byName;
    }

    /**
     * The threads that used at least 10 ms between two {@link #threads} readings, most first ("name 1.23 s, ..."),
     * then what threads that ended meanwhile used ({@code selfCpu}: this process's own CPU over the same time, less
     * the live threads'; such as the short threads {@code NetNs.run} runs each call on).
     */
    static String threadsSince(java.util.Map<String, Double> before, double selfCpu) {
        java.util.Map<String, Double> used = new java.util.HashMap<>();
        threads().forEach((name, cpu) -> used.put(name, cpu - before.getOrDefault(name, 0.0)));
        double live = used.values().stream().mapToDouble(Double::doubleValue).sum();
        return used.entrySet().stream()
                        .filter(e -> e.getValue() >= 0.01)
                        .sorted(java.util.Map.Entry.<String, Double>comparingByValue()
                                .reversed())
                        .map(e -> String.format("%s %.2f s", e.getKey(), e.getValue()))
                        .collect(java.util.stream.Collectors.joining(", "))
                + String.format("; threads that ended meanwhile %.2f s", Math.max(0, selfCpu - live));
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
                String[] f = fields(stat);
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
