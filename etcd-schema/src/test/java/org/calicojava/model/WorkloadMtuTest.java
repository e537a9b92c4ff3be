package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadMtuTest {
    private static IpPool pool(String cidr, EncapMode ipip, EncapMode vxlan) {
        return IpPool.of(Cidr.parse(cidr), ipip, vxlan, false, false, 0);
    }

    @Test
    void theLargestOverheadOfAnyPoolIsTakenOffTheUplink() {
        IpPool plain = pool("10.1.0.0/16", EncapMode.NEVER, EncapMode.NEVER);
        IpPool ipip = pool("10.2.0.0/16", EncapMode.CROSS_SUBNET, EncapMode.NEVER);
        IpPool vxlan4 = pool("10.3.0.0/16", EncapMode.NEVER, EncapMode.ALWAYS);
        IpPool vxlan6 = pool("fd00:1::/64", EncapMode.NEVER, EncapMode.ALWAYS);
        assertThat(WorkloadMtu.of(1500, List.of(), 0)).isEqualTo(1500);
        assertThat(WorkloadMtu.of(1500, List.of(plain), 0)).isEqualTo(1500);
        assertThat(WorkloadMtu.of(1500, List.of(plain, ipip), 0)).isEqualTo(1480);
        assertThat(WorkloadMtu.of(1500, List.of(ipip, vxlan4), 0)).isEqualTo(1450);
        assertThat(WorkloadMtu.of(9000, List.of(vxlan4, vxlan6), 0)).isEqualTo(8930);
        assertThat(WorkloadMtu.of(1500, List.of(vxlan6), 1400)).isEqualTo(1400);
    }

    @Test
    void settingsAreChecked() {
        assertThat(WorkloadMtu.parse(" 1440 ")).isEqualTo(1440);
        assertThatThrownBy(() -> WorkloadMtu.parse("big")).hasMessage("VethMTU: \"big\" (expected: 68..65535)");
        assertThatThrownBy(() -> WorkloadMtu.parse("67")).hasMessage("VethMTU: 67 (expected: 68..65535)");
    }
}
