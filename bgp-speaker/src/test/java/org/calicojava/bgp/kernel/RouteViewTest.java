package org.calicojava.bgp.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.NextHop;
import org.calicojava.netlink.Route;
import org.junit.jupiter.api.Test;

/** {@link RouteView}: longest prefix match, metrics, replace and delete by (destination, metric), ownership. */
class RouteViewTest {
    static final int K0 = 2;
    static final int K2 = 3;
    final RouteView v = new RouteView();

    static Route connected(String dst, int dev) {
        return Route.builder(dst).dev(dev).protocol(2).build();
    }

    static Route via(String dst, String gw, int dev, int metric) {
        return Route.builder(dst).via(gw, dev).protocol(4).metric(metric).build();
    }

    static NextHop onlink(String gw, int dev) {
        return new NextHop(IpPrefix.parseAddress(gw), dev, 1, true);
    }

    NextHop resolve(String a) {
        return v.resolve(IpPrefix.parseAddress(a));
    }

    @Test
    void connectedKeepsTheNextHopAndTakesItsInterface() {
        assertThat(v.apply(connected("10.99.0.0/24", K0), true)).isTrue();
        assertThat(resolve("10.99.0.7")).isEqualTo(NextHop.via(IpPrefix.parseAddress("10.99.0.7"), K0));
        assertThat(resolve("10.98.0.7")).isEqualTo(NextHop.via(IpPrefix.parseAddress("10.98.0.7"), 0)); // no route
    }

    @Test
    void longestPrefixWinsAndTheLessSpecificComesBack() {
        v.apply(connected("10.99.0.0/24", K0), true);
        v.apply(via("10.77.0.0/16", "10.99.0.5", K0, 0), true);
        assertThat(resolve("10.77.1.1")).isEqualTo(onlink("10.99.0.5", K0));
        v.apply(via("10.77.1.0/24", "10.99.0.6", K0, 0), true);
        assertThat(resolve("10.77.1.1")).isEqualTo(onlink("10.99.0.6", K0));
        assertThat(resolve("10.77.2.1")).isEqualTo(onlink("10.99.0.5", K0));
        assertThat(v.apply(via("10.77.1.0/24", "10.99.0.6", K0, 0), false)).isTrue();
        assertThat(resolve("10.77.1.1")).isEqualTo(onlink("10.99.0.5", K0));
        v.apply(via("0.0.0.0/0", "10.99.0.1", K0, 0), true);
        assertThat(resolve("192.0.2.1")).isEqualTo(onlink("10.99.0.1", K0));
    }

    @Test
    void sameDestinationAndMetricReplacesLowestMetricWins() {
        v.apply(via("10.77.0.0/16", "10.99.0.5", K0, 100), true);
        v.apply(via("10.77.0.0/16", "10.98.0.5", K2, 50), true);
        assertThat(v.size()).isEqualTo(2);
        assertThat(resolve("10.77.0.1")).isEqualTo(onlink("10.98.0.5", K2));
        assertThat(v.apply(via("10.77.0.0/16", "10.98.0.9", K2, 50), true)).isTrue(); // replace
        assertThat(v.size()).isEqualTo(2);
        assertThat(resolve("10.77.0.1")).isEqualTo(onlink("10.98.0.9", K2));
        assertThat(v.apply(via("10.77.0.0/16", "10.98.0.9", K2, 50), true)).isFalse(); // the same again
        v.apply(via("10.77.0.0/16", "10.98.0.9", K2, 50), false);
        assertThat(resolve("10.77.0.1")).isEqualTo(onlink("10.99.0.5", K0));
        assertThat(v.apply(via("10.77.0.0/16", "10.98.0.9", K2, 7), false)).isFalse(); // no such metric
    }

    @Test
    void ownerOfAnExactPrefix() {
        IpPrefix w = IpPrefix.parse("10.65.0.7/32");
        assertThat(v.owner(w)).isEqualTo(-1);
        v.apply(Route.builder("10.65.0.7/32").dev(K0).protocol(80).build(), true);
        assertThat(v.owner(w)).isEqualTo(80);
        assertThat(v.owner(IpPrefix.parse("10.65.0.8/32"))).isEqualTo(-1);
        v.apply(Route.builder("10.65.0.7/32").dev(K0).protocol(80).build(), false);
        assertThat(v.owner(w)).isEqualTo(-1);
        assertThat(v.size()).isZero();
    }

    @Test
    void ipv6() {
        v.apply(connected("2001:db8:1::/64", K2), true);
        v.apply(via("2001:db8:77::/48", "2001:db8:1::5", K2, 1024), true);
        assertThat(resolve("2001:db8:1::9")).isEqualTo(NextHop.via(IpPrefix.parseAddress("2001:db8:1::9"), K2));
        assertThat(resolve("2001:db8:77:1::1")).isEqualTo(onlink("2001:db8:1::5", K2));
        assertThat(resolve("10.0.0.1")).isEqualTo(NextHop.via(IpPrefix.parseAddress("10.0.0.1"), 0));
    }
}
