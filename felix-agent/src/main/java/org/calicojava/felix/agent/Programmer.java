package org.calicojava.felix.agent;

import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.EndpointKey;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.calc.PersistentMap;
import org.calicojava.felix.dataplane.Dataplane;
import org.calicojava.felix.dataplane.EndpointState;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.felix.dataplane.NftKernel;
import org.calicojava.felix.dataplane.PolicyBackend;
import org.calicojava.felix.rules.Chain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One programming pass on the dataplane thread: the felix config from env and etcd, the calculation, the choice of
 * policy backend ({@link BackendSelection}: once, on the first pass), the dataplane write, then endpoint
 * status (only what changed) and the gauges. Not thread-safe: the dataplane thread's.
 */
final class Programmer {
    private static final Logger LOG = LoggerFactory.getLogger(Programmer.class);
    private final Map<String, String> env;
    private final DatastoreState state;
    private final Metrics metrics;
    private final ProblemLog problems;
    private final Calculator calculator;
    private FelixConfig config;
    private final BackendSelection backends;

    private Map<EndpointKey, EndpointState> lastStates = Map.of();
    /** Whether an apply has run: the first one logs the endpoints that are up in one line. */
    private boolean appliedOnce;

    private Map<String, Chain> lastFilter = Map.of();
    /** cali-pi- chains in the last filter table (kept up to date from the changed names). */
    private long policyChains;

    private int localEndpoints;
    /** Additions to the calculated dataplane (encapsulation policy), applied in order after the calculation. */
    private UnaryOperator<DesiredDataplane> additions = UnaryOperator.identity();

    Programmer(Map<String, String> env, DatastoreState state, Namespace ns, Metrics metrics, ProblemLog problems) {
        this.env = Map.copyOf(env);
        this.state = state;
        this.metrics = metrics;
        this.problems = problems;
        this.calculator = new Calculator(problems::report);
        this.backends = new BackendSelection(ns, metrics, problems);
        this.config = FelixConfig.of(env, Map.of(), Map.of());
    }

    /** Adds a step applied to every calculated dataplane before it is programmed (dataplane thread). */
    void addAddition(UnaryOperator<DesiredDataplane> step) {
        UnaryOperator<DesiredDataplane> before = additions;
        additions = d -> step.apply(before.apply(d));
    }

    FelixConfig config() {
        return config;
    }

    /** InterfacePrefix as the datastore read so far sets it (before the first pass; the current one if it is bad). */
    String interfacePrefix() {
        try {
            return FelixConfig.of(env, state.hostConfig(), state.globalConfig()).interfacePrefix();
        } catch (IllegalArgumentException e) {
            return config.interfacePrefix();
        }
    }

    /** Local endpoints in the last pass. */
    int localEndpoints() {
        return localEndpoints;
    }

    /** The policy backend the current config asks for (before the first pass: from the environment alone). */
    PolicyBackend policyBackend(NftKernel nftKernel) {
        return backends.initial(config, nftKernel);
    }

    /** Calculates and programs; {@code since} is when the oldest change in it arrived. Throws on the unexpected. */
    void program(long since, Dataplane dataplane, NftKernel nftKernel, StatusReporter status, Refresher refresher) {
        try {
            config = FelixConfig.of(env, state.hostConfig(), state.globalConfig());
        } catch (IllegalArgumentException e) {
            if (problems.report("felix config: " + e.getMessage() + " (keeping previous settings)")) {
                metrics.inc(Metrics.INVALID_RECORDS); // once per distinct bad setting, not per run
            }
        }
        long calcStart = System.nanoTime();
        DesiredDataplane d = additions.apply(calculator.calculate(state, config));
        long calcNanos = System.nanoTime() - calcStart;
        metrics.addSeconds("felix_calc_seconds", calcNanos / 1e9);
        long calcMs = calcNanos / 1_000_000;
        if (calcMs > 1000) {
            LOG.info(
                    "calculation took {} ms for {} local endpoints",
                    calcMs,
                    d.interfaces().size());
        }
        backends.choose(config, dataplane, nftKernel);
        refresher.interruptRead();
        Map<EndpointKey, EndpointState> states = dataplane.apply(d);
        localEndpoints = d.interfaces().size();
        Map<EndpointKey, EndpointState> before = lastStates;
        boolean first = !appliedOnce; // the first apply: one line for all endpoints that are up, not one each
        appliedOnce = true;
        int[] upAtFirst = {0};
        PersistentMap.changedKeys(
                before,
                states,
                k -> { // only what changed (all of it after links changed)
                    EndpointState s = states.get(k);
                    if (first && EndpointState.UP.equals(s)) {
                        upAtFirst[0]++;
                    } else if (s != null && !s.equals(before.get(k))) {
                        LOG.info(
                                "endpoint {} ({}): {}{}",
                                k,
                                dataplane.interfaceOf(k),
                                s.status(),
                                s.reason() == null ? "" : " - " + s.reason());
                    }
                });
        if (upAtFirst[0] > 0) {
            LOG.info("first apply: {} local endpoints up (any other state has a line of its own)", upAtFirst[0]);
        }
        lastStates = states;
        status.endpoints(withRefused(states));
        Map<String, Chain> filterBefore = lastFilter;
        PersistentMap.changedKeys(filterBefore, d.filter(), k -> {
            if (k.startsWith("cali-pi-")) {
                policyChains += (d.filter().containsKey(k) ? 1 : 0) - (filterBefore.containsKey(k) ? 1 : 0);
            }
        });
        lastFilter = d.filter();
        metrics.gauge("felix_active_local_endpoints", d.interfaces().size());
        metrics.gauge("felix_route_conflicts", dataplane.routeConflicts());
        metrics.gauge("felix_active_policies", policyChains);
        metrics.gauge("felix_ipsets", d.ipsets().size());
        metrics.gauge("felix_update_to_dataplane_seconds", (System.nanoTime() - since) / 1e9);
    }

    /** This host's endpoints whose record was refused get status error with the reason. */
    private Map<EndpointKey, EndpointState> withRefused(Map<EndpointKey, EndpointState> states) {
        Map<EndpointKey, String> refused = state.refusedEndpoints();
        if (refused.isEmpty()) {
            return states;
        }
        Map<EndpointKey, EndpointState> all = new HashMap<>(states);
        refused.forEach((k, why) -> all.put(k, new EndpointState("error", "record refused: " + why)));
        return all;
    }
}
