package org.calicojava.felix.bench;

import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.nft.NftModel;
import org.calicojava.felix.nft.NftRuleset;
import org.calicojava.felix.nft.NftState;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The pure per-update work of an incremental add at N endpoints (calculation, nft model, diff), in a loop: for
 * profiling (e.g. with JFR) and for the warm per-update cost. {@code java ... CalcLoop N [rounds]}; no root needed.
 */
public final class CalcLoop {
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        FelixBench b = new FelixBench(n, "unused");
        DatastoreState st = new DatastoreState(b.keys(), "bench");
        for (Map.Entry<String, String> e : b.datastore().entrySet()) {
            st.apply(e.getKey(), e.getValue());
        }
        Calculator calc = new Calculator(p -> { });
        NftModel model = new NftModel();
        NftState state = new NftState();
        NftRuleset r0 = model.build(calc.calculate(st, FelixConfig.defaults()));
        state.commit(state.diff(r0), r0);
        List<Double> calcMs = new ArrayList<>();
        List<Double> nftMs = new ArrayList<>();
        for (int k = 0; k < rounds; k++) {
            st.apply(b.endpointKey(n + k), FelixBench.endpoint(n + k));
            long t0 = System.nanoTime();
            DesiredDataplane d = calc.calculate(st, FelixConfig.defaults());
            long t1 = System.nanoTime();
            NftRuleset r = model.build(d);
            NftState.Diff diff = state.diff(r);
            state.commit(diff, r);
            long t2 = System.nanoTime();
            calcMs.add((t1 - t0) / 1e6);
            nftMs.add((t2 - t1) / 1e6);
        }
        List<Double> lastHalfCalc = new ArrayList<>(calcMs.subList(rounds / 2, rounds));
        List<Double> lastHalfNft = new ArrayList<>(nftMs.subList(rounds / 2, rounds));
        Collections.sort(lastHalfCalc);
        Collections.sort(lastHalfNft);
        System.out.printf("per update at %d endpoints (warm, last %d of %d): calculation p50 %.1f ms, p99 %.1f ms; "
                        + "nft model + diff p50 %.1f ms, p99 %.1f ms%n", n, lastHalfCalc.size(), rounds,
                FelixBench.pct(lastHalfCalc, 0.5), FelixBench.pct(lastHalfCalc, 0.99),
                FelixBench.pct(lastHalfNft, 0.5), FelixBench.pct(lastHalfNft, 0.99));
    }
}
