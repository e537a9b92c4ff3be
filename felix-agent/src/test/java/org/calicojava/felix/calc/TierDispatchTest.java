package org.calicojava.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.model.Keys;
import org.calicojava.model.Selector;
import org.junit.jupiter.api.Test;

/**
 * The shared tier dispatch keeps policy changes O(changed): a policy that starts or stops applying to every one of
 * 1,000 local endpoints changes its ipset's members, the tier chains and its own chains, and no endpoint's chain.
 */
class TierDispatchTest {
    private static final int N = 1000;
    private final Keys keys = new Keys();
    private final List<String> problems = new ArrayList<>();
    private final DatastoreState state = new DatastoreState(keys, "h1");
    private final Calculator calc = new Calculator(problems::add);

    private static String ip(int i) {
        return "10.1." + (i / 256) + "." + (i % 256);
    }

    private static Set<String> changed(DesiredDataplane before, DesiredDataplane after) {
        Set<String> out = new TreeSet<>();
        PersistentMap.changedKeys(before.filter(), after.filter(), k -> out.add("filter " + k));
        PersistentMap.changedKeys(before.filter6(), after.filter6(), k -> out.add("filter6 " + k));
        PersistentMap.changedKeys(before.ipsets(), after.ipsets(), k -> out.add("ipset " + k));
        return out;
    }

    @Test
    void aPolicyForEveryEndpointChangesOneSetAndTheTierChainsNotTheEndpointsChains() {
        for (int i = 0; i < N; i++) {
            state.apply(
                    keys.endpoint("h1", "k8s", "wl-" + i, "eth0"),
                    "{\"state\":\"active\",\"name\":\"cali" + i + "\",\"profile_ids\":[\"p\"],\"ipv4_nets\":[\"" + ip(i)
                            + "/32\"],\"labels\":{\"app\":\"a" + (i % 2) + "\"}}");
        }
        state.apply(keys.profileRules("p"), "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        state.apply(keys.tierMetadata("t"), "{\"order\":10}");
        DesiredDataplane before = calc.calculate(state, FelixConfig.defaults());

        state.apply(keys.policy("t", "all"), "{\"selector\":\"all()\",\"inbound_rules\":[{\"action\":\"deny\"}]}");
        DesiredDataplane after = calc.calculate(state, FelixConfig.defaults());
        String all4 = ChainNames.selectorSet(4, Selector.parse("all()").canonical());
        String all6 = ChainNames.selectorSet(6, Selector.parse("all()").canonical());
        assertThat(changed(before, after))
                .containsExactlyInAnyOrder(
                        "filter cali-tiers-in",
                        "filter cali-tiers-out",
                        "filter cali-ti-t",
                        "filter cali-te-t",
                        "filter cali-pi-t.all",
                        "filter cali-po-t.all",
                        "filter6 cali-tiers-in",
                        "filter6 cali-tiers-out",
                        "filter6 cali-ti-t",
                        "filter6 cali-te-t",
                        "filter6 cali-pi-t.all",
                        "filter6 cali-po-t.all",
                        "ipset " + all4,
                        "ipset " + all6);
        assertThat(after.ipsets().get(all4).members()).hasSize(N).contains("10.1.3.231/32");
        assertThat(after.ipsets().get(all6).members()).isEmpty();

        // a second policy in the same tier for half of them: its set and the tier's chains only
        state.apply(keys.policy("t", "half"), "{\"selector\":\"app == 'a1'\",\"order\":1}");
        DesiredDataplane half = calc.calculate(state, FelixConfig.defaults());
        String a1 = ChainNames.selectorSet(4, Selector.parse("app == 'a1'").canonical());
        assertThat(changed(after, half))
                .allMatch(k -> k.contains("cali-ti-t")
                        || k.contains("cali-te-t")
                        || k.contains("t.half")
                        || k.contains(a1)
                        || k.contains(ChainNames.selectorSet(
                                6, Selector.parse("app == 'a1'").canonical())))
                .contains("filter cali-ti-t", "filter cali-pi-t.half", "ipset " + a1);
        assertThat(half.ipsets().get(a1).members()).hasSize(N / 2);

        // both gone: back to what it was, the sets removed
        state.apply(keys.policy("t", "half"), null);
        state.apply(keys.policy("t", "all"), null);
        DesiredDataplane gone = calc.calculate(state, FelixConfig.defaults());
        assertThat(gone.filter()).isEqualTo(before.filter());
        assertThat(gone.ipsets()).doesNotContainKeys(all4, a1);
        assertThat(changed(half, gone)).noneMatch(k -> k.contains("cali-tw-") || k.contains("cali-fw-"));
        assertThat(problems).isEmpty();
    }

    @Test
    void eachFamilysTierChainsUseThatFamilysSetOfTheSelectedEndpoints() {
        state.apply(
                keys.endpoint("h1", "k8s", "wl-a", "eth0"),
                "{\"state\":\"active\",\"name\":\"caliA\",\"profile_ids\":[],\"ipv4_nets\":[\"10.1.0.1/32\"],"
                        + "\"ipv6_nets\":[\"fd00::1/128\"],\"labels\":{\"role\":\"db\"}}");
        state.apply(
                keys.endpoint("h1", "k8s", "wl-b", "eth0"),
                "{\"state\":\"active\",\"name\":\"caliB\",\"profile_ids\":[],\"ipv4_nets\":[\"10.1.0.2/32\"],"
                        + "\"labels\":{\"role\":\"web\"}}");
        state.apply(keys.policy("default", "db"), "{\"selector\":\"role == 'db'\"}");
        DesiredDataplane d = calc.calculate(state, FelixConfig.defaults());
        String db4 = ChainNames.selectorSet(4, Selector.parse("role == 'db'").canonical());
        String db6 = ChainNames.selectorSet(6, Selector.parse("role == 'db'").canonical());
        assertThat(d.ipsets().get(db4).members()).containsExactly("10.1.0.1/32");
        assertThat(d.ipsets().get(db6).members()).containsExactly("fd00::1/128");
        assertThat(d.filter().get("cali-ti-default").rules())
                .extracting(org.calicojava.felix.rules.Rule::text)
                .containsExactly(
                        "-m set --match-set " + db4 + " dst -j MARK --set-xmark 0x40000/0x40000",
                        "-m set --match-set " + db4 + " dst -m mark --mark 0x0/0x30000 -j cali-pi-default.db");
        assertThat(d.filter6().get("cali-te-default").rules())
                .extracting(org.calicojava.felix.rules.Rule::text)
                .contains("-m set --match-set " + db6 + " src -m mark --mark 0x0/0x30000 -j cali-po-default.db");
        assertThat(d.filter().get("cali-tw-caliB").rules())
                .noneMatch(r -> r.text().contains("cali-pi-"));
        assertThat(problems).isEmpty();
    }
}
