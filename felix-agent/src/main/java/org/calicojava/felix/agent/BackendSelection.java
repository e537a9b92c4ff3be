package org.calicojava.felix.agent;

import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.dataplane.AutoBackend;
import org.calicojava.felix.dataplane.Dataplane;
import org.calicojava.felix.dataplane.Namespace;
import org.calicojava.felix.dataplane.NftKernel;
import org.calicojava.felix.dataplane.PolicyBackend;
import org.calicojava.felix.dataplane.PolicyBackends;
import org.calicojava.felix.dataplane.StaleDataplane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy backend, chosen once: a first guess from the environment's settings when the agent starts (the
 * take-over reads the kernel through it), then for good on the first programming after the initial sync, with etcd's
 * settings (one INFO line with the backend and why; the other backend's leftovers removed). {@code auto} looks at the
 * namespace at most once ({@link AutoBackend}); a later change of {@code DataplaneBackend} is reported and takes
 * effect on restart. The dataplane thread's.
 */
final class BackendSelection {
    private static final Logger LOG = LoggerFactory.getLogger(BackendSelection.class);
    private final Namespace ns;
    private final Metrics metrics;
    private final ProblemLog problems;
    /** What auto found, once. */
    private AutoBackend.Choice auto;
    /** DataplaneBackend as the policy backend was chosen by (on the first programming); null before. */
    private String setting;

    BackendSelection(Namespace ns, Metrics metrics, ProblemLog problems) {
        this.ns = ns;
        this.metrics = metrics;
        this.problems = problems;
    }

    /** The policy backend {@code config} asks for (before the first pass: from the environment alone). */
    PolicyBackend initial(FelixConfig config, NftKernel nftKernel) {
        nftWriter(config, nftKernel);
        return PolicyBackends.create(
                resolve(config).backend(), ns.commands(), config.iptablesBackend(), metrics, nftKernel);
    }

    /** On the first pass: the backend for good, logged, the other's leftovers removed; later: changes reported. */
    void choose(FelixConfig config, Dataplane dataplane, NftKernel nftKernel) {
        if (setting == null) {
            AutoBackend.Choice c = resolve(config);
            if (!c.backend().equals(dataplane.policyBackend())) {
                nftWriter(config, nftKernel);
                dataplane.usePolicyBackend(PolicyBackends.create(
                        c.backend(), ns.commands(), config.iptablesBackend(), metrics, nftKernel));
            }
            setting = config.dataplaneBackend();
            LOG.info("policy backend: {} ({})", dataplane.policyBackend(), c.why());
            StaleDataplane.removeFor(
                    dataplane, ns.commands(), config, metrics, nftKernel); // the other backend's leftovers
        } else if (!setting.equals(config.dataplaneBackend())) {
            problems.report("DataplaneBackend changed to " + config.dataplaneBackend() + ": takes effect on restart");
        }
    }

    /** How an nftables backend made next writes its transactions ({@code NftablesWriter}). */
    private static void nftWriter(FelixConfig config, NftKernel nftKernel) {
        if (nftKernel != null) {
            nftKernel.writer(config.nftablesWriter());
        }
    }

    private AutoBackend.Choice resolve(FelixConfig config) {
        return PolicyBackends.resolve(config.dataplaneBackend(), () -> {
            if (auto == null) {
                auto = AutoBackend.of(ns).choose();
            }
            return auto;
        });
    }
}
