package org.calicojava.ctl;

import java.util.List;
import org.calicojava.ctl.check.Check;
import org.calicojava.ctl.check.CheckSystem;
import org.calicojava.ctl.check.LocalHost;
import org.calicojava.model.IpPool;
import org.calicojava.model.Json;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.KeyValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code javactl checksystem [--fix] [--backend java|bird|none]}: is this host (this network namespace) ready for
 * calico-java? One line per check (see {@link CheckSystem}); exit 1 on a FAIL. The checks are in package
 * {@code org.calicojava.ctl.check}; this class adds the etcd check and what etcd says about the configuration
 * (felix's DataplaneBackend, IPIP pools).
 */
@Command(
        name = "checksystem",
        description = "Check this host for what calico-java needs (kernel, sysctls, programs, "
                + "etcd, capabilities, conflicts); exit 1 on a FAIL.")
final class CheckSystemCommand extends CheckCommand {
    @Option(names = "--fix", description = "apply the safe fixes (sysctls, modprobe), then check again")
    boolean fix;

    @Option(
            names = "--backend",
            defaultValue = "java",
            paramLabel = "java|bird|none",
            description = "the BGP backend node run will use (default: java)")
    String backend;

    private boolean nftables;
    private boolean ipipPools;

    @Override
    public void run() {
        if (!List.of("java", "bird", "none").contains(backend)) {
            throw fail("--backend: '" + backend + "' (expected: java, bird or none)");
        }
        Check etcd = etcdCheck();
        CheckSystem.Options o = new CheckSystem.Options(backend, nftables, ipipPools, fix, () -> etcd);
        exitCode = new CheckSystem(new LocalHost(System.getenv("PATH"))).run(o, out());
        out().flush();
    }

    /** Reaches etcd with the configured endpoints, TLS and credentials; reads the settings that change the checks. */
    private Check etcdCheck() {
        EtcdConfig cfg = root().etcdConfig();
        String how = cfg.describe()
                + (cfg.tls() ? ", TLS" : "")
                + (cfg.username() != null ? ", user " + cfg.username() : "");
        long t0 = System.nanoTime();
        try {
            List<KeyValue> pools = store().list(keys().pools(4)).kvs();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            for (KeyValue kv : pools) {
                try {
                    ipipPools |= Json.read(kv.value(), IpPool.class).ipip();
                } catch (IllegalArgumentException e) {
                    // a bad pool is javactl pool show's business
                }
            }
            nftables = store().get(keys().felixConfig("DataplaneBackend"))
                    .map(KeyValue::value)
                    .map(v -> v.trim().equals("nftables"))
                    .orElse(false);
            return Check.pass("etcd", "reachable at " + how + " (" + ms + " ms)");
        } catch (DatastoreException e) {
            return Check.fail(
                    "etcd",
                    "not reachable at " + how + ": " + e.getMessage(),
                    "check --etcd-endpoints (ETCD_ENDPOINTS), the TLS files and the credentials");
        }
    }
}
