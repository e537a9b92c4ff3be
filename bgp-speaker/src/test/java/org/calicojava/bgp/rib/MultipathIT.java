package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.calicojava.bgp.session.Await;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * ECMP (issue 5, {@code multipath: true}): node A installs its best routes in a namespace this test creates; eBGP
 * peers B (AS 65001) and C (AS 65002) on 127.0.60.x both originate 10.50.0.0/24 with next hops 10.99.0.2 / 10.99.0.3
 * on A's namespace subnet. Asserted in {@code ip route show} of the namespace after each step.
 */
class MultipathIT {
    static final Duration T = Duration.ofSeconds(40);
    static final String P = "10.50.0.0/24";
    final int port = Ports.free();
    final String net = "127.0.60.";
    final String policies = "policies: {all: [{action: accept}], long: [{action: accept, set: {prepend: 2}}]}";

    String aYaml(boolean multipath) {
        return Node.yaml(
                net + 1,
                65000,
                port,
                List.of(
                        "{address: " + net + 2 + ", asNumber: 65001, import: [all]}",
                        "{address: " + net + 3 + ", asNumber: 65002, import: [all]}"),
                "kernel: {enabled: true, learnProtocols: [80]}\nmultipath: " + multipath + "\n" + policies);
    }

    String peerYaml(int i, long as, String export, String originate) {
        return Node.yaml(
                net + i,
                as,
                port,
                List.of("{address: " + net + 1 + ", asNumber: 65000, passive: true, export: [" + export + "]}"),
                "nextHop: {ipv4: 10.99.0." + i + "}\noriginate: " + originate + "\n" + policies);
    }

