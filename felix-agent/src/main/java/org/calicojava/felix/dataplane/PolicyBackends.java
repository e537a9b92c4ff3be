package org.calicojava.felix.dataplane;

import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.nft.NftBackend;
import org.calicojava.process.CommandRunner;

/**
 * Picks the policy backend from {@code DataplaneBackend}: {@code iptables}, {@code nftables}, or {@code auto} (the
 * default: {@link AutoBackend}, nftables where nothing else at the forward hook can override it, else iptables).
 */
public final class PolicyBackends {
    /** A kernel booted with ipv6.disable=1 has no IPv6 sysctls: no IPv6 policy can be programmed there. */
    public static final boolean KERNEL_IPV6 =
            java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/sys/net/ipv6"));

    private PolicyBackends() {}

    /** "iptables" or "nftables" for a configured value, and why; {@code auto} is asked only for "auto". */
    public static AutoBackend.Choice resolve(String configured, java.util.function.Supplier<AutoBackend.Choice> auto) {
        return switch (configured) {
            case "auto" -> {
                AutoBackend.Choice c = auto.get();
                yield new AutoBackend.Choice(c.backend(), "DataplaneBackend auto: " + c.why());
            }
            case "iptables", "nftables" -> new AutoBackend.Choice(configured, "DataplaneBackend " + configured);
            default ->
                throw new IllegalArgumentException(
                        "DataplaneBackend: '" + configured + "' (expected: auto, iptables or nftables)");
        };
    }

    /**
     * {@code kernel}: the namespace's nftables over netlink (generation for skipping read-backs, {@link DriftGate};
     * the nftables backend's read-back); null: read back through the commands, never skipped.
     */
    public static PolicyBackend create(
            String resolved, CommandRunner runner, String iptablesBackend, Metrics metrics, NftKernel kernel) {
        return resolved.equals("nftables")
                ? (kernel == null ? new NftBackend(runner, metrics) : new NftBackend(runner, metrics, kernel))
                : new IptablesBackend(
                        runner,
                        IptablesCommands.of(iptablesBackend),
                        metrics,
                        kernel == null ? DriftGate.UNKNOWN : kernel::generation);
    }
}
