package org.calicojava.bgp.config;

import org.calicojava.bgp.rib.RoutingConfigLoader;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One shape for both loaders: each key is accepted where the model has it and refused elsewhere, by both. */
class SpeakerYamlTest {
    static final String BASE = "routerId: 1.1.1.1\nasNumber: 65000\n";

    @Test void sessionMessagesListOnlySessionKeysRoutingMessagesAll() {
        assertThat(SpeakerYaml.keys(SpeakerYaml.Neighbor.class, true)).doesNotContain("import", "rrClient");
        assertThat(SpeakerYaml.keys(SpeakerYaml.Neighbor.class, false)).contains("import", "export", "rrClient", "allowOwnAs", "nextHop");
        assertThat(SpeakerYaml.keys(SpeakerYaml.Kernel.class, false)).contains("import", "export").doesNotContain("importPolicies");
    }

    @Test void aRoutingKeyAtTheWrongLevelIsRefusedByBothLoaders() {
        String yaml = BASE + "rrClient: true\n";  // a neighbour's key at the top level
        assertThatThrownBy(() -> ConfigLoader.parse(yaml)).hasMessageStartingWith("rrClient: unknown key (expected one of: asNumber,");
        String inNeighbour = BASE + "neighbors: [{address: 1.1.1.2, asNumber: 65001, kernel: {enabled: true}}]\n";
        assertThatThrownBy(() -> ConfigLoader.parse(inNeighbour)).hasMessageStartingWith("neighbors[0].kernel: unknown key");
        String badTerm = BASE + "policies: {p: [{colour: red}]}\n";
        assertThat(ConfigLoader.parse(badTerm).asNumber()).isEqualTo(65000);  // policies are the routing loader's to check
        assertThatThrownBy(() -> RoutingConfigLoader.parse(badTerm)).hasMessage("policies.p[0].colour: unknown key (expected one of: action, match, set)");
    }
}