    @Test
    void equalEbgpPathsBecomeOneEcmpRouteAndSplitAgain() {
        Node b = null, c = null;
        try (NsKernelNode a = new NsKernelNode(aYaml(true))) {
            b = new Node(net + 2, port, peerYaml(2, 65001, "all", "[" + P + "]"));
            c = new Node(net + 3, port, peerYaml(3, 65002, "all", "[" + P + "]"));

            Await.until(
                    "one ECMP route over both next hops",
                    T,
                    () -> a.gateways(P).size() == 2,
                    () -> a.ip("route") + a.showRoute(P));
            assertThat(a.gateways(P)).containsExactlyInAnyOrder("10.99.0.2", "10.99.0.3");
            String route = a.ip("route", "show", "exact", P);
            assertThat(route)
                    .contains("proto 186")
                    .contains("nexthop via 10.99.0.2")
                    .contains("nexthop via 10.99.0.3");

            // C withdraws: a single next hop remains
            c.reload(peerYaml(3, 65002, "all", "[]"));
            Await.until(
                    "single next hop after C's withdrawal",
                    T,
                    () -> a.gateways(P).equals(List.of("10.99.0.2")),
                    () -> a.ip("route"));
            assertThat(a.ip("route", "show", "exact", P))
                    .doesNotContain("nexthop")
                    .contains("via 10.99.0.2")
                    .contains("proto 186");

            // C again, but with a longer AS_PATH: it differs before the router id step, so no ECMP
            c.reload(peerYaml(3, 65002, "long", "[" + P + "]"));
            Node cc = c;
            Await.until(
                    "A has C's longer path",
                    T,
                    () -> a.rib.paths(org.calicojava.bgp.codec.Prefix.parse(P)).size() == 2,
                    () -> a.showRoute(P));
            assertThat(a.showRoute(P)).contains("as_path=65002 65002 65002").contains("(lost: shorter AS path)");
            assertThat(cc.up(net + 1)).isTrue();
            assertThat(a.gateways(P)).containsExactly("10.99.0.2");

            // equal again -> ECMP; then multipath off on A (reload): one next hop, the router-id winner B
            c.reload(peerYaml(3, 65002, "all", "[" + P + "]"));
            Await.until("ECMP again", T, () -> a.gateways(P).size() == 2, () -> a.ip("route") + a.showRoute(P));
            a.reload(aYaml(false));
            Await.until(
                    "without multipath one next hop",
                    T,
                    () -> a.gateways(P).equals(List.of("10.99.0.2")),
                    () -> a.ip("route") + a.showRoute(P));
            assertThat(a.showRoute(P)).contains("(lost: lower router id)");
            assertThat(a.ip("route", "show", "exact", P)).doesNotContain("nexthop");
        } finally {
            if (b != null) {
                b.close();
            }
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void equalIbgpPathsFormEcmpUntilTheMedDiffers() {
        String n = "127.0.67.";
        String pol = "policies: {all: [{action: accept}], med: [{action: accept, set: {med: 10}}]}";
        String a = Node.yaml(
                n + 1,
                65000,
                port,
                List.of("{address: " + n + 2 + ", asNumber: 65000}", "{address: " + n + 3 + ", asNumber: 65000}"),
                "kernel: {enabled: true}\nmultipath: true");
        java.util.function.BiFunction<Integer, String, String> peer = (i, export) -> Node.yaml(
                n + i,
                65000,
                port,
                List.of("{address: " + n + 1 + ", asNumber: 65000, passive: true, export: [" + export + "]}"),
                "nextHop: {ipv4: 10.99.0." + i + "}\noriginate: [" + P + "]\n" + pol);
        Node b = null, c = null;
        try (NsKernelNode na = new NsKernelNode(a)) {
            b = new Node(n + 2, port, peer.apply(2, "all"));
            c = new Node(n + 3, port, peer.apply(3, "all"));
            Await.until("iBGP ECMP route", T, () -> na.gateways(P).size() == 2, () -> na.ip("route") + na.showRoute(P));
            assertThat(na.gateways(P)).containsExactlyInAnyOrder("10.99.0.2", "10.99.0.3");
            // B's path gets MED 10 (same neighbouring AS: compared): C's path alone is best, one next hop
            b.reload(peer.apply(2, "med"));
            Await.until(
                    "single next hop via C",
                    T,
                    () -> na.gateways(P).equals(List.of("10.99.0.3")),
                    () -> na.ip("route") + na.showRoute(P));
            assertThat(na.showRoute(P)).contains("(lost: lower MED)");
            assertThat(na.ip("route", "show", "exact", P))
                    .doesNotContain("nexthop")
                    .contains("proto 186");
            // the best (C) withdraws: B's path is the only one, replaced in place
            c.reload(Node.yaml(
                    n + 3,
                    65000,
                    port,
                    List.of("{address: " + n + 1 + ", asNumber: 65000, passive: true}"),
                    "nextHop: {ipv4: 10.99.0.3}"));
            Await.until(
                    "single next hop via B",
                    T,
                    () -> na.gateways(P).equals(List.of("10.99.0.2")),
                    () -> na.ip("route") + na.showRoute(P));
            // and B's goes too: no route of ours is left
            b.reload(Node.yaml(
                    n + 2,
                    65000,
                    port,
                    List.of("{address: " + n + 1 + ", asNumber: 65000, passive: true}"),
                    "nextHop: {ipv4: 10.99.0.2}"));
            Await.until("route removed", T, () -> na.ourPrefixes().isEmpty(), () -> na.ip("route"));
        } finally {
            if (b != null) {
                b.close();
            }
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void ipv6PathsLearnedOverIpv4SessionsFormAnIpv6EcmpRoute() {
        String n = "127.0.69.", p6 = "2001:db8:50::/64";
        String a = Node.yaml(
                n + 1,
                65000,
                port,
                List.of("{address: " + n + 2 + ", asNumber: 65000}", "{address: " + n + 3 + ", asNumber: 65000}"),
                "kernel: {enabled: true}\nmultipath: true");
        java.util.function.IntFunction<String> peer = i -> Node.yaml(
                n + i,
                65000,
                port,
                List.of("{address: " + n + 1 + ", asNumber: 65000, passive: true}"),
                "nextHop: {ipv6: \"2001:db8:99::" + i + "\"}\noriginate: [\"" + p6 + "\"]");
        Node b = null, c = null;
        try (NsKernelNode na = new NsKernelNode(a)) {
            na.ip("addr", "add", "2001:db8:99::1/64", "dev", "btk0", "nodad");
            b = new Node(n + 2, port, peer.apply(2));
            c = new Node(n + 3, port, peer.apply(3));
            Await.until(
                    "IPv6 ECMP route",
                    T,
                    () -> na.gateways(p6).size() == 2,
                    () -> na.ip("-6", "route") + na.showRoute(p6));
            assertThat(na.gateways(p6)).containsExactlyInAnyOrder("2001:db8:99::2", "2001:db8:99::3");
            assertThat(na.ip("-6", "route", "show", "exact", p6)).contains("proto 186");
            c.close();
            c = null;
            Await.until(
                    "one IPv6 next hop after C is gone",
                    T,
                    () -> na.gateways(p6).equals(List.of("2001:db8:99::2")),
                    () -> na.ip("-6", "route"));
        } finally {
            if (b != null) {
                b.close();
            }
            if (c != null) {
                c.close();
            }
        }
    }
}
