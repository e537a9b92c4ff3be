package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContextBuilderTest {

    @SuppressWarnings("unchecked")
    private static List<Peer> peers(Map<String, Object> ctx, String list) {
        return (List<Peer>) ctx.get(list);
    }

    private static Map<String, Object> build(Fixtures f, String node) {
        return new ContextBuilder(f.keys, node).build(f.kv);
    }

    @ParameterizedTest(name = "me {0}, other {1}: passive={2}")
    @CsvSource({
        "10.0.0.1, 10.0.0.2, false",
        "10.0.0.2, 10.0.0.1, true",
        "10.0.0.9, 10.0.0.10, false", // numeric, not string, order: 9 < 10
        "10.0.0.10, 10.0.0.9, true",
        "192.168.1.1, 10.0.0.1, true",
        "fd00::2, fd00::10, false",
        "fd00::10, fd00::2, true",
    })
    void meshPassiveRuleLowerAddressConnects(String mine, String theirs, boolean passive) {
        boolean v6 = mine.contains(":");
        Fixtures f = new Fixtures()
                .node("me", v6 ? "192.0.2.1" : mine, v6 ? mine : null)
                .node("other", v6 ? "192.0.2.2" : theirs, v6 ? theirs : null);
        Peer p = peers(build(f, "me"), v6 ? "peers6" : "peers4").get(0);
        assertThat(p.address()).isEqualTo(theirs);
        assertThat(p.passive()).isEqualTo(passive);
        assertThat(p.kind()).isEqualTo("Mesh");
        assertThat(p.peerNode()).isEqualTo("other");
    }

    @ParameterizedTest(name = "global {0}, node {1} -> {2}/{3}")
    @CsvSource(
            nullValues = "-",
            value = {
                "-, -, 64512, 64512", // defaults
                "65000, -, 65000, 65000", // global only
                "65000, 65001, 65001, 65000", // node's own wins; the other node keeps the global
                "1.10, -, 65546, 65546", // asdot
                "bogus, -, 64512, 64512", // bad global value: default, with a warning
            })
    void asNumbers(String global, String nodeAs, long myAs, long peerAs) {
        Fixtures f = new Fixtures().node("me", "10.0.0.1", null).node("other", "10.0.0.2", null);
        if (global != null) {
            f.globalAs(global);
        }
        if (nodeAs != null) {
            f.nodeAs("me", nodeAs);
        }
        Map<String, Object> ctx = build(f, "me");
        assertThat(ctx.get("asNumber")).isEqualTo(myAs);
        assertThat(peers(ctx, "peers").get(0).asNumber()).isEqualTo(peerAs);
        assertThat(peers(ctx, "peers").get(0).internal()).isEqualTo(myAs == peerAs);
        assertThat((List<?>) ctx.get("warnings")).hasSize("bogus".equals(global) ? 1 : 0);
    }

    @Test
    void meshDisabledLeavesOnlyExplicitPeers() {
        Fixtures f = new Fixtures()
                .node("me", "10.0.0.1", null)
                .node("other", "10.0.0.2", null)
                .mesh(false)
                .globalPeer("10.9.0.1", "65100")
                .nodePeer("me", "10.9.0.2", "65101")
                .nodePeer("other", "10.9.0.3", "1");
        Map<String, Object> ctx = build(f, "me");
        assertThat(ctx.get("meshEnabled")).isEqualTo(false);
        assertThat(peers(ctx, "peers"))
                .extracting(Peer::name, Peer::asNumber, Peer::passive)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("Global_10_9_0_1", 65100L, false),
                        org.assertj.core.groups.Tuple.tuple("Node_10_9_0_2", 65101L, false));
    }

    @Test
    void explicitPeersOverrideMeshAndSelfIsSkipped() {
        Fixtures f = new Fixtures()
                .node("me", "10.0.0.1", "fd00::1")
                .node("b", "10.0.0.2", "fd00::2")
                .globalPeer("10.0.0.2", "64512")
                .globalPeer("10.0.0.1", "64512")
                .nodePeer("me", "fd00::2", "65000");
        Map<String, Object> ctx = build(f, "me");
        assertThat(peers(ctx, "peers")).extracting(Peer::name).containsExactly("Global_10_0_0_2", "Node_fd00__2");
        assertThat(peers(ctx, "meshPeers")).isEmpty();
        assertThat(peers(ctx, "peers6").get(0).sourceAddress()).isEqualTo("fd00::1");
    }

    @Test
    void routeReflectorMarksOtherNodesOfItsAsAsClients() {
        Fixtures f = new Fixtures()
                .node("rr1", "10.0.0.1", null)
                .rr("rr1", "224.0.0.1")
                .node("rr2", "10.0.0.2", null)
                .rr("rr2", "224.0.0.1")
                .node("c1", "10.0.0.3", null)
                .node("ext", "10.0.0.4", null)
                .nodeAs("ext", "65099");
        Map<String, Object> ctx = build(f, "rr1");
        assertThat(ctx.get("rrClusterId")).isEqualTo("224.0.0.1");
        assertThat(ctx.get("routeReflector")).isEqualTo(Map.of("clusterId", "224.0.0.1"));
        assertThat(peers(ctx, "peers"))
                .extracting(Peer::address, Peer::rrClient)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("10.0.0.2", false), // same cluster: non-client
                        org.assertj.core.groups.Tuple.tuple("10.0.0.3", true),
                        org.assertj.core.groups.Tuple.tuple("10.0.0.4", false)); // eBGP: never a client
        Map<String, Object> client = build(f, "c1");
        assertThat(client.get("routeReflector")).isNull();
        assertThat(peers(client, "peers")).noneMatch(Peer::rrClient);
    }

    @Test
    void poolsAndOnlyThisNodesBlocks() {
        Fixtures f = new Fixtures()
                .node("me", "10.0.0.1", null)
                .node("b", "10.0.0.2", null)
                .pool("10.1.0.0/16")
                .pool("fd10::/48")
                .block("me", "10.1.0.64/26")
                .block("me", "10.1.0.0/26")
                .block("b", "10.1.0.128/26")
                .block("me", "fd10::/122");
        f.kv.put(f.keys.pools(4) + "10.2.0.0-16", "not json");
        Map<String, Object> ctx = build(f, "me");
        assertThat((List<Prefix>) ctx.get("pools"))
                .extracting(Prefix::cidr)
                .containsExactly("10.1.0.0/16", "fd10::/48");
        assertThat((List<Prefix>) ctx.get("blocks4"))
                .extracting(Prefix::cidr)
                .containsExactly("10.1.0.0/26", "10.1.0.64/26");
        assertThat((List<Prefix>) ctx.get("blocks6")).extracting(Prefix::cidr).containsExactly("fd10::/122");
        assertThat((List<String>) ctx.get("warnings"))
                .singleElement()
                .asString()
                .contains("10.2.0.0-16");
    }

    @ParameterizedTest
    @CsvSource(
            nullValues = "-",
            value = {"-", "not-an-ip", "fd00::1"})
    void missingOrBadIpv4IsMissingData(String v4) {
        Fixtures f = new Fixtures().node("other", "10.0.0.2", null);
        if (v4 != null) {
            f.kv.put(f.keys.bgpHostIp("me", 4), v4);
        }
        f.kv.put(f.keys.bgpHostIp("me", 6), "fd00::9");
        assertThatThrownBy(() -> build(f, "me"))
                .isInstanceOf(MissingDataException.class)
                .hasMessageContaining("node me: no IPv4 address at /calico/bgp/v1/host/me/ip_addr_v4");
    }

    @Test
    void threeNodesEachPairHasExactlyOneActiveSide() {
        Fixtures f = new Fixtures()
                .node("a", "10.0.0.3", "fd00::3")
                .node("b", "10.0.0.1", "fd00::20")
                .node("c", "10.0.0.20", "fd00::1");
        for (String me : List.of("a", "b", "c")) {
            for (Peer p : peers(build(f, me), "peers")) {
                Peer back = peers(build(f, p.peerNode()), "peers").stream()
                        .filter(q -> q.address().equals(p.sourceAddress()))
                        .findFirst()
                        .orElseThrow();
                assertThat(p.passive()).as(me + " -> " + p.address()).isNotEqualTo(back.passive());
            }
        }
    }
}
