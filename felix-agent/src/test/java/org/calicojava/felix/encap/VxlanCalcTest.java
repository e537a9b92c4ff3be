package org.calicojava.felix.encap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.calicojava.model.Cidr;
import org.calicojava.model.EncapMode;
import org.calicojava.model.IpPool;
import org.calicojava.model.Keys;
import org.calicojava.netlink.MacAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The VXLAN calculation with plain values: keys as etcd has them in, plans out. */
class VxlanCalcTest {
    static final Keys KEYS = new Keys();
    static final Cidr POOL = Cidr.parse("10.65.0.0/16");
    static final Cidr POOL6 = Cidr.parse("fd00:65::/64");
    static final Cidr SUBNET = Cidr.parse("192.0.2.1/24", false);
    EncapState s;

    @BeforeEach
    void hosts() {
        s = new EncapState(KEYS);
        host("h1", "192.0.2.1", "10.65.0.0", "66:00:00:00:00:01");
        host("h2", "192.0.2.2", "10.65.1.0", "66:00:00:00:00:02"); // same subnet as h1
        host("h3", "198.51.100.3", "10.65.2.0", "66:00:00:00:00:03"); // another subnet
        block("h1", "10.65.0.0/26");
        block("h2", "10.65.1.0/26");
        block("h3", "10.65.2.0/26");
        block("h3", "10.65.2.64/26");
    }

    void host(String h, String ip, String tunnel, String mac) {
        s.apply(KEYS.bgpHostIp(h, 4), ip);
        s.apply(KEYS.hostConfig(h, VxlanCalc.ADDR_V4), tunnel);
        s.apply(KEYS.hostConfig(h, VxlanCalc.MAC_V4), mac);
    }

    void block(String h, String cidr) {
        s.apply(KEYS.ipamAffinity(h, Cidr.parse(cidr)), "{}");
    }

    static List<IpPool> pools(EncapMode mode) {
        return List.of(IpPool.of(POOL, EncapMode.NEVER, mode, false, false, 26));
    }

    static Cidr c(String s) {
        return Cidr.parse(s);
    }

    static MacAddress mac(String m) {
        return MacAddress.parse(m);
    }

    @Test
    void alwaysRoutesEveryRemoteBlockThroughTheTunnelWithNeighbourAndFdbEntries() {
        VxlanPlan p = VxlanCalc.plan("h1", 4, pools(EncapMode.ALWAYS), s, SUBNET);
        assertThat(p.device())
                .isEqualTo(new VxlanPlan.Device(c("10.65.0.0/32"), mac("66:00:00:00:00:01"), c("192.0.2.1/32")));
        assertThat(p.routes())
                .isEqualTo(Map.of(
                        c("10.65.1.0/26"), new VxlanPlan.Hop(c("10.65.1.0/32"), true),
                        c("10.65.2.0/26"), new VxlanPlan.Hop(c("10.65.2.0/32"), true),
                        c("10.65.2.64/26"), new VxlanPlan.Hop(c("10.65.2.0/32"), true)));
        assertThat(p.neighbours())
                .isEqualTo(Map.of(
                        c("10.65.1.0/32"), mac("66:00:00:00:00:02"), c("10.65.2.0/32"), mac("66:00:00:00:00:03")));
        assertThat(p.fdb())
                .isEqualTo(Map.of(
                        mac("66:00:00:00:00:02"), c("192.0.2.2/32"), mac("66:00:00:00:00:03"), c("198.51.100.3/32")));
        assertThat(p.problems()).isEmpty();
        assertThat(p.tunnel()).isEqualTo(new VxlanPlan.Tunnel(true, true, c("10.65.0.0/32"), "10.65.0.0", true));
    }

    @Test
    void addressesBorrowedFromAnotherHostsBlockGetARouteToTheHostTheyRunOn() {
        Map<Cidr, String> workloads = Map.of(
                c("10.65.2.5/32"), "h2", // borrowed from h3's block: routed to h2, not with the block to h3
                c("10.65.1.7/32"), "h2", // in h2's own block: the block route does it
                c("10.65.0.9/32"), "h3", // borrowed from this host's (h1's) block: to h3
                c("10.65.9.1/32"), "h3", // in a block nobody owns: to h3
                c("10.65.2.6/32"), "h1", // this host's own workload: felix's local route does it
                c("10.99.0.1/32"), "h2"); // in no VXLAN pool
        VxlanPlan p = VxlanCalc.plan("h1", 4, pools(EncapMode.ALWAYS), s, SUBNET, workloads);
        assertThat(p.routes())
                .containsEntry(c("10.65.2.5/32"), new VxlanPlan.Hop(c("10.65.1.0/32"), true))
                .containsEntry(c("10.65.0.9/32"), new VxlanPlan.Hop(c("10.65.2.0/32"), true))
                .containsEntry(c("10.65.9.1/32"), new VxlanPlan.Hop(c("10.65.2.0/32"), true))
                .containsEntry(c("10.65.2.0/26"), new VxlanPlan.Hop(c("10.65.2.0/32"), true))
                .doesNotContainKeys(c("10.65.1.7/32"), c("10.65.2.6/32"), c("10.99.0.1/32"))
                .hasSize(6);
        VxlanPlan cross = VxlanCalc.plan("h1", 4, pools(EncapMode.CROSS_SUBNET), s, SUBNET, workloads);
        assertThat(cross.routes()) // h2 shares h1's subnet: native; h3 does not: through the tunnel
                .containsEntry(c("10.65.2.5/32"), new VxlanPlan.Hop(c("192.0.2.2/32"), false))
                .containsEntry(c("10.65.0.9/32"), new VxlanPlan.Hop(c("10.65.2.0/32"), true));
    }

