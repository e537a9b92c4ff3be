package org.calicojava.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;

import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.junit.jupiter.api.Test;

/**
 * An endpoint moving to an interface that another endpoint changed in the same update keeps its route claims
 * (found by IncrementalCalculationTest: the old interface, processed second, removed the claims made at the new).
 */
class IncrementalOwnersTest {
    private final Keys keys = new Keys();
    private final DatastoreState state = new DatastoreState(keys, "h1");

    private void endpoint(String wl, String iface, String net, String app) {
        state.apply(
                keys.endpoint("h1", "k8s", wl, "eth0"),
                "{\"state\":\"active\",\"name\":\"" + iface + "\",\"profile_ids\":[],\"ipv4_nets\":[\"" + net
                        + "\"],\"labels\":{\"app\":\"" + app + "\"}}");
    }

    private DesiredDataplane both(Calculator inc) {
        DesiredDataplane d = inc.calculate(state, FelixConfig.defaults());
        assertThat(d).isEqualTo(new Calculator(p -> {}).calculate(state, FelixConfig.defaults()));
        return d;
    }

    @Test
    void movingToAnInterfaceChangedInTheSameUpdateKeepsTheRouteClaims() {
        Calculator inc = new Calculator(p -> {});
        endpoint("w2", "calia2", "10.1.0.9/32", "a");
        endpoint("w39", "calia39", "10.1.0.9/32", "a");
        endpoint("w28", "calib28", "10.0.0.28/32", "a");
        assertThat(both(inc).routes()).containsEntry(Cidr.parse("10.1.0.9/32"), "calia39"); // last in key order
        endpoint("w28", "calib28", "10.0.0.28/32", "b"); // w28 first: its interface is looked at first
        endpoint("w2", "calib28", "10.1.0.9/32", "a"); // w2 (before w28 in key order) takes calib28
        assertThat(both(inc).interfaces().get("calib28").workload()).isEqualTo("w2");
        state.apply(keys.endpoint("h1", "k8s", "w39", "eth0"), null);
        assertThat(both(inc).routes()).containsEntry(Cidr.parse("10.1.0.9/32"), "calib28");
    }
}
