package org.calicojava.felix.bench;

import java.util.List;
import java.util.Map;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;

/**
 * One timed start of an agent in the bench's namespace, in this JVM: from {@code start()} until ready, the JVM's CPU
 * meanwhile (every thread, also those that ended), printed with the agent's phases and the CPU by thread.
 */
final class AgentStart {
    static final List<String> PHASES = List.of(
            "felix_calc_seconds", "felix_nft_model_seconds", "felix_nft_encode_seconds", "felix_nft_kernel_seconds");

    /** A started, ready agent and its etcd client; the start's wall and CPU seconds. */
    record Timed(Agent agent, JetcdStore store, double wallS, double cpuS) implements AutoCloseable {
        /** Stops the agent, then its etcd client (the agent leaves that to its owner). */
        @Override
        public void close() {
            agent.close();
            store.close();
        }
    }

    private final String endpoints;
    private final Keys keys;
    private final String ns;
    private final String backend;

    AgentStart(String endpoints, Keys keys, String ns, String backend) {
        this.endpoints = endpoints;
        this.keys = keys;
        this.ns = ns;
        this.backend = backend;
    }

    /** Starts an agent and waits until it is ready; {@code what} names the start in the printed lines. */
    Timed start(String what) {
        System.gc();
        JetcdStore agentStore = new JetcdStore(EtcdConfig.of(endpoints));
        agentStore.get("/warm-up");
        Map<String, String> env = ProcessStart.felixEnv(backend, FelixBench.IPV6);
        Agent agent = new Agent(agentStore, keys, "bench", env, Namespace.named(ns));
        double cpu0 = CpuClock.self();
        double children0 = CpuClock.process() - cpu0;
        Map<String, Double> threads0 = CpuClock.threads();
        long[] machine0 = QuietMachine.cpu();
        Heap heap0 = Heap.now();
        long t = System.nanoTime();
        agent.start();
        while (!agent.ready()) {
            FelixBench.sleep(5);
        }
        double s = FelixBench.secs(t);
        double cpu = CpuClock.self() - cpu0;
        double children = CpuClock.process() - CpuClock.self() - children0;
        double busy = QuietMachine.busyPct(machine0, QuietMachine.cpu());
        long routes = BenchSh.run("ip", "-n", ns, "route", "show", "proto", "80")
                .lines()
                .count();
        System.out.printf(
                "agent %s, backend %s, Ipv6Support %s: %.3f s until %d routes and all chains programmed%n",
                what, backend, FelixBench.IPV6, s, routes);
        System.out.println("  of it: " + phases(agent, null));
        System.out.printf(
                "  meanwhile: this JVM used %.2f CPU s (%.1f cores on average), the commands it ran %.2f s; all CPUs of"
                        + " the machine %.0f%% busy%n",
                cpu, cpu / s, children, busy);
        System.out.println("  CPU by thread: " + CpuClock.threadsSince(threads0, cpu));
        System.out.println("  heap: " + Heap.now().since(heap0));
        return new Timed(agent, agentStore, s, cpu);
    }

    /** The agent's time per phase (calculation, nft model and diff, netlink encoding, kernel), since {@code before}. */
    static String phases(Agent agent, double[] before) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < PHASES.size(); i++) {
            double v = agent.metrics().seconds(PHASES.get(i)) - (before == null ? 0 : before[i]);
            b.append(i == 0 ? "" : ", ")
                    .append(PHASES.get(i).replace("felix_", "").replace("_seconds", ""))
                    .append(String.format(" %.1f ms", v * 1000));
        }
        return b.toString();
    }

    static double[] phaseValues(Agent agent) {
        return PHASES.stream().mapToDouble(p -> agent.metrics().seconds(p)).toArray();
    }
}
