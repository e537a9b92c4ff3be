package org.calicojava.felix.bench;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.felix.agent.Agent;
import org.calicojava.felix.rules.SavedTable;
import org.calicojava.model.Keys;
import org.calicojava.store.JetcdStore;

/** The refresh's cost for one backend at N endpoints: the full read-back, and on a quiet host (FelixBench's). */
final class RefreshCost {
    private final String ns;
    private final int n;
    private final Keys keys;

    RefreshCost(String ns, int n, Keys keys) {
        this.ns = ns;
        this.n = n;
        this.keys = keys;
    }

    /** The agent's own refresh (read back and compare), timed in CPU of this process plus the read-back commands. */
    double full(String backend) {
        if (!backend.startsWith("iptables")) {
            return netlinkReadCost();
        }
        String save = backend.equals("iptables-legacy") ? "iptables-legacy" : "iptables";
        long t = System.nanoTime();
        double cpu = 0;
        int rounds = 3;
        List<String> saves = new ArrayList<>(List.of(save + "-save"));
        if (Boolean.parseBoolean(FelixBench.IPV6)) {
            saves.add(save.replace("iptables", "ip6tables") + "-save");
        }
        for (int i = 0; i < rounds; i++) {
            for (String sv : saves) {
                for (String table : new String[] {"filter", "nat", "raw"}) {
                    CpuClock.Run r = CpuClock.run(null, "ip", "netns", "exec", ns, sv, "-t", table);
                    double c0 = CpuClock.thread();
                    SavedTable.parse(r.out(), table);
                    cpu += r.cpu() + CpuClock.thread() - c0;
                }
            }
            cpu += CpuClock.run(null, "ip", "netns", "exec", ns, "ipset", "save")
                    .cpu();
        }
        double per = cpu / rounds;
        System.out.printf(
                "refresh (%s of filter, nat, raw + ipset save + parse) at %d endpoints: %.3f CPU s each "
                        + "(%.3f s wall) = %.2f%% of a core at the default 90 s interval%n",
                String.join(" and ", saves), n, per, secs(t) / rounds, per / 90 * 100);
        return per / 90 * 100;
    }

    /** The nftables backend's full read-back as the agent does it: over netlink, then into an NftState. */
    private double netlinkReadCost() {
        try (org.calicojava.netlink.NfTables nf =
                org.calicojava.netlink.NetNs.run(ns, org.calicojava.netlink.NfTables::open)) {
            int rounds = 3;
            double cpu = 0;
            long t = System.nanoTime();
            int rules = 0;
            for (int i = 0; i < rounds; i++) {
                double c0 = CpuClock.thread(); // the dumps' kernel time is this thread's system time
                org.calicojava.felix.nft.NftState st = org.calicojava.felix.nft.NftReadback.from(nf.table(1, "calico"));
                cpu += CpuClock.thread() - c0;
                rules = st.chains().values().stream().mapToInt(List::size).sum();
            }
            double per = cpu / rounds;
            System.out.printf(
                    "refresh read-back as the agent does it (netlink dump of table inet calico, %d rules, into "
                            + "NftState) at %d endpoints: %.3f CPU s each (%.3f s wall) = %.2f%% of a core at the default 90 s "
                            + "interval, when it is not skipped%n",
                    rules, n, per, secs(t) / rounds, per / 90 * 100);
            return per / 90 * 100;
        }
    }

    /**
     * The agent's own refresh on a quiet host (no nftables commit by anyone since its last read-back): the whole
     * process's CPU (every thread, etcd client included, and the commands it runs) over a window with the refresh
     * interval set to 2 s, after the first read-back that follows the agent's own writes.
     */
    double quiet(JetcdStore store, Agent agent, String backend) {
        org.calicojava.felix.agent.Metrics m = agent.metrics();
        store.put(keys.felixConfig("IptablesRefreshInterval"), "2");
        try {
            long t = System.nanoTime();
            long s0 = m.counter("felix_refreshes_skipped");
            while (m.counter("felix_refreshes_skipped") == s0 && secs(t) < 60) {
                sleep(100);
            }
            long r0 = m.counter("felix_refreshes");
            long k0 = m.counter("felix_refreshes_skipped");
            double c0 = CpuClock.process();
            long w0 = System.nanoTime();
            sleep(QUIET_WINDOW_S * 1000L);
            double cpu = CpuClock.process() - c0;
            double wall = secs(w0);
            long refreshes = Math.max(1, m.counter("felix_refreshes") - r0);
            System.out.printf(
                    "quiet host, %s backend, refresh every 2 s for %.0f s: %d refreshes, %d skipped their rules' "
                            + "read-back (nftables generation unchanged; links, routes and ipsets are still read); whole process "
                            + "CPU %.3f s = %.2f%% of a core, all of it charged to the refreshes: %.3f CPU s each = %.2f%% of a "
                            + "core at the default 90 s interval%n",
                    backend,
                    wall,
                    refreshes,
                    m.counter("felix_refreshes_skipped") - k0,
                    cpu,
                    cpu / wall * 100,
                    cpu / refreshes,
                    cpu / refreshes / 90 * 100);
            return cpu / refreshes / 90 * 100;
        } finally {
            store.delete(keys.felixConfig("IptablesRefreshInterval"));
        }
    }

    static final int QUIET_WINDOW_S = Integer.getInteger("quiet.window", 30);

    private static double secs(long t0) {
        return FelixBench.secs(t0);
    }

    private static void sleep(long ms) {
        FelixBench.sleep(ms);
    }
}
