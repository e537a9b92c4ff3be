package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The interface name GC reads back from an endpoint's labels, which come from etcd: only a name CNI_IFNAME could be. */
class LifecycleLabelsTest {
    @Test
    void theInterfaceNameComesBackInEitherFormOrNotAtAll() {
        assertThat(Lifecycle.ifname(Map.of(Lifecycle.IFNAME_LABEL, "eth0"))).isEqualTo("eth0");
        assertThat(Lifecycle.ifname(Map.of(Lifecycle.IFNAME_HEX_LABEL, "657468302e")))
                .isEqualTo("eth0.");
        assertThat(Lifecycle.ifname(Map.of())).isNull();
        assertThat(Lifecycle.ifname(Map.of(Lifecycle.IFNAME_HEX_LABEL, "zz")))
                .as("not hex")
                .isNull();
        assertThat(Lifecycle.ifname(Map.of(Lifecycle.IFNAME_HEX_LABEL, "2e2e2f78")))
                .as("../x")
                .isNull();
        assertThat(Lifecycle.ifname(Map.of(Lifecycle.IFNAME_HEX_LABEL, "6574683000")))
                .as("a NUL")
                .isNull();
        assertThat(Lifecycle.ifname(Map.of(Lifecycle.IFNAME_LABEL, "a-name-far-too-long-for-a-link")))
                .as("over 15 bytes")
                .isNull();
    }
}
