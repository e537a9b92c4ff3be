package org.calicojava.felix.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.nft.NftChain;
import org.calicojava.felix.nft.NftModel;
import org.calicojava.felix.nft.NftReadback;
import org.calicojava.felix.nft.NftRuleset;
import org.calicojava.felix.nft.NftState;

/**
 * Floors of the native nftables backend: one {@code nft -f} of the whole ruleset the agent would write (the same
 * text), adding one endpoint to it (two chains, two verdict-map elements, one set element), and the read-back.
 */
final class NftFloor {
    private NftFloor() {}

    /**
     * The floors of one cold start: {@code nft -f} of the agent's text, the kernel's commit of its batch, and (null
     * until {@link KernelStartFloor} ran) all of the start's kernel work at once.
     */
    record Floors(double nftF, double kernelCommit, Double kernelStart) {}

    static Floors run(String ns, DesiredDataplane d, int n) throws java.io.IOException {
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
        long rules =
                r.chains().values().stream().mapToInt(c -> c.rules().size()).sum();
        long t = System.nanoTime();
        double cpu = CpuClock.run(script, "ip", "netns", "exec", ns, "nft", "-f", "-")
                .cpu();
        double nftF = secs(t);
        System.out.printf(
                "floor: nft -f of the same ruleset (%d chains, %d rules, %d map elements): %.3f s (%.3f CPU s)%n",
                r.chains().size(),
                rules,
                r.maps().values().stream().mapToInt(java.util.Map::size).sum(),
                nftF,
                cpu);
        KernelCommitFloor.Commit kernel = KernelCommitFloor.measure(ns, script);
        NftChain tw = r.chains().get("cali-tw-" + FelixBench.iface(0));
        NftChain fw = r.chains().get("cali-fw-" + FelixBench.iface(0));
        addOne(ns, n, tw, fw, false);
        addOne(ns, n, tw, fw, true);
        refreshCost(ns, n);
        if (!"false".equals(System.getProperty("floor.directmap"))) {
            DirectMapFloor.measure(ns, script, nftF, kernel.seconds());
        }
        return new Floors(nftF, kernel.seconds(), null);
    }

    /**
     * Adds one endpoint (two chains, two verdict-map elements, one set member) per {@code nft -f}, 20 times: with
     * {@code add rule}/{@code add element} lines, for which nft first fetches the table's chains, sets and every
     * set's elements, or ({@code declarations}) as the agent writes it: {@code add chain X { rules }} and the set's
     * and maps' declarations with {@code elements = { ... }}, which nft sends without fetching anything.
     */
    private static void addOne(String ns, int n, NftChain tw, NftChain fw, boolean declarations) {
        List<Double> ms = new ArrayList<>();
        List<Double> cpuMs = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            int i0 = n + 100_000 + k + (declarations ? 1000 : 0);
            String iface = FelixBench.iface(i0);
            StringBuilder s = new StringBuilder();
            for (NftChain c : List.of(tw, fw)) {
                String name = c.name().substring(0, 8) + iface;
                s.append("add chain inet calico ").append(name).append(declarations ? " {" : "\n");
                for (int i = 0; i < c.rules().size(); i++) {
                    s.append(declarations ? " " : "add rule inet calico " + name + " ")
                            .append(c.rules().get(i))
                            .append(" comment \"cali:")
                            .append(c.hashes().get(i))
                            .append(declarations ? "\";" : "\"\n");
                }
                s.append(declarations ? " }\n" : "");
            }
            String map = declarations
                    ? "add map inet calico %s { type ifname : verdict; elements = { %s }; }\n"
                    : "add element inet calico %s { %s }\n";
            s.append(String.format(map, "cali-from-wl-map", "\"" + iface + "\" : goto cali-fw-" + iface));
            s.append(String.format(map, "cali-to-wl-map", "\"" + iface + "\" : goto cali-tw-" + iface));
            s.append(String.format(
                    declarations
                            ? "add set inet calico %s { type ipv4_addr; flags interval; elements = { %s }; }\n"
                            : "add element inet calico %s { %s }\n",
                    "cali4-t-prof0",
                    FelixBench.ip(i0)));
            long t = System.nanoTime();
            double c = CpuClock.run(s.toString(), "ip", "netns", "exec", ns, "nft", "-f", "-")
                    .cpu();
            ms.add(secs(t) * 1000);
            cpuMs.add(c * 1000);
        }
        Collections.sort(ms);
        Collections.sort(cpuMs);
        System.out.printf(
                "floor: nft -f adding one endpoint to it (%s): p50 %.1f ms, max %.1f ms (20 adds); CPU p50 %.0f ms%n",
                declarations ? "declarations, as the agent writes" : "add rule / add element lines",
                ms.get(ms.size() / 2),
                ms.get(ms.size() - 1),
                cpuMs.get(cpuMs.size() / 2));
    }

    /** nft -j list table + parse, as the agent's refresh does. */
    static void refreshCost(String ns, int n) {
        int rounds = 3;
        long t = System.nanoTime();
        double cpu = 0;
        for (int i = 0; i < rounds; i++) {
            CpuClock.Run r =
                    CpuClock.run(null, "ip", "netns", "exec", ns, "nft", "-j", "list", "table", "inet", "calico");
            double c0 = CpuClock.thread();
            NftReadback.parse(r.out());
            cpu += r.cpu() + CpuClock.thread() - c0;
        }
        double per = cpu / rounds;
        System.out.printf(
                "refresh (nft -j list table inet calico + parse) at %d endpoints: %.3f CPU s each (%.3f s "
                        + "wall) = %.2f%% of a core at the default 90 s interval%n",
                n, per, secs(t) / rounds, per / 90 * 100);
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
