package org.calicojava.felix.bench;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.felix.agent.Agent;
import org.calicojava.model.Keys;
import org.calicojava.store.JetcdStore;

/** The bench's "policy for all endpoints" phase: a policy that starts applying to every local endpoint. */
final class PolicyForAll {
    private final Keys keys;
    private final int n;

    PolicyForAll(Keys keys, int n) {
        this.keys = keys;
        this.n = n;
    }

    /** Rounds of {@link #median} (-Dpolicyall.rounds; the first after the cold start and the adds). */
    static final int ROUNDS = Integer.getInteger("policyall.rounds", 5);

    /**
     * A tiered policy that starts applying to every endpoint (selector {@code all()}): milliseconds from the etcd
     * write to the end of the programming pass that wrote it (the agent's {@code felix_active_policies} gauge, set
     * after the dataplane write, goes from 0 to 1), with the agent's time per phase; then the policy and its tier are
     * removed again and the removal awaited. {@link #ROUNDS} rounds; returns their median.
     */
    Double median(JetcdStore store, Agent agent, String backend) {
        String tier = keys.tierMetadata("bench"), policy = keys.policy("bench", "all");
        List<Double> rounds = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            store.put(tier, "{\"order\":10}");
            FelixBench.sleep(500); // the tier alone changes nothing; its pass is over before the policy comes
            double[] before = AgentStart.phaseValues(agent);
            long t0 = System.nanoTime();
            store.put(
                    policy,
                    "{\"order\":1,\"selector\":\"all()\",\"inbound_rules\":[{\"action\":\"next-tier\"}],"
                            + "\"outbound_rules\":[{\"action\":\"next-tier\"}]}");
            boolean done = awaitGauge(agent, "felix_active_policies", 1, t0 + 60_000_000_000L);
            double ms = (System.nanoTime() - t0) / 1e6;
            System.out.printf(
                    "policy applying to all %d endpoints (%s backend), round %d: %s; of it: %s%n",
                    n,
                    backend,
                    round,
                    done ? String.format("%.1f ms (etcd write -> programmed)", ms) : "not programmed in 60 s",
                    AgentStart.phases(agent, before));
            store.delete(policy);
            store.delete(tier);
            awaitGauge(agent, "felix_active_policies", 0, System.nanoTime() + 60_000_000_000L);
            FelixBench.sleep(500);
            if (!done) {
                return null;
            }
            rounds.add(ms);
        }
        double median = FelixBench.pct(rounds, 0.5);
        System.out.printf(
                "policy applying to all %d endpoints: median %.1f ms of %d rounds%n", n, median, rounds.size());
        return median;
    }

    private static boolean awaitGauge(Agent agent, String gauge, double value, long deadline) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("(?m)^" + gauge + " (\\S+)$");
        while (System.nanoTime() < deadline) {
            java.util.regex.Matcher m = p.matcher(agent.metrics().render());
            if (m.find() && Double.parseDouble(m.group(1)) == value) {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return false;
    }
}
