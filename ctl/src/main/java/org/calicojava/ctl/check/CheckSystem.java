package org.calicojava.ctl.check;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code javactl checksystem}: every host check, one line each, in a fixed order; with {@code fix}, the safe fixes
 * (sysctls, modprobe) of the checks that did not pass are applied, each reported on a FIX line, and every check is run
 * again. The exit code is 1 when a FAIL remains.
 */
public final class CheckSystem {
    /**
     * {@code backend}: node run's BGP backend (java, bird, none); {@code nftables}: felix's DataplaneBackend is
     * nftables; {@code ipipPools}: a pool in etcd uses IPIP; {@code etcd}: the datastore check (done by the caller,
     * which has the store).
     */
    public record Options(String backend, boolean nftables, boolean ipipPools, boolean fix, Supplier<Check> etcd) {}

    private final HostView host;

    public CheckSystem(HostView host) {
        this.host = host;
    }

    /** Every check once, in order. */
    public List<Check> checks(Options o) {
        KernelChecks kernel = new KernelChecks(host);
        ConflictChecks conflicts = new ConflictChecks(host);
        List<Check> out = new ArrayList<>();
        out.add(kernel.version());
        out.addAll(kernel.features(o.nftables(), o.ipipPools()));
        out.addAll(new SysctlChecks(host).all());
        out.addAll(new BinaryChecks(host).all(o.nftables(), o.backend()));
        out.add(o.etcd().get());
        out.addAll(conflicts.capabilities());
        if (!o.backend().equals("none")) {
            out.add(conflicts.bgpPort());
        }
        out.add(conflicts.forwardPolicy(o.nftables()));
        out.add(conflicts.firewalld());
        return out;
    }

    /** Prints the checks (fixing first when asked); returns the exit code: 1 if any FAIL remains, else 0. */
    public int run(Options o, PrintWriter out) {
        List<Check> checks = checks(o);
        if (o.fix()) {
            boolean applied = false;
            for (Check c : checks) {
                if (c.status() != Check.Status.PASS && c.fix() != null) {
                    String error = c.fix().apply();
                    out.println(String.format(
                            "%-4s  %-36s %s",
                            "FIX",
                            c.name(),
                            error == null
                                    ? "applied: " + c.todo().replace(" (or javactl checksystem --fix)", "")
                                    : "failed: " + error));
                    applied = true;
                }
            }
            if (applied) {
                checks = checks(o);
            }
        }
        int[] counts = new int[Check.Status.values().length];
        for (Check c : checks) {
            out.println(c.line());
            counts[c.status().ordinal()]++;
        }
        out.println(String.format("%d PASS, %d WARN, %d FAIL", counts[0], counts[1], counts[2]));
        if (!o.fix() && checks.stream().anyMatch(c -> c.status() != Check.Status.PASS && c.fix() != null)) {
            out.println("javactl checksystem --fix applies the sysctl and modprobe fixes above");
        }
        return counts[2] > 0 ? 1 : 0;
    }
}
