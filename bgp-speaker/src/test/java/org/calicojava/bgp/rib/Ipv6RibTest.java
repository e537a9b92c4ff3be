package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.session.Await;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * IPv6 through the RIB (the map side of the table, MP_REACH next hops, the non-IPv4 flush): A originates an IPv6 and an
 * IPv4 prefix toward B over iBGP, B passes both on to C over eBGP with its own next hop; A drops the IPv6 prefix on
 * reload and both withdraw it, the IPv4 one stays.
 */
class Ipv6RibTest {
    static final Duration T = Duration.ofSeconds(40);
    final int port = Ports.free();
    final String net = "127.0." + (50 + ThreadLocalRandom.current().nextInt(10)) + ".";
    final int base = 200 + 10 * ThreadLocalRandom.current().nextInt(5);
    static final String ALL = ", import: [all], export: [all]", POLICIES = "policies: {all: [{action: accept}]}";

    String ip(int i) {
        return net + (base + i);
    }

    String nb(int peer, long as, String extra) {
        return "{address: " + ip(peer) + ", asNumber: " + as + extra + "}";
    }

    @Test
    void ipv6RoutesAnnouncedPassedOnAndWithdrawn() {
        List<Node> nodes = new ArrayList<>();
        try {
            String v6 = "2001:db8:77::/64";
            String aYaml = Node.yaml(
                    ip(1),
                    65001,
                    port,
                    List.of(nb(2, 65001, ALL)),
                    "nextHop: {ipv6: \"2001:db8::1\"}\noriginate: [\"" + v6 + "\", 10.79.0.0/24]\n" + POLICIES);
            Node a = new Node(ip(1), port, aYaml);
            nodes.add(a);
            Node b = new Node(
                    ip(2),
                    port,
                    Node.yaml(
                            ip(2),
                            65001,
                            port,
                            List.of(nb(1, 65001, ", passive: true" + ALL), nb(3, 65003, ALL)),
                            "nextHop: {ipv6: \"2001:db8::2\"}\n" + POLICIES));
            nodes.add(b);
            Node c = new Node(
                    ip(3),
                    port,
                    Node.yaml(ip(3), 65003, port, List.of(nb(2, 65001, ", passive: true" + ALL)), POLICIES));
            nodes.add(c);

            Await.until("C has both prefixes", T, () -> c.best(v6) != null && c.best("10.79.0.0/24") != null);
            Path atB = b.best(v6), atC = c.best(v6);
            assertThat(atB.from.address).isEqualTo(Ip.parse(ip(1)));
            assertThat(Prefix.formatAddress(java.util.Arrays.copyOf(atB.nh6, 16)))
                    .isEqualTo("2001:db8::1");
            assertThat(Prefix.formatAddress(java.util.Arrays.copyOf(atC.nh6, 16)))
                    .isEqualTo("2001:db8::2"); // next hop self toward eBGP
            assertThat(atC.attrs.asPath().toString()).isEqualTo("65001");
            assertThat(c.rib.showRoute(Prefix.parse(v6), false)).contains(v6, "via 2001:db8::2");

            a.reload(aYaml.replace("\"" + v6 + "\", ", ""));
            Await.until("B and C withdrew the IPv6 prefix", T, () -> b.best(v6) == null && c.best(v6) == null);
            assertThat(c.best("10.79.0.0/24")).isNotNull();
            assertThat(c.paths(v6)).isEmpty();
        } finally {
            for (Node n : nodes) {
                n.close();
            }
        }
    }
}
