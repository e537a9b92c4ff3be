package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The optional bandwidth limits of a workload endpoint: old records read as before, bad values are refused. */
class WorkloadQosTest {
    private static final String OLD =
            "{\"state\":\"active\",\"name\":\"cali1234\",\"profile_ids\":[\"p\"],\"ipv4_nets\":[\"10.65.0.3/32\"]}";

    @Test
    void recordsWithoutQosReadAndWriteAsBefore() {
        WorkloadEndpoint e = Json.read(OLD, WorkloadEndpoint.class);
        assertThat(e.qos()).isNull();
        assertThat(Json.write(e)).doesNotContain("qos");
    }

    @Test
    void limitsRoundTripWithDefaultBursts() {
        String json = OLD.replace(
                "}",
                ",\"qos\":{\"ingress_bandwidth\":10000000,\"egress_bandwidth\":2000000," + "\"egress_burst\":400000}}");
        WorkloadEndpoint e = Json.read(json, WorkloadEndpoint.class);
        assertThat(e.qos()).isEqualTo(new WorkloadQos(10_000_000L, 1_000_000L, 2_000_000L, 400_000L));
        assertThat(Json.read(Json.write(e), WorkloadEndpoint.class)).isEqualTo(e);
    }

    @Test
    void emptyQosIsNoQos() {
        WorkloadEndpoint e = Json.read(OLD.replace("}", ",\"qos\":{}}"), WorkloadEndpoint.class);
        assertThat(e.qos()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiterString = "=>",
            value = {
                "{\"ingress_bandwidth\":999}            => ingress_bandwidth: 999 (expected: 1000 to",
                "{\"egress_bandwidth\":-5}              => egress_bandwidth: -5",
                "{\"ingress_bandwidth\":2000000000000}  => ingress_bandwidth: 2000000000000",
                "{\"ingress_burst\":100000}             => ingress_burst without ingress_bandwidth",
                "{\"egress_bandwidth\":1000000,\"egress_burst\":8} => egress_burst: 8",
                "{\"egress_bandwidth\":\"fast\"}        => invalid WorkloadEndpoint JSON",
            })
    void badLimitsAreRefused(String qos, String message) {
        assertThatThrownBy(() -> Json.read(OLD.replace("}", ",\"qos\":" + qos + "}"), WorkloadEndpoint.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
