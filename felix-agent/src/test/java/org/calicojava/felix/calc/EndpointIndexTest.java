package org.calicojava.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;

import org.calicojava.model.Keys;
import org.junit.jupiter.api.Test;

/** The endpoint index: effective labels (profile labels under the endpoint's own), tags, users of each profile. */
class EndpointIndexTest {
    private final Keys keys = new Keys();
    private final DatastoreState state = new DatastoreState(keys, "h1");
    private final EndpointIndex index = new EndpointIndex();

    private EndpointIndex.Ep endpoint(String wl, String profiles, String labels) {
        EndpointKey k = new EndpointKey("h2", "k8s", wl, "eth0");
        state.apply(
                keys.endpoint("h2", "k8s", wl, "eth0"),
                "{\"name\":\"cali" + wl + "\",\"profile_ids\":" + profiles
                        + ",\"ipv4_nets\":[\"10.1.0.1/32\"],\"ipv6_nets\":[\"fd00::1/128\"],\"labels\":" + labels
                        + "}");
        return index.add(state, k, state.endpoints.get(k));
    }

    @Test
    void entriesCarryEffectiveLabelsTagsAndAddressesAndProfilesKnowTheirUsers() {
        state.apply(keys.profileLabels("a"), "{\"app\":\"a\",\"tier\":\"front\"}");
        state.apply(keys.profileTags("a"), "[\"t1\"]");
        state.apply(keys.profileTags("b"), "[\"t1\",\"t2\"]");
        EndpointIndex.Ep x = endpoint("x", "[\"a\",\"b\"]", "{\"app\":\"own\"}");
        EndpointIndex.Ep y = endpoint("y", "[\"b\"]", "{}");
        assertThat(x.labels).containsOnly(java.util.Map.entry("app", "own"), java.util.Map.entry("tier", "front"));
        assertThat(x.tags).containsExactly("t1", "t1", "t2");
        assertThat(x.nets(4)).containsExactly("10.1.0.1/32");
        assertThat(x.nets(6)).containsExactly("fd00::1/128");
        assertThat(x.claimed).as("claims are the interface owners' business").isNull();
        assertThat(index.usersOf("b")).containsExactlyInAnyOrder(x.key, y.key);
        assertThat(index.all()).containsExactlyInAnyOrder(x, y);

        assertThat(index.remove(x.key)).isSameAs(x);
        assertThat(index.usersOf("a")).isEmpty();
        assertThat(index.usersOf("b")).containsExactly(y.key);
        assertThat(index.remove(x.key)).isNull();
        assertThat(index.get(y.key)).isSameAs(y);
    }
}
