package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.calicojava.model.WorkloadQos;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CNI_ARGS' bandwidth limits: parsed, defaulted, refused with code 7 in one line; an ADD checks them first. */
class BandwidthArgsTest {
    @Test
    void noLimitsIsNull() {
        assertThat(Bandwidth.fromArgs(CniEnv.parseArgs("IgnoreUnknown=1;K8S_POD_NAME=x")))
                .isNull();
    }

    @Test
    void limitsWithAndWithoutBurst() {
        WorkloadQos q = Bandwidth.fromArgs(
                CniEnv.parseArgs("ingress_bandwidth=10000000;egress_bandwidth=5000000;egress_burst=80000"));
        assertThat(q).isEqualTo(new WorkloadQos(10_000_000L, 1_000_000L, 5_000_000L, 80_000L));
        assertThat(Bandwidth.fromArgs(Map.of("ingress_bandwidth", "100000")).ingressBurst())
                .as("at least a minimum bucket")
                .isEqualTo(WorkloadQos.MIN_BURST);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ingress_bandwidth=",
                "ingress_bandwidth=10M",
                "ingress_bandwidth=+100000",
                "ingress_bandwidth=999",
                "egress_bandwidth=1000000000001",
                "egress_bandwidth=9223372036854775808",
                "ingress_bandwidth=100000;ingress_burst=1",
                "egress_burst=20000",
            })
    void badValuesAreInvalidConfig(String args) {
        assertThatThrownBy(() -> Bandwidth.fromArgs(CniEnv.parseArgs(args)))
                .isInstanceOfSatisfying(CniException.class, e -> {
                    assertThat(e.code()).isEqualTo(CniException.INVALID_CONFIG);
                    assertThat(e.getMessage()).startsWith("CNI_ARGS: ").doesNotContain("\n");
                });
        assertThat(Bandwidth.fromArgsLenient(CniEnv.parseArgs(args))).isNull();
    }

    @Test
    void anAddWithBadLimitsFailsBeforeTouchingAnything() {
        Map<String, String> env = CniInputTest.env("ADD");
        env.put("CNI_ARGS", "ingress_bandwidth=lots");
        env.put("CNI_NETNS", "/proc/self/ns/net");
        env.put("ETCD_ENDPOINTS", "http://127.0.0.1:1"); // never reached
        CniInputTest.Out o = CniInputTest.run(env, CniInputTest.GOOD);
        assertThat(o.rc()).isEqualTo(1);
        assertThat(o.json().get("code").asInt()).isEqualTo(CniException.INVALID_CONFIG);
        assertThat(o.json().get("msg").asText()).contains("ingress_bandwidth").contains("lots");
    }
}
