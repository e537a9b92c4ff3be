package org.calicojava.felix.nft;

import java.util.Map;
import org.calicojava.felix.bench.FelixBench;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.model.Keys;
import org.calicojava.netlink.nft.NftBatch;

/**
 * The cold start's pipeline without etcd and the kernel, in a loop, so that its phases can be timed and profiled with
 * the code compiled: the bench's datastore of N endpoints decoded into a fresh state, calculated by a fresh
 * calculator, modelled, diffed against an empty table and encoded into the netlink batch, ROUNDS times; prints the
 * smallest time of each phase over the second half of the rounds (a young collection lands in some phase of most
 * rounds) and the megabytes each phase allocated in the last round (what drives those collections), and first the
 * phases of the first round, the code not yet compiled (what the JIT's warm-up costs each). No root needed.
 * After one {@code bench/run.sh} (which compiles this with {@code -Pjmh} and writes {@code target/bench.cp}):
 * {@code java -XX:+UseParallelGC -XX:TieredStopAtLevel=1 -cp
 * felix-agent/target/test-classes:felix-agent/target/classes:$(cat felix-agent/target/bench.cp)
 * org.calicojava.felix.nft.StartPipeline 10000 30}.
 */
public final class StartPipeline {
    private StartPipeline() {}

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Map.Entry<Keys, Map<String, String>> ds = FelixBench.datastoreAt(n);
        String[] phases = {"decode", "calculate", "model", "diff", "encode", "total"};
        double[] min = {
            Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE
        };
        double[] mb = new double[6];
        for (int round = 0; round < rounds; round++) {
            long[] t = new long[6];
            long[] a = new long[6];
            t[0] = System.nanoTime();
            a[0] = allocated();
            DatastoreState st = new DatastoreState(ds.getKey(), "bench");
            ds.getValue().forEach(st::apply);
            t[1] = System.nanoTime();
            a[1] = allocated();
            DesiredDataplane d = new Calculator(p -> {}).calculate(st, FelixConfig.defaults());
            t[2] = System.nanoTime();
            a[2] = allocated();
            NftRuleset r = new NftModel().build(d);
            t[3] = System.nanoTime();
            a[3] = allocated();
            NftState.Diff diff = new NftState().diff(r);
            t[4] = System.nanoTime();
            a[4] = allocated();
            NftBatch b = NftNetlinkWriter.batch(diff.ops());
            t[5] = System.nanoTime();
            a[5] = allocated();
            if (b.size() == 0) {
                throw new IllegalStateException("empty batch");
            }
            if (round == 0) { // the code not compiled yet: what the JIT's warm-up costs each phase
                StringBuilder first = new StringBuilder("first round (a fresh JVM's code):");
                for (int i = 0; i < 5; i++) {
                    first.append(String.format(" %s %.1f ms,", phases[i], (t[i + 1] - t[i]) / 1e6));
                }
                System.out.println(first.append(String.format(" total %.1f ms", (t[5] - t[0]) / 1e6)));
            }
            if (round >= rounds / 2) {
                for (int i = 0; i < 5; i++) {
                    min[i] = Math.min(min[i], (t[i + 1] - t[i]) / 1e6);
                    mb[i] = (a[i + 1] - a[i]) / 1e6;
                }
                mb[5] = (a[5] - a[0]) / 1e6;
                min[5] = Math.min(min[5], (t[5] - t[0]) / 1e6);
            }
        }
        StringBuilder out = new StringBuilder(
                "start pipeline at " + n + " endpoints, fastest of the last " + (rounds - rounds / 2) + " rounds:");
        for (int i = 0; i < phases.length; i++) {
            out.append(String.format(
                    " %s %.1f ms (%.0f MB allocated)%s", phases[i], min[i], mb[i], i < phases.length - 1 ? "," : ""));
        }
        System.out.println(out);
    }
}
