package org.calicojava.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.model.Keys;
import org.junit.jupiter.api.Test;

/**
 * Every value an attacker can put under a key felix reads either applies or is an IllegalArgumentException (never an
 * NPE or another exception), leaves the key absent, and never stops a later good record from applying and
 * calculating.
 */
class DatastoreStateBadInputTest {
    private final Keys keys = new Keys();
    private final DatastoreState state = new DatastoreState(keys, "h1");
    private static final String GOOD_EP =
            "{\"state\":\"active\",\"name\":\"cali1\",\"profile_ids\":[\"p\"]," + "\"ipv4_nets\":[\"10.65.0.3/32\"]}";
    static final List<String> BAD_VALUES = List.of(
            "null",
            "",
            " ",
            "[]",
            "\"x\"",
            "1",
            "true",
            "{",
            "{\"a\":",
            "\u0000\u00ff\ufffd",
            "{\"order\":\"x\"}",
            "{\"cidr\":null}",
            "[null]",
            "{\"k\":null}",
            "[1,2]",
            "{\"inbound_rules\":null,\"outbound_rules\":[null]}",
            "{\"inbound_rules\":[{\"dst_ports\":[100000]," + "\"protocol\":\"tcp\"}]}",
            "{\"ipv4_nets\":[\"0.0.0.0/0\"],\"name\":\"cali1\"}",
            "{\"name\":\"cali1\",\"ipv4_nets\":[\"10.0.0.0/8\"]}",
            "{\"name\":\"-j\"}",
            "{\"name\":\"cali1234567890a\",\"ipv6_nets\":[\"::ffff:10.0.0.1/128\"]}",
            "{\"selector\":null}");

    private List<String> keysUnderTest() {
        return List.of(
                keys.tierMetadata("t"),
                keys.policy("t", "p"),
                keys.profileRules("p"),
                keys.profileTags("p"),
                keys.profileLabels("p"),
                keys.endpoint("h1", "k8s", "w", "eth0"),
                keys.endpoint("h2", "k8s", "w", "e"),
                keys.pool(org.calicojava.model.Cidr.parse("10.65.0.0/16")));
    }

    @Test
    void badValuesAreIllegalArgumentsAndLeaveTheKeyAbsent() {
        for (String key : keysUnderTest()) {
            for (String v : BAD_VALUES) {
                Throwable t = catchThrowable(() -> state.apply(key, v));
                assertThat(t == null || t instanceof IllegalArgumentException)
                        .as("%s = %s: %s", key, v, t)
                        .isTrue();
                if (t != null) {
                    assertThat(state.policies()).isEmpty();
                    assertThat(state.endpoints()).isEmpty();
                    assertThat(state.pools()).isEmpty();
                }
                state.apply(key, null);
            }
        }
        // and a good change made next is calculated
        catchThrowable(() -> state.apply(keys.tierMetadata("t"), "null"));
        Calculator c = new Calculator(p -> {});
        c.calculate(state, FelixConfig.defaults());
        state.apply(keys.endpoint("h1", "k8s", "w", "eth0"), GOOD_EP);
        assertThat(c.calculate(state, FelixConfig.defaults()).routes())
                .containsEntry(org.calicojava.model.Cidr.parse("10.65.0.3/32"), "cali1");
    }

    @Test
    void aSecondSpellingOfAPoolKeyIsNotASecondPool() {
        String good = "{\"cidr\":\"10.65.0.0/16\",\"ipip\":false}";
        state.apply(keys.pool(org.calicojava.model.Cidr.parse("10.65.0.0/16")), good);
        for (String rest : List.of("10.65.0.0-016", "010.65.0.0-16", "10.65.000.0-16")) {
            assertThatThrownBy(() -> state.apply(keys.pools(4) + rest, good))
                    .as(rest)
                    .hasMessageContaining("(expected: 10.65.0.0-16,");
        }
        assertThat(state.pools()).hasSize(1);
    }

    @Test
    void tierMetadataNullIsRefusedNotAnNpe() {
        assertThatThrownBy(() -> state.apply(keys.tierMetadata("x"), "null"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }

    @Test
    void badNamesInKeysAreRefused() {
        List<String> bad =
                new ArrayList<>(List.of("a b", "a\nCOMMIT", "\tF\tC\nCOMMIT\n#", "x;y", "é", "..", "x".repeat(300)));
        for (String name : bad) {
            String[] ks = {
                keys.v1() + "/policy/tier/" + name + "/metadata",
                keys.v1() + "/policy/tier/t/policy/" + name,
                keys.v1() + "/policy/profile/" + name + "/rules",
                keys.v1() + "/host/h1/workload/k8s/" + name + "/endpoint/eth0",
                keys.v1() + "/host/" + name + "/workload/k8s/w/endpoint/eth0",
                keys.v1() + "/config/" + name
            };
            for (String k : ks) {
                assertThatThrownBy(() -> state.apply(k, "{}")).as(k).isInstanceOf(IllegalArgumentException.class);
            }
        }
        assertThat(state.policies()).isEmpty();
        assertThat(state.endpoints()).isEmpty();
        assertThat(state.globalConfig()).isEmpty();
    }

    @Test
    void localEndpointsThatAreNotHostRoutesAreRefusedWithAReason() {
        String k = keys.endpoint("h1", "k8s", "w", "eth0");
        state.apply(k, GOOD_EP);
        assertThatThrownBy(() -> state.apply(
                        k,
                        "{\"name\":\"cali1\",\"ipv4_nets\":[\"10.65.0.3/32\",\"0.0.0.0/0\"," + "\"172.30.0.0/24\"]}"))
                .hasMessageContaining("0.0.0.0/0")
                .hasMessageContaining("/32");
        assertThat(state.endpoints()).isEmpty(); // the earlier good value is gone too
        assertThat(state.refusedEndpoints()).containsOnlyKeys(new EndpointKey("h1", "k8s", "w", "eth0"));
        state.apply(k, GOOD_EP);
        assertThat(state.refusedEndpoints()).isEmpty();
        assertThatThrownBy(() -> state.apply(k, "{\"name\":\"cali1\",\"ipv6_nets\":[\"fd00::/64\"]}"))
                .hasMessageContaining("/128");
        state.apply(k, null);
        assertThat(state.refusedEndpoints()).isEmpty();
        assertThatThrownBy(() -> state.apply(
                        keys.endpoint("h2", "k8s", "w", "e"), "{\"name\":\"cali1\",\"ipv4_nets\":[\"10.0.0.0/8\"]}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(state.refusedEndpoints()).isEmpty(); // only this host's endpoints get a status
    }
}
