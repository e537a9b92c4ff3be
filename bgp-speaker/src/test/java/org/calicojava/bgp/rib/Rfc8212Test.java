package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.session.Await;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * RFC 8212 at speaker S (127.0.68.1): an eBGP {@link WirePeer} without import/export policies sends a route that is
 * received but filtered, and gets nothing from S (only End-of-RIB), while an iBGP peer without policies gets S's routes;
 * once policies are configured (reload, the sessions stay up) both directions flow.
 */
class Rfc8212Test {
    static final Duration T = Duration.ofSeconds(30);
    final int port = Ports.free();
    final String net = "127.0.68.";

    String yaml(String ebgpPolicies) {
        return Node.yaml(
                net + 1,
                65000,
                port,
                List.of(
                        "{address: " + net + 2 + ", asNumber: 65001, passive: true" + ebgpPolicies + "}",
                        "{address: " + net + 3 + ", asNumber: 65000, passive: true}"),
                "originate: [10.68.0.0/24]\npolicies: {all: [{action: accept}]}");
    }

    @Test
    void ebgpWithoutPoliciesGetsAndGivesNothing() throws Exception {
        try (Node s = new Node(net + 1, port, yaml(""));
                WirePeer e = new WirePeer(net + 2, 65001, net + 1, port, false);
                WirePeer i = new WirePeer(net + 3, 65000, net + 1, port, true)) {
            Await.until("sessions up", T, () -> e.established() && i.established() && s.up(net + 2) && s.up(net + 3));
            e.announce(
                    PathAttributes.builder()
                            .origin(0)
                            .asPath(AsPath.sequence(65001))
                            .nextHop(net + 2)
                            .build(),
                    "10.68.1.0/24");
            Await.until(
                    "E's route received at S",
                    T,
                    () -> s.paths("10.68.1.0/24").size() == 1,
                    () -> s.rib.showRoute(null, true));
            assertThat(s.best("10.68.1.0/24"))
                    .as("filtered: no import policy toward eBGP")
                    .isNull();
            assertThat(s.rib.showRoute(Prefix.parse("10.68.1.0/24"), true)).contains("filtered from " + net + 2);
            Await.until("I has S's own route", T, () -> i.route("10.68.0.0/24") != null);
            Await.until("E got End-of-RIB", T, () -> e.updates.stream().anyMatch(u -> u.endOfRibFamily() != null));
            assertThat(e.routes)
                    .as("no export policy toward eBGP: nothing sent")
                    .isEmpty();
            assertThat(i.route("10.68.1.0/24")).isNull();

            s.reload(yaml(", import: [all], export: [all]"));
            Await.until(
                    "E gets S's route once exported",
                    T,
                    () -> e.route("10.68.0.0/24") != null,
                    () -> e.routes.toString());
            Await.until(
                    "E's route imported and passed to I",
                    T,
                    () -> i.route("10.68.1.0/24") != null,
                    () -> i.routes.toString());
            assertThat(e.route("10.68.0.0/24").attrs().asPath()).isEqualTo(AsPath.sequence(65000));
            assertThat(i.route("10.68.1.0/24").nextHop())
                    .as("next hop self toward the mesh")
                    .isEqualTo(net + 1);
            assertThat(e.error).isNull();
            assertThat(i.error).isNull();
        }
    }
}
