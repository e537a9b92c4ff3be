package org.calicojava.felix.bench;

import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.nft.NftChain;
import org.calicojava.felix.nft.NftReadback;
import org.calicojava.felix.nft.NftRuleset;
import org.calicojava.felix.nft.NftState;
import org.calicojava.felix.nft.NftModel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Floors of the native nftables backend: one {@code nft -f} of the whole ruleset the agent would write (the same
 * text), adding one endpoint to it (two chains, two verdict-map elements, one set element), and the read-back.
 */
final class NftFloor {
    private NftFloor() {
    }

    static void run(String ns, DesiredDataplane d, int n) {
        NftModel model = new NftModel();
        NftRuleset r = model.build(d);
        NftState state = new NftState();
        NftState.Diff full = state.diff(r);
        String script = full.script();
        state.commit(full, r);
        List<Double> warm = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            long t0 = System.nanoTime();
            state.diff(model.build(d));
            warm.add(secs(t0) * 1000);
        }
        Collections.sort(warm);
        System.out.printf("nft model build + diff (pure, warm, nothing changed): median %.1f ms of 5%n", warm.get(2));
        long rules = script.lines().filter(l -> l.startsWith("add rule")).count();
        long t = System.nanoTime();
        double cpu = CpuClock.run(script, "ip", "netns", "exec", ns, "nft", "-f", "-").cpu();
        System.out.printf("floor: nft -f of the same ruleset (%d chains, %d rules, %d map elements): %.3f s (%.3f CPU s)%n",
                r.chains().size(), rules, r.maps().values().stream().mapToInt(java.util.Map::size).sum(), secs(t), cpu);
        NftChain tw = r.chains().get("cali-tw-" + FelixBench.iface(0));
        NftChain fw = r.chains().get("cali-fw-" + FelixBench.iface(0));
        List<Double> ms = new ArrayList<>();
        List<Double> cpuMs = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            String iface = FelixBench.iface(n + 100_000 + k);
            StringBuilder s = new StringBuilder();
            for (NftChain c : List.of(tw, fw)) {
                String name = c.name().substring(0, 8) + iface;
                s.append("add chain inet calico ").append(name).append('\n');
                for (int i = 0; i < c.rules().size(); i++) {
                    s.append("add rule inet calico ").append(name).append(' ').append(c.rules().get(i))
                            .append(" comment \"cali:").append(c.hashes().get(i)).append("\"\n");
                }
            }
            s.append("add element inet calico cali-from-wl-map { \"").append(iface).append("\" : goto cali-fw-")
                    .append(iface).append(" }\n");
            s.append("add element inet calico cali-to-wl-map { \"").append(iface).append("\" : goto cali-tw-")
                    .append(iface).append(" }\n");
            s.append("add element inet calico cali4-t-prof0 { ").append(FelixBench.ip(n + 100_000 + k)).append(" }\n");
            t = System.nanoTime();
            double c = CpuClock.run(s.toString(), "ip", "netns", "exec", ns, "nft", "-f", "-").cpu();
            ms.add(secs(t) * 1000);
            cpuMs.add(c * 1000);
        }
        Collections.sort(ms);
        Collections.sort(cpuMs);
        System.out.printf("floor: nft -f adding one endpoint to it: p50 %.1f ms, max %.1f ms (20 adds); CPU p50 %.0f ms%n",
                ms.get(ms.size() / 2), ms.get(ms.size() - 1), cpuMs.get(cpuMs.size() / 2));
        refreshCost(ns, n);
    }

    /** nft -j list table + parse, as the agent's refresh does. */
    static void refreshCost(String ns, int n) {
        int rounds = 3;
        long t = System.nanoTime();
        double cpu = 0;
        for (int i = 0; i < rounds; i++) {
            CpuClock.Run r = CpuClock.run(null, "ip", "netns", "exec", ns, "nft", "-j", "list", "table", "inet", "calico");
            double c0 = CpuClock.thread();
            NftReadback.parse(r.out());
            cpu += r.cpu() + CpuClock.thread() - c0;
        }
        double per = cpu / rounds;
        System.out.printf("refresh (nft -j list table inet calico + parse) at %d endpoints: %.3f CPU s each (%.3f s "
                + "wall) = %.2f%% of a core at the default 90 s interval%n", n, per, secs(t) / rounds, per / 90 * 100);
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
