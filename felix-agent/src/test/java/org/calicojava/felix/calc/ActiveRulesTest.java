package org.calicojava.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.TierPolicies;
import org.calicojava.model.Keys;
import org.junit.jupiter.api.Test;

/**
 * Active rules: a policy's or profile's chains are rendered when the first local owner starts using it and removed
 * when the last stops; a profile gaining or losing its rules is reported (the endpoint chains listing it change).
 */
class ActiveRulesTest {
    private final Keys keys = new Keys();
    private final DatastoreState state = new DatastoreState(keys, "h1");
    private final List<String> problems = new ArrayList<>();
    private final PolicyMatcher matcher = new PolicyMatcher(problems::add);
    private final ActiveRules rules = new ActiveRules(new RuleChains(problems::add, matcher::selector));
    private final FamilySets[] fams = {new FamilySets(4)};
    private final Map<Integer, PersistentMap.Builder<String, Chain>> filter = new HashMap<>();
    private final EndpointIndex index = new EndpointIndex();

    private static final PolicyKey P = new PolicyKey("default", "p1");
    private static final String PI = ChainNames.of(ChainNames.POLICY_IN, TierPolicies.policyId("default", "p1"));

    /** One run: what was marked is rendered; the filter table's chain names after it. */
    private Map<String, Chain> run(Runnable marks) {
        rules.startRun();
        marks.run();
        rules.render(state, fams, filter, index.all());
        return filter.get(4).build();
    }

    @Test
    void aPolicysChainsExistWhileAnyLocalOwnerUsesIt() {
        filter.put(4, PersistentMap.<String, Chain>empty().toBuilder());
        state.apply(keys.policy("default", "p1"), "{\"selector\":\"all()\",\"inbound_rules\":[{\"action\":\"deny\"}]}");
        rules.reset(state);
        assertThat(run(() -> matcher.update(state, rules.dirty())))
                .as("not used")
                .doesNotContainKey(PI);

        Map<String, Chain> t = run(() -> rules.usePolicies(List.of(P), 1));
        assertThat(t).containsKey(PI);
        Chain first = t.get(PI);
        rules.startRun();
        rules.usePolicies(List.of(P), 1); // a second owner: nothing to render again
        assertThat(rules.dirty()).isEmpty();
        rules.usePolicies(List.of(P), -1);
        assertThat(rules.dirty()).isEmpty();
        assertThat(filter.get(4).build().get(PI)).isSameAs(first);

        assertThat(run(() -> rules.usePolicies(List.of(P), -1)))
                .as("the last owner left")
                .doesNotContainKey(PI);
        assertThat(rules.uses(P)).isFalse();
        assertThat(problems).isEmpty();
    }

    @Test
    void aProfileGainingOrLosingItsRulesIsReportedOnce() {
        filter.put(4, PersistentMap.<String, Chain>empty().toBuilder());
        rules.reset(state);
        String pri = ChainNames.of(ChainNames.PROFILE_IN, "web");
        rules.startRun();
        assertThat(rules.profileChanged(state, "web"))
                .as("no rules before, none now")
                .isFalse();

        state.apply(keys.profileRules("web"), "{\"inbound_rules\":[{}],\"outbound_rules\":[]}");
        rules.startRun();
        assertThat(rules.profileChanged(state, "web")).as("gained its rules").isTrue();
        assertThat(rules.profileChanged(state, "web")).as("known now").isFalse();
        assertThat(run(() -> rules.useProfiles(List.of("web"), 1))).containsKey(pri);
        assertThat(rules.usesProfile("web")).isTrue();

        state.apply(keys.profileRules("web"), null);
        rules.startRun();
        assertThat(rules.profileChanged(state, "web")).as("lost its rules").isTrue();
        rules.render(state, fams, filter, index.all());
        assertThat(filter.get(4).build()).as("used, but without rules").doesNotContainKey(pri);
    }
}
