package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.calicojava.netlink.Address;
import org.calicojava.netlink.AlreadyExistsException;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.KernelException;
import org.calicojava.netlink.NextHop;
import org.calicojava.netlink.NoSuchDeviceException;
import org.calicojava.netlink.NotFoundException;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.RouteFilter;
import org.calicojava.netlink.RouteType;
import org.calicojava.netlink.UnreachableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Routes in a namespace of their own, checked through our dump and through {@code ip route show}. */
class RouteIT {
    static final int PROTO = 77;
    TestNs ns;
    int v0;

    @BeforeEach
    void setUp() {
        ns = new TestNs();
        v0 = ns.nl.createVeth("v0", "v1").index();
        ns.nl.setUp("v0");
        ns.nl.setUp("v1");
        ns.nl.addAddress(Address.of(v0, IpPrefix.parse("10.1.0.1/24")));
        ns.nl.addAddress(Address.of(v0, IpPrefix.parse("fd01::1/64")).withFlags(Address.NODAD));
    }

    @AfterEach
    void tearDown() {
        ns.close();
    }

    Route.Builder route(String dst) {
        return Route.builder(dst).protocol(PROTO);
    }

    List<Route> ours() {
        return ns.nl.routes(RouteFilter.all().withProtocol(PROTO));
    }

    /** {@code ip route show} output with runs of whitespace collapsed. */
    String ipRoutes(String... args) {
        return ns.ip(args).replaceAll("\\s+", " ").strip();
    }

    @Test
    void addsEveryTypeInBothFamiliesAsIpSeesThem() {
        List<Route> routes = List.of(
                route("10.10.0.0/24").via("10.1.0.2", v0).metric(10).build(),
                route("10.11.0.1/32").dev(v0).build(),
                route("10.12.0.0/24").type(RouteType.BLACKHOLE).build(),
                route("10.12.1.0/24").type(RouteType.UNREACHABLE).build(),
                route("10.12.2.0/24").type(RouteType.PROHIBIT).build(),
                route("10.13.0.0/24")
                        .nextHop(NextHop.via(IpPrefix.parseAddress("192.0.2.1"), v0)
                                .withOnlink(true))
                        .build(),
                route("10.15.0.0/24").via("10.1.0.2", v0).table(100).build(),
                route("10.16.0.0/24").via("10.1.0.2", v0).table(1000).build(),
                route("fd10::/64").via("fd01::2", v0).metric(5).build(),
                route("fd11::1/128").dev(v0).build(),
                route("fd12::/48").type(RouteType.BLACKHOLE).build(),
                route("fd12:1::/48").type(RouteType.UNREACHABLE).build(),
                route("fd12:2::/48").type(RouteType.PROHIBIT).build());
        routes.forEach(ns.nl::addRoute);

        String v4 = ipRoutes("route", "show", "proto", "77");
        assertThat(v4)
                .contains(
                        "10.10.0.0/24 via 10.1.0.2 dev v0 metric 10",
                        "10.11.0.1 dev v0 scope link",
                        "blackhole 10.12.0.0/24",
                        "unreachable 10.12.1.0/24",
                        "prohibit 10.12.2.0/24",
                        "10.13.0.0/24 via 192.0.2.1 dev v0 onlink");
        assertThat(ipRoutes("route", "show", "table", "100")).contains("10.15.0.0/24 via 10.1.0.2 dev v0 proto 77");
        assertThat(ipRoutes("route", "show", "table", "1000")).contains("10.16.0.0/24 via 10.1.0.2 dev v0 proto 77");
        String v6 = ipRoutes("-6", "route", "show", "proto", "77");
        assertThat(v6)
                .contains(
                        "fd10::/64 via fd01::2 dev v0 metric 5",
                        "fd11::1 dev v0 metric 1024",
                        "blackhole fd12::/48",
                        "unreachable fd12:1::/48",
                        "prohibit fd12:2::/48");

        List<Route> dumped = ours();
        assertThat(dumped).hasSize(routes.size());
        for (Route r : routes) {
            Route back = dumped.stream()
                    .filter(d -> d.dst().equals(r.dst()))
                    .findFirst()
                    .orElseThrow();
            assertThat(back.type()).isEqualTo(r.type());
            assertThat(back.table()).isEqualTo(r.table());
            assertThat(back.nextHops()).isEqualTo(r.nextHops());
            if (r.metric() != 0) {
                assertThat(back.metric()).isEqualTo(r.metric());
            }
        }
        assertThat(ns.nl.routes(RouteFilter.all().withProtocol(PROTO).withType(RouteType.BLACKHOLE)))
                .extracting(r -> r.dst().toString())
                .containsExactlyInAnyOrder("10.12.0.0/24", "fd12::/48");
        assertThat(ns.nl.routes(RouteFilter.all().withTable(100)))
                .extracting(r -> r.dst().toString())
                .containsExactly("10.15.0.0/24");
        assertThat(ns.nl.routes(RouteFilter.all().withTable(1000)))
                .extracting(r -> r.dst().toString())
                .containsExactly("10.16.0.0/24");
        assertThat(ns.nl.routes(RouteFilter.all().withProtocol(PROTO).withFamily(10)))
                .hasSize(5);
        assertThat(ns.nl.routes(RouteFilter.all().withTable(200).withFamily(2)))
                .as("no such table")
                .isEmpty();
        assertThat(ns.nl.routes(RouteFilter.all().withTable(200))).isEmpty();

        routes.forEach(ns.nl::deleteRoute);
        assertThat(ours()).isEmpty();
        assertThat(ipRoutes("route", "show", "table", "all", "proto", "77")).isEmpty();
    }