    @Test
    void crossSubnetRoutesHostsOfThisSubnetNatively() {
        VxlanPlan p = VxlanCalc.plan("h1", 4, pools(EncapMode.CROSS_SUBNET), s, SUBNET);
        assertThat(p.routes())
                .isEqualTo(Map.of(
                        c("10.65.1.0/26"), new VxlanPlan.Hop(c("192.0.2.2/32"), false),
                        c("10.65.2.0/26"), new VxlanPlan.Hop(c("10.65.2.0/32"), true),
                        c("10.65.2.64/26"), new VxlanPlan.Hop(c("10.65.2.0/32"), true)));
        assertThat(p.fdb()).containsKeys(mac("66:00:00:00:00:02"), mac("66:00:00:00:00:03")); // every VTEP, as Calico
        VxlanPlan unknownSubnet = VxlanCalc.plan("h1", 4, pools(EncapMode.CROSS_SUBNET), s, null);
        assertThat(unknownSubnet.routes().values()).allMatch(VxlanPlan.Hop::tunnel);
    }

    @Test
    void removalsDisappearFromThePlan() {
        s.apply(KEYS.ipamAffinity("h3", c("10.65.2.64/26")), null);
        assertThat(VxlanCalc.plan("h1", 4, pools(EncapMode.ALWAYS), s, SUBNET).routes())
                .doesNotContainKey(c("10.65.2.64/26"))
                .containsKey(c("10.65.2.0/26"));
        // host h3 gone: its records and blocks
        s.apply(KEYS.bgpHostIp("h3", 4), null);
        s.apply(KEYS.hostConfig("h3", VxlanCalc.ADDR_V4), null);
        s.apply(KEYS.hostConfig("h3", VxlanCalc.MAC_V4), null);
        s.apply(KEYS.ipamAffinity("h3", c("10.65.2.0/26")), null);
        VxlanPlan p = VxlanCalc.plan("h1", 4, pools(EncapMode.ALWAYS), s, SUBNET);
        assertThat(p.routes()).containsOnlyKeys(c("10.65.1.0/26"));
        assertThat(p.fdb()).containsOnlyKeys(mac("66:00:00:00:00:02"));
        assertThat(p.neighbours()).containsOnlyKeys(c("10.65.1.0/32"));
        // the pool's mode back to never, or the pool gone: no device, nothing routed, the address released
        for (List<IpPool> pools : List.of(pools(EncapMode.NEVER), List.<IpPool>of())) {
            VxlanPlan none = VxlanCalc.plan("h1", 4, pools, s, SUBNET);
            assertThat(none.device()).isNull();
            assertThat(none.routes()).isEmpty();
            assertThat(none.fdb()).isEmpty();
            assertThat(none.tunnel()).isEqualTo(new VxlanPlan.Tunnel(false, false, null, "10.65.0.0", false));
            assertThat(none.problems()).isEmpty();
        }
    }

    @Test
    void blocksOutsideVxlanPoolsAndOwnBlocksAreNotRouted() {
        block("h2", "10.99.0.0/26");
        VxlanPlan p = VxlanCalc.plan("h2", 4, pools(EncapMode.ALWAYS), s, SUBNET);
        assertThat(p.routes()).containsOnlyKeys(c("10.65.0.0/26"), c("10.65.2.0/26"), c("10.65.2.64/26"));
    }

    @Test
    void aBlockOfAnotherSizeThanItsPoolsIsNotRoutedAndIsAProblem() {
        block("h3", "10.65.0.0/16"); // the whole pool, as one "block" of h3's
        block("h3", "10.0.0.0/8"); // wider than the pool
        block("h2", "10.65.1.128/27");
        VxlanPlan p = VxlanCalc.plan("h1", 4, pools(EncapMode.ALWAYS), s, SUBNET);
        assertThat(p.routes()).containsOnlyKeys(c("10.65.1.0/26"), c("10.65.2.0/26"), c("10.65.2.64/26"));
        assertThat(p.problems())
                .contains(
                        "host h3: block 10.65.0.0/16 is not a /26 block of pool 10.65.0.0/16 (not routed)",
                        "host h3: block 10.0.0.0/8 is not a /26 block of pool 10.65.0.0/16 (not routed)",
                        "host h2: block 10.65.1.128/27 is not a /26 block of pool 10.65.0.0/16 (not routed)");
    }

