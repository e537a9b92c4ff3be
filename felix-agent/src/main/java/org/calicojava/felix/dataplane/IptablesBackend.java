package org.calicojava.felix.dataplane;

import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.DesiredDataplane;

/**
 * Policy through iptables and ipset: ipsets created and filled, then the filter and nat chains
 * ({@link IptablesTable}, iptables-restore --noflush), then unused ipsets destroyed.
 */
public final class IptablesBackend implements PolicyBackend {
    private final IptablesTable filter;
    private final IptablesTable nat;
    private final IpsetManager ipsets;

    public IptablesBackend(CommandRunner runner, IptablesCommands commands, Metrics metrics) {
        this.filter = new IptablesTable("filter", runner, commands, metrics);
        this.nat = new IptablesTable("nat", runner, commands, metrics);
        this.ipsets = new IpsetManager(runner);
    }

    @Override
    public String name() {
        return "iptables";
    }

    @Override
    public int refresh() {
        return filter.refresh() + nat.refresh() + ipsets.refresh();
    }

    @Override
    public void apply(DesiredDataplane d) {
        filter.setDesired(d.filter());
        nat.setDesired(d.nat());
        ipsets.setDesired(d.ipsets());
        ipsets.applyUpdates();
        filter.apply();
        nat.apply();
        ipsets.applyDeletes();
    }

    @Override
    public int setCount() {
        return ipsets.count();
    }
}
