package org.calicojava.felix.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.nft.NftModel;
import org.calicojava.felix.nft.NftRuleset;
import org.calicojava.felix.nft.NftState;

/**
 * The pure per-update work at N endpoints (calculation, nft model, diff), in a loop: for profiling (e.g. with JFR)
 * and for the warm per-update cost. {@code java ... CalcLoop N [rounds]}; no root needed. Three phases of
 * {@code rounds} updates each: adds (one more endpoint), changes (an added endpoint moves to another profile:
 * its chains and two tag sets change) and removes (the added endpoints deleted); each reports the last half.
 * A fourth phase writes a policy 20 times (selector and order changing: every local endpoint is matched again).
 * {@code -Dshared=true}: every endpoint also has profile "all", whose tag set (inbound rule: allow from tag "all")
 * holds every endpoint's address, so each update changes one set of N members.
 */
public final class CalcLoop {
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        FelixBench b = new FelixBench(n, "unused");
        DatastoreState st = new DatastoreState(b.keys(), "bench");
        for (Map.Entry<String, String> e : b.datastore().entrySet()) {
            st.apply(
                    e.getKey(),
                    SHARED ? e.getValue().replace("\"profile_ids\":[", "\"profile_ids\":[\"all\",") : e.getValue());
        }
        if (SHARED) {
            st.apply(
                    b.keys().profileRules("all"),
                    "{\"inbound_rules\":[{\"src_tag\":\"all\"}],\"outbound_rules\":[{}]}");
            st.apply(b.keys().profileTags("all"), "[\"all\"]");
        }
        Calculator calc = new Calculator(p -> {});
        NftModel model = new NftModel();
        NftState state = new NftState();
        NftRuleset r0 = model.build(calc.calculate(st, FelixConfig.defaults()));
        state.commit(state.diff(r0), r0);
        for (String phase : new String[] {"add", "change", "remove", "policy"}) {
            List<Double> calcMs = new ArrayList<>();
            List<Double> nftMs = new ArrayList<>();
            List<Double> totalMs = new ArrayList<>();
            for (int k = 0; k < (phase.equals("policy") ? Math.min(rounds, 20) : rounds); k++) {
                String key = b.endpointKey(n + k);
                switch (phase) {
                    case "policy" ->
                        st.apply(
                                b.keys().policy("bench", "pol" + (k % 2)),
                                "{\"selector\":\""
                                        + (k % 3 == 0 ? "all()" : "has(nothing)") + "\",\"order\":" + k
                                        + ",\"inbound_rules\":[{\"src_tag\":\"prof1\"}],\"outbound_rules\":[]}");
                    case "add" -> st.apply(key, endpoint(n + k));
                    case "change" -> st.apply(key, endpoint(n + k).replaceFirst("\"prof[0-9]+\"", "\"prof0\""));
                    default -> st.apply(key, null);
                }
                long t0 = System.nanoTime();
                DesiredDataplane d = calc.calculate(st, FelixConfig.defaults());
                long t1 = System.nanoTime();
                NftRuleset r = model.build(d);
                NftState.Diff diff = state.diff(r);
                state.commit(diff, r);
                long t2 = System.nanoTime();
                calcMs.add((t1 - t0) / 1e6);
                nftMs.add((t2 - t1) / 1e6);
                totalMs.add((t2 - t0) / 1e6);
            }
            List<Double> c = last(calcMs);
            List<Double> m = last(nftMs);
            List<Double> t = last(totalMs);
            System.out.printf(
                    (SHARED ? "shared set: " : "")
                            + "per %s at %d endpoints (warm, last %d of %d): calculation p50 %.2f ms, p99 %.2f ms; "
                            + "nft model + diff p50 %.2f ms, p99 %.2f ms; together p50 %.2f ms, p99 %.2f ms%n",
                    phase,
                    n,
                    c.size(),
                    calcMs.size(),
                    FelixBench.pct(c, 0.5),
                    FelixBench.pct(c, 0.99),
                    FelixBench.pct(m, 0.5),
                    FelixBench.pct(m, 0.99),
                    FelixBench.pct(t, 0.5),
                    FelixBench.pct(t, 0.99));
        }
    }

    private static final boolean SHARED = Boolean.getBoolean("shared");

    private static String endpoint(int i) {
        String e = FelixBench.endpoint(i);
        return SHARED ? e.replace("\"profile_ids\":[", "\"profile_ids\":[\"all\",") : e;
    }

    private static List<Double> last(List<Double> all) {
        List<Double> l = new ArrayList<>(all.subList(all.size() / 2, all.size()));
        Collections.sort(l);
        return l;
    }
}