    @Test
    void badRecordsSkipTheHostWithAProblem() {
        s.apply(KEYS.hostConfig("h2", VxlanCalc.ADDR_V4), "10.99.0.1"); // in no VXLAN pool
        s.apply(KEYS.hostConfig("h3", VxlanCalc.MAC_V4), "01:00:5e:00:00:01"); // multicast
        host("h4", "198.51.100.4", "fd00::1", "66:00:00:00:00:04"); // wrong family
        host("h5", "198.51.100.5", "10.65.5.0", "66:00:00:00:00:02"); // h2's MAC (h2 itself is skipped already)
        host("h6", "198.51.100.6", "10.65.6.0", "66:00:00:00:00:05");
        host("h7", "198.51.100.7", "10.65.7.0", "66:00:00:00:00:05"); // h6's MAC
        host("h8", "198.51.100.8", "not-an-ip", "66:00:00:00:00:08");
        VxlanPlan p = VxlanCalc.plan("h1", 4, pools(EncapMode.ALWAYS), s, SUBNET);
        assertThat(p.fdb()).containsOnlyKeys(mac("66:00:00:00:00:02"), mac("66:00:00:00:00:05"));
        assertThat(p.fdb().get(mac("66:00:00:00:00:02"))).isEqualTo(c("198.51.100.5/32"));
        assertThat(p.problems())
                .anyMatch(x -> x.contains("h2") && x.contains("in no VXLAN pool"))
                .anyMatch(x -> x.contains("h3") && x.contains("unicast"))
                .anyMatch(x -> x.contains("h4") && x.contains("expected: an IPv4 address"))
                .anyMatch(x -> x.contains("h7") && x.contains("is also host h6's"))
                .anyMatch(x -> x.contains("h8") && x.contains("not an IPv4 or IPv6 address"));
        assertThat(p.routes()).doesNotContainKeys(c("10.65.1.0/26"), c("10.65.2.0/26"));
        assertThatThrownBy(() -> s.apply(KEYS.bgpHostIp("h9", 4), "fd00::9"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: an IPv4 address");
        assertThatThrownBy(() -> s.apply(KEYS.ipamAffinities("h9", 4) + "not-a-block", "{}"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ownRecordsMissingOrInvalidAskForAllocation() {
        s.apply(KEYS.hostConfig("h1", VxlanCalc.ADDR_V4), null);
        s.apply(KEYS.hostConfig("h1", VxlanCalc.MAC_V4), null);
        VxlanPlan p = VxlanCalc.plan("h1", 4, pools(EncapMode.ALWAYS), s, SUBNET);
        assertThat(p.device()).isNull();
        assertThat(p.routes()).isEmpty();
        assertThat(p.tunnel()).isEqualTo(new VxlanPlan.Tunnel(true, true, null, null, false));
        List<IpPool> disabled = List.of(IpPool.of(POOL, EncapMode.NEVER, EncapMode.ALWAYS, false, true, 26));
        assertThat(VxlanCalc.plan("h1", 4, disabled, s, SUBNET).tunnel().wanted())
                .isFalse();
    }

    @Test
    void ipv6UsesItsOwnRecordsAndDevice() {
        s.apply(KEYS.bgpHostIp("h1", 6), "2001:db8::1");
        s.apply(KEYS.bgpHostIp("h2", 6), "2001:db8::2");
        s.apply(KEYS.bgpHostIp("h3", 6), ""); // Calico's "no IPv6"
        s.apply(KEYS.hostConfig("h1", VxlanCalc.ADDR_V6), "fd00:65::1");
        s.apply(KEYS.hostConfig("h1", VxlanCalc.MAC_V6), "66:00:00:00:06:01");
        s.apply(KEYS.hostConfig("h2", VxlanCalc.ADDR_V6), "fd00:65::2");
        s.apply(KEYS.hostConfig("h2", VxlanCalc.MAC_V6), "66:00:00:00:06:02");
        block("h2", "fd00:65::40/122");
        List<IpPool> pools = List.of(IpPool.of(POOL6, EncapMode.NEVER, EncapMode.ALWAYS, false, false, 122));
        VxlanPlan p = VxlanCalc.plan("h1", 6, pools, s, Cidr.parse("2001:db8::1/64", false));
        assertThat(p.device())
                .isEqualTo(new VxlanPlan.Device(c("fd00:65::1/128"), mac("66:00:00:00:06:01"), c("2001:db8::1/128")));
        assertThat(p.routes()).isEqualTo(Map.of(c("fd00:65::40/122"), new VxlanPlan.Hop(c("fd00:65::2/128"), true)));
        assertThat(p.fdb()).isEqualTo(Map.of(mac("66:00:00:00:06:02"), c("2001:db8::2/128")));
        assertThat(p.neighbours()).isEqualTo(Map.of(c("fd00:65::2/128"), mac("66:00:00:00:06:02")));
        assertThat(VxlanCalc.plan("h1", 4, pools, s, SUBNET).device())
                .as("no IPv4 VXLAN pool")
                .isNull();
        assertThat(VxlanPlan.deviceName(6)).isEqualTo("vxlan-v6.calico");
    }
}
