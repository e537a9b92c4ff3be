package org.calicojava.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Value records: parsing, formatting, and one-line validation messages. */
class ValuesTest {

    @Test
    void prefixesParseAndFormatLikeIp() {
        assertThat(IpPrefix.parse("10.65.0.3").toString()).isEqualTo("10.65.0.3/32");
        assertThat(IpPrefix.parse("fd00:0:0:1::/64").toString()).isEqualTo("fd00:0:0:1::/64");
        assertThat(IpPrefix.parse("2001:db8:0:0:1:0:0:1/128").toString()).isEqualTo("2001:db8::1:0:0:1/128");
        assertThat(IpPrefix.parse("::/0").toString()).isEqualTo("::/0");
        assertThat(IpPrefix.parse("fe80::1").toString()).isEqualTo("fe80::1/128");
        assertThat(IpPrefix.parse("10.1.2.3/24").isNetwork()).isFalse();
        assertThat(IpPrefix.parse("10.1.2.0/24").isNetwork()).isTrue();
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0/33")).hasMessage("prefix length: 33 (expected: 0..32)");
        assertThatThrownBy(() -> IpPrefix.parse("example.com/8"))
                .hasMessage("address: example.com (expected: an IPv4 or IPv6 literal)");
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0/x"))
                .hasMessage("prefix: 10.0.0.0/x (expected: ADDRESS/LENGTH)");
    }

    @Test
    void routesValidateWithOneLineMessages() {
        assertThatThrownBy(() -> Route.builder("10.0.0.1/24").dev(1).build())
                .hasMessage("route dst: 10.0.0.1/24 (expected: no bits set after the prefix length)");
        assertThatThrownBy(() -> Route.builder("10.0.0.0/24")
                        .type(RouteType.BLACKHOLE)
                        .dev(1)
                        .build())
                .hasMessage("route 10.0.0.0/24: BLACKHOLE with next hops (expected: none)");
        assertThatThrownBy(() -> Route.builder("10.0.0.0/24").via("fd00::1", 1).build())
                .hasMessage(
                        "route 10.0.0.0/24: gateway fd00::1 (expected: same address family as the " + "destination)");
        assertThatThrownBy(
                        () -> Route.builder("10.0.0.0/24").protocol(300).dev(1).build())
                .hasMessage("route protocol: 300 (expected: 0..255)");
        assertThatThrownBy(() -> NextHop.dev(1).withWeight(0)).hasMessage("next hop weight: 0 (expected: 1..256)");
        assertThatThrownBy(() -> new NextHop(null, 0, 1, false))
                .hasMessage("next hop: no gateway and no interface (expected: at least one)");
        Route r = Route.builder("10.0.0.0/24").dev(3).build();
        assertThat(r.scope()).as("dev-only routes are scope link, like ip").isEqualTo(Route.SCOPE_LINK);
        assertThat(Route.builder("10.0.0.0/24").via("10.1.0.1", 3).build().scope())
                .isEqualTo(Route.SCOPE_UNIVERSE);
        assertThat(r.toBuilder().build()).isEqualTo(r);
    }

    @Test
    void macAddresses() {
        MacAddress m = MacAddress.parse("EE:ee:00:01:02:ff");
        assertThat(m.toString()).isEqualTo("ee:ee:00:01:02:ff");
        assertThat(MacAddress.of(m.bytes())).isEqualTo(m);
        assertThatThrownBy(() -> MacAddress.parse("ee:ee"))
                .hasMessage("mac: ee:ee (expected: six hex bytes like ee:ee:ee:ee:ee:ee)");
    }

    @Test
    void kernelErrorsMapToTypesAndMeanings() {
        assertThat(KernelException.of(KernelException.Kind.ROUTE, "add route x", 17, null))
                .isInstanceOf(AlreadyExistsException.class)
                .hasMessage("add route x: route exists (EEXIST)");
        assertThat(KernelException.of(KernelException.Kind.LINK, "create veth a", 17, "File exists"))
                .hasMessage("create veth a: device exists (EEXIST); kernel says: File exists");
        assertThat(KernelException.of(KernelException.Kind.ROUTE, "delete route x", 3, null))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("delete route x: no such route (ESRCH)");
        assertThat(KernelException.of(KernelException.Kind.OTHER, "x", 1234, null))
                .hasMessage("x: errno 1234 (errno 1234)");
    }
}
