package org.calicojava.felix.dataplane;

import org.calicojava.felix.agent.Metrics;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.EndpointKey;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.Netlink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The iptables dataplane: applies a {@link DesiredDataplane} through its managers in a safe order (ipsets created
 * and filled, then filter, nat and raw chains of IPv4 and IPv6, then unused ipsets destroyed, then sysctls and
 * routes), and reports each local endpoint's state. The ip6tables tables are read and written once the desired
 * state has had IPv6 chains (Ipv6Support, the default); turned off later, our ip6tables chains and hooks are removed;
 * never turned on (or a kernel without IPv6), ip6tables is not touched. A failed step is logged, read back at the next apply, and retried. Owned by the dataplane
 * thread.
 */
public final class Dataplane {
    private static final Logger LOG = LoggerFactory.getLogger(Dataplane.class);
    private static final List<String> TABLES = List.of("filter", "nat", "raw");
    /** A kernel booted with ipv6.disable=1 has no IPv6 sysctls, and ip6tables cannot work there. */
    private static final boolean KERNEL_IPV6 = java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/sys/net/ipv6"));
    /** Tables of version 4 then 6, each in {@link #TABLES} order. */
    private final List<IptablesTable> tables = new ArrayList<>();
    private boolean v6Active;
    private boolean v6Unavailable;
    private final IpsetManager ipsets;
    private final RouteManager routes;
    private final SysctlManager sysctls;
    private boolean needRefresh = true;
    private String iptablesError;

    public Dataplane(Namespace ns, Netlink netlink, IptablesCommands commands, int routeProtocol, Metrics metrics) {
        CommandRunner runner = ns.commands();
        this.sysctls = new SysctlManager(ns);
        for (int v : new int[]{4, 6}) {
            for (String t : TABLES) {
                tables.add(new IptablesTable(t, runner, commands.forVersion(v), metrics));
            }
        }
        this.ipsets = new IpsetManager(runner);
        this.routes = new RouteManager(netlink, routeProtocol);
    }

    /** Reads iptables, ipsets, links and routes back from the kernel; returns how many drifted objects it found. */
    public int refresh() {
        int drift = ipsets.refresh();
        for (int i = 0; i < tables.size(); i++) {
            if (version(i) == 4 || v6Active) {
                drift += tables.get(i).refresh();
            }
        }
        routes.refresh();
        needRefresh = false;
        return drift;
    }

    private int version(int tableIndex) {
        return tableIndex < TABLES.size() ? 4 : 6;
    }

    public void linksChanged() {
        routes.linksChanged();
    }

    /** Programs {@code d}; returns each local endpoint's state. */
    public Map<EndpointKey, EndpointState> apply(DesiredDataplane d) {
        iptablesError = null;
        try {
            boolean want6 = !d.filter6().isEmpty() && KERNEL_IPV6;
            if (want6 && !v6Active) {
                v6Active = true;
                needRefresh = true; // take over what ip6tables has before the first IPv6 write
            } else if (!d.filter6().isEmpty() && !KERNEL_IPV6 && !v6Unavailable) {
                v6Unavailable = true;
                LOG.warn("IPv6 is disabled in this kernel: IPv6 policy (ip6tables) not programmed");
            }
            if (needRefresh) {
                refresh();
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
        } catch (DataplaneException e) {
            LOG.error("policy programming failed (will retry): {}", e.getMessage());
            iptablesError = e.getMessage();
            needRefresh = true;
        }
        routes.setDesired(d.routes());
        String routeError = null;
        try {
            routes.apply();
        } catch (DataplaneException e) {
            LOG.error("route programming failed (will retry): {}", e.getMessage());
            routeError = e.getMessage();
        }
        Map<String, Integer> present = new HashMap<>();
        d.interfaces().keySet().forEach(i -> {
            Link l = routes.links().get(i);
            if (l != null) {
                present.put(i, l.index());
            }
        });
        sysctls.apply(present);
        Map<EndpointKey, EndpointState> states = new HashMap<>();
        for (Map.Entry<String, EndpointKey> e : d.interfaces().entrySet()) {
            states.put(e.getValue(), state(e.getKey(), routeError));
        }
        return states;
    }

    private EndpointState state(String iface, String routeError) {
        Link l = routes.links().get(iface);
        if (l == null) {
            return new EndpointState("down", "interface " + iface + " missing");
        }
        if (!l.isUp()) {
            return new EndpointState("down", "interface " + iface + " down");
        }
        String err = iptablesError != null ? iptablesError
                : routeError != null ? routeError : routes.errors().get(iface);
        return err == null ? EndpointState.UP : new EndpointState("error", err);
    }

    /** Whether the last apply left something to retry. */
    public boolean failed() {
        return needRefresh || iptablesError != null;
    }

    public int ipsetCount() {
        return ipsets.count();
    }
}
