package org.calicojava.felix.dataplane;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.rules.Chain;
import org.calicojava.process.CommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policy through iptables, ip6tables and ipset: ipsets created and filled, then the filter, nat and raw chains of
 * IPv4 and IPv6 ({@link IptablesTable}, iptables-restore --noflush; the filter tables with the dispatch chains that
 * lead to the endpoint chains, {@link DispatchChains}), then unused ipsets destroyed. The ip6tables
 * tables are read and written once the desired state has had IPv6 chains (Ipv6Support, the default); turned off
 * later, our ip6tables chains and hooks are removed; never turned on (or a kernel without IPv6), ip6tables is not
 * touched. With iptables-nft, a refresh reads the tables back only when the kernel's nftables generation shows a
 * commit by someone else since they last read back ({@link DriftGate}: each successful restore of ours with changes
 * is one commit — an empty one makes none, and we never run one —; the ipsets, not in nftables, are always read).
 */
public final class IptablesBackend implements PolicyBackend {
    private static final Logger LOG = LoggerFactory.getLogger(IptablesBackend.class);
    private static final List<String> TABLES = List.of("filter", "nat", "raw");
    /** Tables of version 4 then 6, each in {@link #TABLES} order. */
    private final List<IptablesTable> tables = new ArrayList<>();

    private final IpsetManager ipsets;
    /** The dispatch chains, added to the calculated filter tables. */
    private final DispatchChains dispatch = new DispatchChains();

    private boolean v6Active;
    private boolean v6Unavailable;
    private final DriftGate gate;
    private final Metrics metrics;

    public IptablesBackend(CommandRunner runner, IptablesCommands commands, Metrics metrics) {
        this(runner, commands, metrics, DriftGate.UNKNOWN);
    }

    /** {@code nftGeneration} is used only when both iptables and ip6tables binaries are the nf_tables variants. */
    public IptablesBackend(
            CommandRunner runner,
            IptablesCommands commands,
            Metrics metrics,
            java.util.function.LongSupplier nftGeneration) {
        for (int v : new int[] {4, 6}) {
            for (String t : TABLES) {
                tables.add(new IptablesTable(t, runner, commands.forVersion(v), metrics));
            }
        }
        this.ipsets = new IpsetManager(runner);
        this.metrics = metrics;
        boolean nft = usesNftables(runner, commands.forVersion(4)) && usesNftables(runner, commands.forVersion(6));
        this.gate = new DriftGate(nft ? nftGeneration : DriftGate.UNKNOWN);
    }

    /** Whether the restore binary is iptables-nft ({@code --version} says "nf_tables"). */
    static boolean usesNftables(CommandRunner runner, IptablesCommands c) {
        if (c.restoreBinary().contains("-legacy-") || c.restoreBinary().contains("-nft-")) {
            return c.restoreBinary().contains("-nft-");
        }
        try {
            CommandRunner.Result r = runner.run(List.of(c.restoreBinary(), "--version"), null);
            return r.ok() && r.out().contains("nf_tables");
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "iptables";
    }

    private static int version(int tableIndex) {
        return tableIndex < TABLES.size() ? 4 : 6;
    }

    @Override
    public int refresh() {
        int drift = ipsets.refresh();
        long k = gate.now();
        if (gate.unchanged(k)) {
            metrics.inc("felix_refreshes_skipped");
            return drift;
        }
        for (int i = 0; i < tables.size(); i++) {
            if (version(i) == 4 || v6Active) {
                drift += tables.get(i).refresh();
            }
        }
        gate.verified(k);
        return drift;
    }

    @Override
    public void apply(DesiredDataplane d) {
        try {
            write(d);
        } catch (DataplaneException e) {
            gate.forget(); // what the tables hold is unknown now: read back next time
            throw e;
        }
    }

    private void write(DesiredDataplane d) {
        boolean want6 = !d.filter6().isEmpty() && PolicyBackends.KERNEL_IPV6;
        if (want6 && !v6Active) {
            v6Active = true;
            for (int i = TABLES.size(); i < tables.size(); i++) {
                tables.get(i).refresh(); // take over what ip6tables has before the first IPv6 write
            }
        } else if (!d.filter6().isEmpty() && !PolicyBackends.KERNEL_IPV6 && !v6Unavailable) {
            v6Unavailable = true;
            LOG.warn("IPv6 is disabled in this kernel: IPv6 policy (ip6tables) not programmed");
        }
        long before = gate.now();
        int restoresBefore = restores();
        ipsets.setDesired(d.ipsets());
        ipsets.applyUpdates();
        dispatch.update(d.interfaces());
        DataplaneException unreadable = null; // such a table is left alone, the others are written
        for (int i = 0; i < tables.size(); i++) {
            if (version(i) == 4 || v6Active) { // Ipv6Support turned off: our ip6tables chains and hooks go
                String table = TABLES.get(i % TABLES.size());
                Map<String, Chain> chains = d.chains(version(i), table);
                tables.get(i).setDesired(table.equals("filter") ? dispatch.filter(version(i), chains) : chains);
                try {
                    tables.get(i).apply();
                } catch (IptablesTable.Unreadable e) {
                    unreadable = unreadable == null ? e : unreadable;
                }
            }
        }
        if (unreadable != null) { // its chains may still use sets we would destroy: reported, not destroyed
            throw unreadable;
        }
        ipsets.applyDeletes();
        gate.written(before, gate.now(), restores() - restoresBefore);
    }

    private int restores() {
        return tables.stream().mapToInt(IptablesTable::restores).sum();
    }

    @Override
    public int setCount() {
        return ipsets.count();
    }
}
