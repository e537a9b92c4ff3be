package org.calicojava.bgp.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.netlink.IpPrefix;
import org.junit.jupiter.api.Test;

class IpipRoutesTest {
    final IpipRoutes r = new IpipRoutes(
            List.of(
                    new IpipRoutes.Pool(IpPrefix.parse("10.50.0.0/16"), false),
                    new IpipRoutes.Pool(IpPrefix.parse("10.51.0.0/16"), true)),
            ip("192.0.2.1"));
    final IpPrefix subnet = IpPrefix.parse("192.0.2.1/24");

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void alwaysTunnelsEveryNextHop() {
        assertThat(r.tunnel(Prefix.parse("10.50.1.0/26"), ip("192.0.2.2"), subnet))
                .isTrue();
        assertThat(r.tunnel(Prefix.parse("10.50.1.0/26"), ip("198.51.100.2"), subnet))
                .isTrue();
        assertThat(r.tunnel(Prefix.parse("10.50.1.7/32"), ip("198.51.100.2"), null))
                .isTrue();
    }

    @Test
    void crossSubnetTunnelsOnlyOutsideThisHostsSubnet() {
        assertThat(r.tunnel(Prefix.parse("10.51.1.0/26"), ip("192.0.2.2"), subnet))
                .isFalse();
        assertThat(r.tunnel(Prefix.parse("10.51.1.0/26"), ip("198.51.100.2"), subnet))
                .isTrue();
        assertThat(r.tunnel(Prefix.parse("10.51.1.0/26"), ip("192.0.2.2"), null))
                .as("subnet unknown")
                .isTrue();
    }

    @Test
    void outsideThePoolsOrCoveringThemOrIpv6StaysNative() {
        assertThat(r.tunnel(Prefix.parse("10.52.1.0/26"), ip("198.51.100.2"), subnet))
                .isFalse();
        assertThat(r.tunnel(Prefix.parse("10.0.0.0/8"), ip("198.51.100.2"), subnet))
                .as("covers a pool")
                .isFalse();
        assertThat(r.tunnel(Prefix.parse("fd00::/64"), ip("fd00::2"), subnet)).isFalse();
        assertThat(IpipRoutes.NONE.any()).isFalse();
        assertThat(IpipRoutes.NONE.tunnel(Prefix.parse("10.50.1.0/26"), ip("198.51.100.2"), subnet))
                .isFalse();
    }

    @Test
    void refusesIpv6PoolsAndHostAddresses() {
        assertThatThrownBy(() -> new IpipRoutes.Pool(IpPrefix.parse("fd00::/48"), false))
                .hasMessageContaining("expected: an IPv4 CIDR");
        assertThatThrownBy(() -> new IpipRoutes(List.of(), ip("fd00::1"))).hasMessageContaining("expected: IPv4");
    }
}
