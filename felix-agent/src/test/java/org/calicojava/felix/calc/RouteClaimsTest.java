package org.calicojava.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.calicojava.model.Cidr;
import org.calicojava.model.WorkloadEndpoint;
import org.junit.jupiter.api.Test;

/** Route claims: an address two endpoints claim routes to the last one in key order, and back when it leaves. */
class RouteClaimsTest {
    private static final Cidr NET = Cidr.parse("10.1.0.9/32");
    private final RouteClaims claims = new RouteClaims();

    private static EndpointKey key(String wl) {
        return new EndpointKey("h1", "k8s", wl, "eth0");
    }

    @Test
    void twoEndpointsClaimingOneAddressTheLastInKeyOrderWins() {
        claims.claim("caliB", key("wb"), List.of(NET, Cidr.parse("10.1.0.2/32")));
        claims.claim("caliA", key("wa"), List.of(NET));
        assertThat(claims.routes())
                .containsOnly(Map.entry(NET, "caliB"), Map.entry(Cidr.parse("10.1.0.2/32"), "caliB"));

        claims.release("caliB");
        assertThat(claims.routes()).containsOnly(Map.entry(NET, "caliA"));
        claims.claim("caliC", key("wc"), List.of(NET));
        assertThat(claims.routes()).containsOnly(Map.entry(NET, "caliC"));
        claims.release("caliC");
        claims.release("caliA");
        claims.release("caliA"); // nothing claimed there any more: no change
        assertThat(claims.routes()).isEmpty();
    }

    @Test
    void ipv6AddressesAreRoutedOnlyWithIpv6Support() {
        WorkloadEndpoint ep = new WorkloadEndpoint(
                "active",
                "cali1",
                null,
                List.of("p"),
                List.of(Cidr.parse("10.1.0.1/32")),
                List.of(Cidr.parse("fd00::1/128")),
                Map.of());
        assertThat(RouteClaims.nets(ep, true)).containsExactly(Cidr.parse("10.1.0.1/32"), Cidr.parse("fd00::1/128"));
        assertThat(RouteClaims.nets(ep, false)).containsExactly(Cidr.parse("10.1.0.1/32"));
    }
}
