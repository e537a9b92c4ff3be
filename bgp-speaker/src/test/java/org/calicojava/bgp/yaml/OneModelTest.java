package org.calicojava.bgp.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.config.ConfigException;
import org.junit.jupiter.api.Test;

/** One model for the whole file: each key is accepted where the model has it and refused elsewhere. */
class OneModelTest {
    static final String BASE = "routerId: 1.1.1.1\nasNumber: 65000\n";

    @Test
    void aKeyAtTheWrongLevelIsRefused() {
        assertThatThrownBy(
                        () -> SpeakerYamlLoader.parse(BASE + "rrClient: true\n")) // a neighbour's key at the top level
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("rrClient: unknown key (expected one of: alwaysCompareMed,");
        String inNeighbour = BASE + "neighbors: [{address: 1.1.1.2, asNumber: 65001, kernel: {enabled: true}}]\n";
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(inNeighbour))
                .hasMessageStartingWith("neighbors[0].kernel: unknown key");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(BASE + "policies: {p: [{colour: red}]}\n"))
                .hasMessage("policies.p[0].colour: unknown key (expected one of: action, match, set)");
    }

    @Test
    void oneReadGivesSessionRoutingAndBfd() {
        SpeakerFile f = SpeakerYamlLoader.parse(BASE + "policies: {p: [{action: accept}]}\n"
                + "neighbors: [{address: 1.1.1.2, asNumber: 65001, import: [p], bfd: true, holdTime: 30}]\n");
        assertThat(f.speaker().neighbors().get(0).holdTime()).isEqualTo(30);
        assertThat(f.routing().neighbor(Ip.parse("1.1.1.2")).importPolicies()).containsExactly("p");
        assertThat(f.bfd()).containsOnlyKeys(Ip.parse("1.1.1.2"));
    }

    @Test
    void wrongShapesNameTheirKey() {
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(BASE + "multipath: 1\n"))
                .hasMessage("multipath: 1 (expected: true or false)");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(BASE + "neighbors: {a: 1}\n"))
                .hasMessage("neighbors: a mapping (expected: a list)");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(BASE + "listen: 179\n"))
                .hasMessage("listen: 179 (expected: a mapping)");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(BASE + "holdTime: 30.5\n"))
                .hasMessage("holdTime: 30.5 (expected: an integer 0..65535)");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(BASE + "neighbors: [~]\n"))
                .hasMessage("neighbors[0]: missing (expected: a mapping)");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(BASE + "controlSocket: [a]\n"))
                .hasMessageStartingWith("controlSocket: a list (expected: a path or");
        assertThatThrownBy(() ->
                        SpeakerYamlLoader.parse(BASE + "neighbors: [{address: 1.1.1.2, asNumber: 1, import: [~]}]\n"))
                .hasMessage("neighbors[0].import: missing");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(BASE + "kernel: {learnProtocols: [~]}\n"))
                .hasMessage("kernel.learnProtocols: missing");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(BASE + "originate: [~]\n"))
                .hasMessage("originate[0]: missing");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse("")).hasMessageStartingWith("config: empty");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse("just words")).hasMessageStartingWith("config: empty");
    }
}
