package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.model.Keys;
import org.junit.jupiter.api.Test;

/**
 * The incremental path at the benchmark's shape (3,000 endpoints named {@code cali%011d}, 100 per profile, a tag
 * rule each, so the dispatch tree has several levels): after each of 40 random adds, removes, profile moves,
 * profile tag changes and policy writes, the result and the nft diff equal a fresh calculation's.
 */
class IncrementalScaleTest {
    private static final Keys KEYS = new Keys("/cj-scale");
    private static final int N = 3000;

    @Test
    void benchShapedUpdatesEqualAFreshCalculation() {
        Random r = new Random(42);
        DatastoreState state = new DatastoreState(KEYS, "h");
        for (int p = 0; p < N / 100 + 2; p++) {
            state.apply(
                    KEYS.profileRules("prof" + p),
                    "{\"inbound_rules\":[{\"src_tag\":\"prof" + p + "\"}],\"outbound_rules\":[{}]}");
            state.apply(KEYS.profileTags("prof" + p), "[\"prof" + p + "\"]");
        }
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            state.apply(key(i), endpoint(i, i / 100));
            live.add(i);
        }
        Calculator calc = new Calculator(p -> {});
        NftModel model = new NftModel();
        NftState actual = new NftState();
        FelixConfig cfg = FelixConfig.defaults();
        int next = N;
        for (int step = 0; step < 40; step++) {
            int op = r.nextInt(10);
            String did;
            if (op < 4) {
                state.apply(key(next), endpoint(next, r.nextInt(N / 100)));
                live.add(next);
                did = "add " + next++;
            } else if (op < 6) {
                int i = live.remove(r.nextInt(live.size()));
                state.apply(key(i), null);
                did = "remove " + i;
            } else if (op < 8) {
                int i = live.get(r.nextInt(live.size()));
                state.apply(key(i), endpoint(i, r.nextInt(N / 100 + 2)));
                did = "move " + i;
            } else if (op < 9) {
                int p = r.nextInt(N / 100);
                state.apply(KEYS.profileTags("prof" + p), "[\"prof" + p + "\",\"prof" + r.nextInt(N / 100) + "\"]");
                did = "tags of prof" + p;
            } else {
                state.apply(
                        KEYS.policy("t", "pol"),
                        "{\"selector\":\"" + (r.nextBoolean() ? "has(x)" : "x == '1'") + "\",\"order\":" + r.nextInt(3)
                                + ",\"inbound_rules\":[{\"src_selector\":\"has(x)\"}]}");
                did = "policy";
            }
            DesiredDataplane inc = calc.calculate(state, cfg);
            DesiredDataplane fresh = new Calculator(p -> {}).calculate(state, cfg);
            assertThat(inc).as("step %d: %s", step, did).isEqualTo(fresh);
            NftRuleset want = model.build(inc);
            NftRuleset wantFresh = new NftModel().build(fresh);
            assertThat(want).as("step %d: %s", step, did).isEqualTo(wantFresh);
            NftState copy = new NftState();
            copy.chains.putAll(actual.chains);
            copy.sets.putAll(actual.sets);
            copy.maps.putAll(actual.maps);
            NftState.Diff diff = actual.diff(want);
            assertThat(diff.script())
                    .as("step %d: %s", step, did)
                    .isEqualTo(copy.diff(wantFresh).script());
            actual.commit(diff, want);
        }
    }

    private static String key(int i) {
        return KEYS.endpoint("h", "k8s", "wl" + i, "eth0");
    }

    private static String endpoint(int i, int profile) {
        return "{\"state\":\"active\",\"name\":\"" + String.format("cali%011d", i) + "\",\"profile_ids\":[\"prof"
                + profile + "\"],\"ipv4_nets\":[\"10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255)
                + "/32\"],\"labels\":{" + (i % 3 == 0 ? "\"x\":\"1\"" : "") + "}}";
    }
}
