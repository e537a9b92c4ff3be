package org.calicojava.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.rib.Node;
import org.calicojava.bgp.session.Await;
import org.junit.jupiter.api.Test;

/**
 * eBGP to a BIRD 2 "ToR": our originated block reaches BIRD with our AS prepended and next hop self, BIRD's route is our
 * best with BIRD's AS; a route learned from a mesh peer is passed on to the ToR; RFC 8212: without an export policy
 * BIRD gets nothing; an export policy rejecting a prefix withdraws it on reload.
 */
class RibBirdTorIT {
    static final Duration T = Duration.ofSeconds(60);
    final Topology t = Topology.random();

    @Test
    void ebgpToABirdTor() {
        String bird = """
                router id %s;
                log "@LOG@" all;
                protocol device {}
                protocol static s4 { ipv4; route 10.30.0.0/24 blackhole; }
                protocol bgp p1 {
                  local %s port %d as 65011;
                  neighbor %s port %d as 65010;
                  multihop; hold time 9; connect retry time 1; error wait time 1, 5;
                  ipv4 { import all; export all; };
                }
                """.formatted(t.them(), t.them(), t.theirPort(), t.us(), t.ourPort());
        String tor = "{address: " + t.them() + ", asNumber: 65011, port: " + t.theirPort() + "%s}";
        String policies =
                "policies: {all: [{action: accept}], blocks: [{match: {prefixes: [\"10.20.0.0/16 le 26\"]}, action: accept}]}";
        try (Bird b = new Bird(bird);
                Node us = new Node(
                        t.us(),
                        t.ourPort(),
                        yaml(tor.formatted(""), "originate: [10.20.0.0/26, 10.21.0.0/24]\n" + policies))) {
            Await.until("session with BIRD", T, () -> us.up(t.them()) && b.established("p1"), () -> b.protocol("p1"));
            Await.until(
                    "BIRD's route received but filtered (RFC 8212: no import policy)",
                    T,
                    () -> us.rib.showRoute(Prefix.parse("10.30.0.0/24"), true).contains("filtered from " + t.them()),
                    () -> us.rib.showRoute(null, true));
            assertThat(b.routes())
                    .as("RFC 8212: no export policy, nothing sent")
                    .doesNotContain("10.20.0.0/26");

            us.reload(yaml(
                    tor.formatted(", import: [all], export: [all]"),
                    "originate: [10.20.0.0/26, 10.21.0.0/24]\n" + policies));
            Await.until(
                    "our blocks in BIRD",
                    T,
                    () -> b.routes().contains("10.20.0.0/26") && b.routes().contains("10.21.0.0/24"),
                    b::routes);
            assertThat(b.routes()).contains("BGP.as_path: 65010").contains("BGP.next_hop: " + t.us());
            assertThat(us.up(t.them())).as("the policy change kept the session").isTrue();
            Await.until(
                    "BIRD's route is our best once imported (Adj-RIB-In re-evaluated, no refresh)",
                    T,
                    () -> us.rib.showRoute(Prefix.parse("10.30.0.0/24"), false).contains("as_path=65011"),
                    () -> us.rib.showRoute(null, true));

            us.reload(yaml(
                    tor.formatted(", import: [all], export: [blocks]"),
                    "originate: [10.20.0.0/26, 10.21.0.0/24]\n" + policies));
            Await.until("10.21.0.0/24 withdrawn from BIRD", T, () -> !b.routes().contains("10.21.0.0/24"), b::routes);
            assertThat(b.routes()).contains("10.20.0.0/26");
        }
    }

    String yaml(String neighbour, String extra) {
        return """
                routerId: %s
                asNumber: 65010
                listen: {address: %s, port: %d}
                connectRetryTime: 1
                idleHoldTime: 1
                neighbors:
                  - %s
                %s
                """.formatted(t.us(), t.us(), t.ourPort(), neighbour, extra);
    }
}
