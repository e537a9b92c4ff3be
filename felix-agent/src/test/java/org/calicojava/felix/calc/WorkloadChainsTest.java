package org.calicojava.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.rules.Chain;
import org.calicojava.model.Keys;
import org.junit.jupiter.api.Test;

/**
 * Workload chains: an owner replaced within one run by one with the same policies and profiles keeps the chain
 * objects (so readers comparing by identity see nothing changed); one with other policies gets new chains.
 */
class WorkloadChainsTest {
    private final Keys keys = new Keys();
    private final DatastoreState state = new DatastoreState(keys, "h1");
    private final List<String> problems = new ArrayList<>();
    private final PolicyMatcher matcher = new PolicyMatcher(problems::add);
    private final ActiveRules rules = new ActiveRules(new RuleChains(problems::add, matcher::selector));
    private final Map<Integer, PersistentMap.Builder<String, Chain>> filter = new HashMap<>();
    private final WorkloadChains chains = new WorkloadChains(problems::add, matcher, rules, filter);
    private final EndpointIndex index = new EndpointIndex();

    private EndpointIndex.Ep endpoint(String wl, String app) {
        EndpointKey k = new EndpointKey("h1", "k8s", wl, "eth0");
        state.apply(
                keys.endpoint("h1", "k8s", wl, "eth0"),
                "{\"name\":\"cali1\",\"profile_ids\":[\"p\",\"none\"],\"ipv4_nets\":[\"10.1.0.1/32\"],"
                        + "\"labels\":{\"app\":\"" + app + "\"}}");
        return index.add(state, k, state.endpoints.get(k));
    }

    @Test
    void aReplacedOwnerWithTheSameProfilesKeepsItsChainObjects() {
        filter.put(4, PersistentMap.<String, Chain>empty().toBuilder());
        state.apply(keys.profileRules("p"), "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        state.apply(keys.policy("default", "db"), "{\"selector\":\"app == 'db'\",\"inbound_rules\":[{}]}");
        matcher.update(state, new java.util.HashSet<>());
        chains.startRun();
        chains.add(state, "cali1", endpoint("wa", "web"));
        chains.endRun();
        Chain tw = filter.get(4).build().get("cali-tw-cali1");
        assertThat(tw).isNotNull();
        assertThat(problems).containsExactly("endpoint h1/k8s/wa/eth0: profile none has no rules (yet)");
        assertThat(rules.usesProfile("p")).isTrue();

        chains.startRun(); // another endpoint, same profiles and no policy: the same chain objects
        chains.remove("cali1");
        assertThat(filter.get(4).build()).doesNotContainKey("cali-tw-cali1");
        chains.add(state, "cali1", endpoint("wb", "web"));
        chains.endRun();
        assertThat(filter.get(4).build().get("cali-tw-cali1")).isSameAs(tw);

        chains.startRun(); // one the db policy selects: the policy is in use; the chains list only profiles
        chains.remove("cali1");
        chains.add(state, "cali1", endpoint("wc", "db"));
        chains.endRun();
        assertThat(filter.get(4).build().get("cali-tw-cali1")).isSameAs(tw);
        assertThat(rules.uses(new PolicyKey("default", "db"))).isTrue();

        chains.startRun(); // the policy's selector changes: rematched, no longer in use, the same chains
        state.apply(keys.policy("default", "db"), "{\"selector\":\"app == 'x'\",\"inbound_rules\":[{}]}");
        java.util.Set<PolicyKey> reselected = matcher.update(state, new java.util.HashSet<>());
        assertThat(reselected).containsExactly(new PolicyKey("default", "db"));
        chains.rematch(reselected);
        chains.endRun();
        assertThat(filter.get(4).build().get("cali-tw-cali1")).isSameAs(tw);
        assertThat(rules.uses(new PolicyKey("default", "db"))).isFalse();
    }
}