    @Test
    void replaceChangesTheNextHopInPlace() {
        ns.nl.addRoute(route("10.20.0.0/16").via("10.1.0.2", v0).build());
        ns.nl.replaceRoute(route("10.20.0.0/16").via("10.1.0.3", v0).build());
        ns.nl.replaceRoute(route("10.21.0.0/16").via("10.1.0.3", v0).build()); // replace also creates
        assertThat(ipRoutes("route", "show", "proto", "77"))
                .isEqualTo("10.20.0.0/16 via 10.1.0.3 dev v0 10.21.0.0/16 via 10.1.0.3 dev v0");
        assertThat(ours())
                .extracting(r -> r.nextHops().get(0).gateway().getHostAddress())
                .containsExactly("10.1.0.3", "10.1.0.3");
        ns.nl.replaceRoute(route("10.20.0.0/16").type(RouteType.BLACKHOLE).build());
        assertThat(ipRoutes("route", "show", "10.20.0.0/16")).isEqualTo("blackhole 10.20.0.0/16 proto 77");
    }

    @Test
    void multipathRoutesInBothFamilies() {
        Route v4 = route("10.30.0.0/24")
                .via("10.1.0.2", v0)
                .nextHop(NextHop.via(IpPrefix.parseAddress("10.1.0.3"), v0).withWeight(3))
                .build();
        Route v6 = route("fd30::/64").via("fd01::2", v0).via("fd01::3", v0).build();
        ns.nl.addRoute(v4);
        ns.nl.addRoute(v6);
        assertThat(ipRoutes("route", "show", "10.30.0.0/24"))
                .isEqualTo("10.30.0.0/24 proto 77 "
                        + "nexthop via 10.1.0.2 dev v0 weight 1 nexthop via 10.1.0.3 dev v0 weight 3");
        assertThat(ipRoutes("-6", "route", "show", "fd30::/64"))
                .contains("nexthop via fd01::2 dev v0 weight 1", "nexthop via fd01::3 dev v0 weight 1");
        assertThat(ours())
                .containsExactlyInAnyOrder(v4, v6.toBuilder().metric(1024).build());
        ns.nl.deleteRoute(v4);
        ns.nl.deleteRoute(v6);
        assertThat(ours()).isEmpty();
    }

    @Test
    void kernelErrorsAreTypedWithTheirMeaning() {
        Route r = route("10.40.0.0/24").via("10.1.0.2", v0).build();
        ns.nl.addRoute(r);
        assertThatThrownBy(() -> ns.nl.addRoute(r))
                .isInstanceOf(AlreadyExistsException.class)
                .hasMessageStartingWith("add route 10.40.0.0/24")
                .hasMessageContaining("route exists (EEXIST)");
        assertThatThrownBy(() -> ns.nl.addRoute(route("10.41.0.0/24").dev(9999).build()))
                .isInstanceOf(NoSuchDeviceException.class)
                .hasMessageContaining("no such device (ENODEV)");
        assertThatThrownBy(() ->
                        ns.nl.addRoute(route("10.42.0.0/24").via("10.99.0.1", 0).build()))
                .isInstanceOf(UnreachableException.class)
                .hasMessageContaining("(ENETUNREACH)");
        assertThatThrownBy(() -> ns.nl.deleteRoute(
                        route("10.43.0.0/24").via("10.1.0.2", v0).build()))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("no such route (ESRCH)");
        KernelException e =
                org.junit.jupiter.api.Assertions.assertThrows(KernelException.class, () -> ns.nl.addRoute(r));
        assertThat(e.errno()).isEqualTo(17);
        assertThat(e.errnoName()).isEqualTo("EEXIST");
        assertThat(e.meaning()).isEqualTo("route exists");
        assertThat(ours()).containsExactly(r.toBuilder().scope(0).build());
    }
}
