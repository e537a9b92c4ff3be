package org.calicojava.felix.dataplane;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.nft.NftNames;
import org.calicojava.process.CommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes, once at start (when the policy backend has been chosen, before its first apply), what the other backend
 * or an earlier {@code Ipv6Support} left in the namespace: with nftables chosen, our iptables and ip6tables chains
 * and hooks ({@link StaleIptables}; both iptables-nft and iptables-legacy, whichever binaries exist) and then the
 * {@code cali4-}/{@code cali6-} ipsets; with iptables chosen, {@code table inet calico}, and with {@code Ipv6Support}
 * false our ip6tables objects (both flavors) and the {@code cali6-} ipsets. Nothing to remove costs one
 * {@code *-save} per binary (all tables at once), one {@code ipset list -n} and one {@code nft delete table}.
 */
public final class StaleDataplane {
    private static final Logger LOG = LoggerFactory.getLogger(StaleDataplane.class);
    private static final List<String> FLAVORS = List.of("nft", "legacy");
    private final CommandRunner runner;
    private final Predicate<String> installed;
    /** iptables/ip6tables chains and hooks and ipsets removed so far. */
    private int iptablesObjects;

    public StaleDataplane(CommandRunner runner, Predicate<String> installed) {
        this.runner = runner;
        this.installed = installed;
    }

    /**
     * The call from where the backend is chosen: removes what {@code dataplane}'s backend does not use. If the
     * iptables backend stays and some of its kind went (Ipv6Support false: ip6tables, cali6- sets), it gets a fresh
     * iptables backend, read back at the first apply (the one that took over at start still counts those as its own).
     */
    public static void removeFor(
            Dataplane dataplane, CommandRunner runner, FelixConfig config, Metrics metrics, NftKernel kernel) {
        String backend = dataplane.policyBackend();
        StaleDataplane stale = new StaleDataplane(runner, StaleDataplane::onPath);
        stale.remove(backend, config.ipv6Support(), PolicyBackends.KERNEL_IPV6);
        if (stale.iptablesObjects > 0 && backend.equals("iptables")) {
            dataplane.usePolicyBackend(
                    PolicyBackends.create(backend, runner, config.iptablesBackend(), metrics, kernel));
        }
    }

    /** Removes what {@code backend} ("iptables" or "nftables") does not use; returns how many objects went. */
    public int remove(String backend, boolean ipv6Support, boolean kernelIpv6) {
        if (backend.equals("nftables")) {
            String why = "DataplaneBackend is nftables";
            int n = removeIptables(4, why, "left by the iptables backend");
            if (kernelIpv6) {
                n += removeIptables(6, why, "left by the iptables backend");
            }
            return n
                    + destroyIpsets(
                            s -> s.startsWith("cali4-") || s.startsWith("cali6-"),
                            why,
                            "cali4-/cali6-",
                            "left by the iptables backend");
        }
        int n = deleteNftTable();
        if (!ipv6Support && kernelIpv6) {
            String why = "Ipv6Support is false";
            n += removeIptables(6, why, "left by a run with IPv6");
            n += destroyIpsets(s -> s.startsWith("cali6-"), why, "cali6-", "left by a run with IPv6");
        }
        return n;
    }

    private int removeIptables(int version, String why, String leftBy) {
        String family = version == 6 ? "ip6tables" : "iptables";
        int removed = 0;
        for (String flavor : FLAVORS) {
            String binary = family + "-" + flavor;
            if (!installed.test(binary + "-save") || !installed.test(binary + "-restore")) {
                continue;
            }
            CommandRunner.Result save = runner.run(List.of(binary + "-save"), null);
            if (!save.ok()) {
                LOG.warn("{}-save (looking for chains left by another run): {}", binary, save.firstError());
                continue;
            }
            StaleIptables stale = StaleIptables.parse(save.out());
            if (!stale.kept().isEmpty()) {
                LOG.warn("{}: kept {} (a rule that is not ours jumps to it)", binary, String.join(", ", stale.kept()));
            }
            int done = 0;
            int hooks = 0;
            for (StaleIptables.Table t : stale.nonEmpty()) {
                CommandRunner.Result r = runner.run(List.of(binary + "-restore", "--noflush", "-w", "10"), t.script());
                if (r.ok()) {
                    done += t.chains().size();
                    hooks += t.hookRules().size();
                } else {
                    LOG.warn("{}-restore removing our chains from {}: {}", binary, t.name(), r.firstError());
                }
            }
            if (done + hooks > 0) {
                LOG.info(
                        "{}: removed {} {} chains and {} hook rules ({}) {}", why, done, family, hooks, binary, leftBy);
            }
            removed += done + hooks;
        }
        iptablesObjects += removed;
        return removed;
    }

    private int destroyIpsets(Predicate<String> ours, String why, String which, String leftBy) {
        if (!installed.test("ipset")) {
            return 0;
        }
        CommandRunner.Result list = runner.run(List.of("ipset", "list", "-n"), null);
        if (!list.ok()) {
            LOG.warn("ipset list -n (looking for sets left by another run): {}", list.firstError());
            return 0;
        }
        Set<String> names = new LinkedHashSet<>();
        list.out().lines().map(String::strip).filter(ours).forEach(names::add);
        if (names.isEmpty()) {
            return 0;
        }
        StringBuilder script = new StringBuilder();
        names.forEach(n -> script.append("destroy ").append(n).append('\n'));
        int destroyed = names.size();
        if (!runner.run(List.of("ipset", "restore"), script.toString()).ok()) {
            destroyed = 0; // restore stops at the first set in use: one by one, to destroy the others
            List<String> inUse = new ArrayList<>();
            for (String n : names) {
                if (runner.run(List.of("ipset", "destroy", n), null).ok()) {
                    destroyed++;
                } else {
                    inUse.add(n);
                }
            }
            LOG.warn(
                    "{}: kept {} {} ipsets still in use: {}",
                    why,
                    inUse.size(),
                    which,
                    String.join(", ", inUse.subList(0, Math.min(5, inUse.size()))) + (inUse.size() > 5 ? ", ..." : ""));
        }
        iptablesObjects += destroyed;
        if (destroyed > 0) {
            LOG.info("{}: destroyed {} {} ipsets {}", why, destroyed, which, leftBy);
        }
        return destroyed;
    }

    private int deleteNftTable() {
        if (!installed.test("nft")) {
            return 0;
        }
        CommandRunner.Result r = runner.run(List.of("nft", "delete", "table", NftNames.FAMILY, NftNames.TABLE), null);
        if (r.ok()) {
            LOG.info(
                    "DataplaneBackend is iptables: removed nftables table {} {} left by the nftables backend",
                    NftNames.FAMILY,
                    NftNames.TABLE);
            return 1;
        }
        if (!(r.err() + r.out()).contains("No such file or directory")) {
            LOG.warn(
                    "nft delete table {} {} (left by the nftables backend?): {}",
                    NftNames.FAMILY,
                    NftNames.TABLE,
                    r.firstError());
        }
        return 0;
    }

    /** Whether {@code binary} is an executable in a directory of PATH (or the sbin directories). */
    static boolean onPath(String binary) {
        Set<String> dirs = new LinkedHashSet<>(
                List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        return dirs.stream().filter(d -> !d.isEmpty()).anyMatch(d -> Files.isExecutable(Path.of(d, binary)));
    }
}
