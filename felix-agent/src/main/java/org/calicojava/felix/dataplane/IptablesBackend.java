package org.calicojava.felix.dataplane;

import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.DesiredDataplane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Policy through iptables, ip6tables and ipset: ipsets created and filled, then the filter, nat and raw chains of
 * IPv4 and IPv6 ({@link IptablesTable}, iptables-restore --noflush), then unused ipsets destroyed. The ip6tables
 * tables are read and written once the desired state has had IPv6 chains (Ipv6Support, the default); turned off
 * later, our ip6tables chains and hooks are removed; never turned on (or a kernel without IPv6), ip6tables is not
 * touched.
 */
public final class IptablesBackend implements PolicyBackend {
    private static final Logger LOG = LoggerFactory.getLogger(IptablesBackend.class);
    private static final List<String> TABLES = List.of("filter", "nat", "raw");
    /** Tables of version 4 then 6, each in {@link #TABLES} order. */
    private final List<IptablesTable> tables = new ArrayList<>();
    private final IpsetManager ipsets;
    private boolean v6Active;
    private boolean v6Unavailable;

    public IptablesBackend(CommandRunner runner, IptablesCommands commands, Metrics metrics) {
        for (int v : new int[]{4, 6}) {
            for (String t : TABLES) {
                tables.add(new IptablesTable(t, runner, commands.forVersion(v), metrics));
            }
        }
        this.ipsets = new IpsetManager(runner);
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
        for (int i = 0; i < tables.size(); i++) {
            if (version(i) == 4 || v6Active) {
                drift += tables.get(i).refresh();
            }
        }
        return drift;
    }

    @Override
    public void apply(DesiredDataplane d) {
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
        ipsets.setDesired(d.ipsets());
        ipsets.applyUpdates();
        for (int i = 0; i < tables.size(); i++) {
            if (version(i) == 4 || v6Active) { // Ipv6Support turned off: our ip6tables chains and hooks go
                tables.get(i).setDesired(d.chains(version(i), TABLES.get(i % TABLES.size())));
                tables.get(i).apply();
            }
        }
        ipsets.applyDeletes();
    }

    @Override
    public int setCount() {
        return ipsets.count();
    }
}
