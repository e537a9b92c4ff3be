package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.nft.NftModel;
import org.calicojava.felix.nft.NftReadback;
import org.calicojava.felix.nft.NftRuleRenderer;
import org.calicojava.felix.nft.NftRuleset;
import org.calicojava.felix.nft.NftState;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Match;
import org.calicojava.felix.rules.Rule;
import org.calicojava.felix.rules.RuleRenderer;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/**
 * Every rule field, rendered through the rule model and the nft renderer (IPv4 and IPv6, each negation), loaded by
 * the real nft into a table in a namespace of its own: the kernel accepts each statement and lists it back.
 */
class NftSyntaxIT {
    static final List<String> V4 = List.of(
            "{}",
            "{\"action\":\"deny\"}",
            "{\"action\":\"log\"}",
            "{\"action\":\"next-tier\"}",
            "{\"protocol\":\"tcp\"}",
            "{\"protocol\":\"132\"}",
            "{\"!protocol\":\"udp\"}",
            "{\"src_net\":\"10.0.0.0/8\"}",
            "{\"!src_net\":\"10.0.0.0/8\"}",
            "{\"dst_net\":\"10.1.2.3/32\"}",
            "{\"!dst_net\":\"10.1.0.0/16\"}",
            "{\"protocol\":\"tcp\",\"dst_ports\":[80,\"8000:8080\"]}",
            "{\"protocol\":\"udp\",\"src_ports\":[53]}",
            "{\"protocol\":\"sctp\",\"!dst_ports\":[22]}",
            "{\"protocol\":\"udplite\",\"!src_ports\":[1,\"5:9\"]}",
            "{\"protocol\":\"icmp\",\"icmp_type\":8}",
            "{\"protocol\":\"icmp\",\"icmp_type\":3,\"icmp_code\":1}",
            "{\"protocol\":\"icmp\",\"!icmp_type\":0}",
            "{\"protocol\":\"icmp\",\"!icmp_type\":8,\"!icmp_code\":0}",
            "{\"src_tag\":\"web\"}",
            "{\"!src_tag\":\"web\"}",
            "{\"dst_tag\":\"web\"}",
            "{\"!dst_tag\":\"web\"}",
            "{\"src_selector\":\"role == 'db'\"}",
            "{\"!dst_selector\":\"role == 'db'\"}");
    static final List<String> V6 = List.of(
            "{\"protocol\":\"icmpv6\",\"icmp_type\":128}",
            "{\"protocol\":\"icmpv6\",\"!icmp_type\":128,\"!icmp_code\":0}",
            "{\"!src_net\":\"fd00::/64\",\"dst_tag\":\"web\"}",
            "{\"dst_net\":\"fd00::1/128\",\"protocol\":\"tcp\",\"dst_ports\":[443]}");

    @Test
    void kernelAcceptsEveryRenderedField() throws Exception {
        Sh.require("ip", "nft");
        String ns = "nf-" + UUID.randomUUID().toString().substring(0, 6) + "-syn";
        Path f = Files.createTempFile("nf-syntax", ".nft");
        try {
            Sh.ok("ip", "netns", "add", ns);
            StringBuilder s = new StringBuilder("add table inet calico\nadd chain inet calico cali-pi-t.p\n");
            for (String set : List.of("cali4-t-web", "cali4-s-XEV7lNkbeJSP8ferKdvh")) {
                s.append("add set inet calico ").append(set).append(" { type ipv4_addr; flags interval; }\n");
            }
            s.append("add set inet calico cali6-t-web { type ipv6_addr; flags interval; }\n");
            s.append("add chain inet calico cali-test\n");
            List<String> statements = new ArrayList<>();
            for (String json : V4) {
                statements.addAll(render(4, json));
            }
            for (String json : V6) {
                statements.addAll(render(6, json));
            }
            statements.add(
                    NftRuleRenderer.render(Rule.of(new Action.Jump("cali-pi-t.p"), new Match.Mark(0, 0x20000, false))));
            statements.add(NftRuleRenderer.render(
                    Rule.of(new Action.Goto("cali-pi-t.p"), new Match.Iface(true, "cali+", false))));
            statements.add(NftRuleRenderer.render(Rule.of(
                    Action.Verdict.ACCEPT, new Match.CtState(List.of(Match.State.RELATED, Match.State.ESTABLISHED)))));
            for (String st : statements) {
                s.append("add rule inet calico cali-test ").append(st).append('\n');
            }
            Files.writeString(f, s.toString());
            Sh.ok("ip", "netns", "exec", ns, "nft", "-f", f.toString());
            String listed = Sh.ok("ip", "netns", "exec", ns, "nft", "list", "chain", "inet", "calico", "cali-test");
            long rules = listed.lines().filter(l -> l.startsWith("\t\t")).count();
            assertThat(rules).as(listed).isEqualTo(statements.size());
            assertThat(listed)
                    .contains(
                            "ip saddr != @cali4-t-web",
                            "log prefix \"calico-packet: \"",
                            "ip6 saddr != fd00::/64",
                            "ip6 daddr @cali6-t-web",
                            "goto cali-pi-t.p");
        } finally {
            Sh.run("ip", "netns", "delete", ns);
            Files.deleteIfExists(f);
        }
    }

