package org.calicojava.felix.encap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicojava.model.Cidr;
import org.calicojava.model.EncapMode;
import org.calicojava.model.IpPool;
import org.junit.jupiter.api.Test;

class IpipPlanTest {
    static final IpPool IPIP =
            IpPool.of(Cidr.parse("10.65.0.0/16"), EncapMode.ALWAYS, EncapMode.NEVER, false, false, 0);
    static final IpPool CROSS =
            IpPool.of(Cidr.parse("10.66.0.0/16"), EncapMode.CROSS_SUBNET, EncapMode.NEVER, false, false, 0);
    static final IpPool PLAIN = IpPool.of(Cidr.parse("10.70.0.0/16"));
    static final IpPool DISABLED =
            IpPool.of(Cidr.parse("10.67.0.0/16"), EncapMode.ALWAYS, EncapMode.NEVER, false, true, 0);
    static final IpPool VXLAN =
            IpPool.of(Cidr.parse("10.68.0.0/16"), EncapMode.NEVER, EncapMode.ALWAYS, false, false, 0);
    final List<String> problems = new ArrayList<>();

    @Test
    void noIpipPoolMeansOffAndARecordedAddressIsReleased() {
        IpipPlan p =
                IpipPlan.of(List.of(PLAIN, DISABLED, VXLAN), Map.of("h1", "192.0.2.1"), "10.67.0.1", problems::add);
        assertThat(p.enabled()).isFalse();
        assertThat(p.release()).isTrue();
        assertThat(p.allocate()).isFalse();
        assertThat(IpipPlan.of(List.of(PLAIN), Map.of(), null, problems::add).release())
                .isFalse();
        assertThat(problems).isEmpty();
    }

    @Test
    void anEnabledPoolAllocatesWhenNothingValidIsRecorded() {
        IpipPlan p = IpipPlan.of(List.of(PLAIN, CROSS, IPIP), Map.of(), null, problems::add);
        assertThat(p.enabled()).isTrue();
        assertThat(p.allocate()).isTrue();
        assertThat(p.pools()).containsExactly(Cidr.parse("10.65.0.0/16"), Cidr.parse("10.66.0.0/16"));
        // recorded, inside an IPIP pool: kept
        IpipPlan keep = IpipPlan.of(List.of(IPIP), Map.of(), "10.65.3.4", problems::add);
        assertThat(keep.tunnelAddr()).isEqualTo(Cidr.parse("10.65.3.4/32"));
        assertThat(keep.allocate()).isFalse();
        assertThat(problems).isEmpty();
        // garbage, IPv6, or outside every IPIP pool: one line each, a new one allocated
        for (String bad : List.of("bogus", "fd00::1", "10.70.0.1", "10.67.0.1")) {
            IpipPlan p2 = IpipPlan.of(List.of(IPIP, DISABLED), Map.of(), bad, problems::add);
            assertThat(p2.allocate()).as(bad).isTrue();
            assertThat(p2.tunnelAddr()).isNull();
        }
        assertThat(problems).hasSize(4);
    }

    @Test
    void hostAddressesAreValidatedSlash32s() {
        IpipPlan p = IpipPlan.of(
                List.of(IPIP),
                Map.of(
                        "h1",
                        "192.0.2.1",
                        "h2",
                        " 198.51.100.2",
                        "h3",
                        "fd00::3",
                        "h4",
                        "192.0.2.1; drop",
                        "h5",
                        "300.1.1.1"),
                null,
                problems::add);
        assertThat(p.hostNets()).containsExactlyInAnyOrder("192.0.2.1/32", "198.51.100.2/32");
        assertThat(problems).hasSize(3).allMatch(s -> s.contains("ip_addr_v4"));
    }

    @Test
    void mtuIsTheUplinksLessTwenty() {
        assertThat(IpipPlan.mtu(1500)).isEqualTo(1480);
        assertThat(IpipPlan.mtu(9000)).isEqualTo(8980);
        assertThat(IpipPlan.handle("node-1")).isEqualTo("ipip-tunnel-addr-node-1");
    }
}