    /**
     * A whole dual-stack ruleset (calculated from datastore data: IPv4/IPv6 policy, tag and selector sets of both
     * families, NDP, NAT66, anti-spoofing) as the backend's first transaction, loaded by the real nft; read back with
     * {@code nft -j}, it equals what was written (a restart would write nothing).
     */
    @Test
    void dualStackRulesetLoadsAndReadsBackUnchanged() throws Exception {
        Sh.require("ip", "nft");
        Keys keys = new Keys();
        DatastoreState state = new DatastoreState(keys, "h1");
        for (int i = 1; i <= 3; i++) {
            state.apply(
                    keys.endpoint("h1", "k8s", "wl" + i, "eth0"),
                    "{\"state\":\"active\",\"name\":\"cali" + i
                            + "\",\"profile_ids\":[\"p\"],\"ipv4_nets\":[\"10.1.0." + i
                            + "/32\"],\"ipv6_nets\":[\"fd00:1::" + i
                            + "/128\"],\"labels\":{\"role\":\"" + (i == 1 ? "web" : "db") + "\"}}");
        }
        state.apply(keys.profileTags("p"), "[\"p\"]");
        StringBuilder rules = new StringBuilder();
        for (String r : V4) {
            rules.append(r.replace("web", "p")).append(',');
        }
        for (String r : V6) {
            rules.append(r.replace("web", "p")).append(',');
        }
        state.apply(
                keys.profileRules("p"),
                "{\"inbound_rules\":[" + rules + "{\"src_selector\":\"role == 'web'\"}],"
                        + "\"outbound_rules\":[{\"protocol\":\"icmpv6\",\"icmp_type\":128},{}]}");
        state.apply(keys.pool(Cidr.parse("fd00:1::/64")), "{\"cidr\":\"fd00:1::/64\",\"masquerade\":true}");
        state.apply(keys.pool(Cidr.parse("10.1.0.0/16")), "{\"cidr\":\"10.1.0.0/16\",\"masquerade\":true}");
        DesiredDataplane d = new Calculator(p -> {
                    throw new AssertionError(p);
                })
                .calculate(state, FelixConfig.defaults());
        NftRuleset want = new NftModel().build(d);
        NftState.Diff first = new NftState().diff(want);
        String ns = "n6-" + UUID.randomUUID().toString().substring(0, 6) + "-syn";
        Path f = Files.createTempFile("n6-syntax", ".nft");
        try {
            Sh.ok("ip", "netns", "add", ns);
            Files.writeString(f, first.script());
            Sh.ok("ip", "netns", "exec", ns, "nft", "-f", f.toString());
            String listed = Sh.ok("ip", "netns", "exec", ns, "nft", "list", "table", "inet", "calico");
            assertThat(listed)
                    .contains(
                            "chain cali-pri-p/6 {",
                            "meta nfproto ipv6 goto cali-pri-p/6",
                            "type filter hook prerouting priority raw - 5; policy accept;",
                            "iifname \"cali*\" fib saddr . iif oif missing counter packets 0 bytes 0 drop",
                            "ip6 saddr @cali6-masq-ipam-pools ip6 daddr != @cali6-all-ipam-pools masquerade",
                            "icmpv6 type nd-neighbor-solicit accept",
                            "type ipv6_addr");
            NftState read =
                    NftReadback.parse(Sh.ok("ip", "netns", "exec", ns, "nft", "-j", "list", "table", "inet", "calico"));
            assertThat(read.chains().keySet())
                    .containsExactlyInAnyOrderElementsOf(want.chains().keySet());
            assertThat(read.sets().get("cali6-t-p")).containsExactlyInAnyOrder("fd00:1::1", "fd00:1::2", "fd00:1::3");
            NftState.Diff again = read.diff(want);
            assertThat(again.script())
                    .as("read back then diffed: nothing to write")
                    .isEmpty();
            Sh.ok(
                    "ip",
                    "netns",
                    "exec",
                    ns,
                    "nft",
                    "add element inet calico cali4-all-ipam-pools { 192.0.2.0/24, "
                            + "198.51.100.7, 203.0.113.8-203.0.113.10, 255.255.255.0/24 }; add element inet calico "
                            + "cali-to-wl-map { \"cali9\" : accept }");
            NftState json =
                    NftReadback.parse(Sh.ok("ip", "netns", "exec", ns, "nft", "-j", "list", "table", "inet", "calico"));
            try (org.calicojava.netlink.NfTables nf =
                    org.calicojava.netlink.NetNs.run(ns, org.calicojava.netlink.NfTables::open)) {
                NftState netlink = NftReadback.from(nf.table(1, "calico"));
                assertThat(netlink.chains()).as("netlink read = nft -j read").isEqualTo(json.chains());
                assertThat(netlink.sets()).isEqualTo(json.sets());
                assertThat(netlink.maps().keySet()).isEqualTo(json.maps().keySet());
                assertThat(netlink.maps().get("cali-from-wl-map"))
                        .isEqualTo(json.maps().get("cali-from-wl-map"));
                assertThat(netlink.sets().get("cali4-all-ipam-pools"))
                        .containsExactlyInAnyOrder(
                                "10.1.0.0/16",
                                "192.0.2.0/24",
                                "198.51.100.7",
                                "203.0.113.8-203.0.113.10",
                                "255.255.255.0/24");
                assertThat(netlink.maps().get("cali-to-wl-map").get("cali9"))
                        .as("not a goto: differs from ours")
                        .isNotEqualTo(json.maps().get("cali-to-wl-map").get("cali1"));
                assertThat(netlink.diff(want).script())
                        .contains("cali4-all-ipam-pools", "cali-to-wl-map")
                        .doesNotContain("add chain");
            }
        } finally {
            Sh.run("ip", "netns", "delete", ns);
            Files.deleteIfExists(f);
        }
    }

    private static List<String> render(int version, String json) {
        return new RuleRenderer(version)
                .render(Json.read(json, org.calicojava.model.Rule.class)).stream()
                        .map(NftRuleRenderer::render)
                        .toList();
    }
}
