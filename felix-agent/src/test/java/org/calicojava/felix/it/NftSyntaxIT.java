package org.calicojava.felix.it;

import org.calicojava.felix.rules.Rule;
import org.calicojava.felix.rules.RuleRenderer;
import org.calicojava.model.Json;
import org.calicojava.felix.nft.NftRuleRenderer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every rule field, rendered through the rule model and the nft renderer (IPv4 and IPv6, each negation), loaded by
 * the real nft into a table in a namespace of its own: the kernel accepts each statement and lists it back.
 */
class NftSyntaxIT {
    static final List<String> V4 = List.of("{}", "{\"action\":\"deny\"}", "{\"action\":\"log\"}",
            "{\"action\":\"next-tier\"}", "{\"protocol\":\"tcp\"}", "{\"protocol\":\"132\"}", "{\"!protocol\":\"udp\"}",
            "{\"src_net\":\"10.0.0.0/8\"}", "{\"!src_net\":\"10.0.0.0/8\"}", "{\"dst_net\":\"10.1.2.3/32\"}",
            "{\"!dst_net\":\"10.1.0.0/16\"}", "{\"protocol\":\"tcp\",\"dst_ports\":[80,\"8000:8080\"]}",
            "{\"protocol\":\"udp\",\"src_ports\":[53]}", "{\"protocol\":\"sctp\",\"!dst_ports\":[22]}",
            "{\"protocol\":\"udplite\",\"!src_ports\":[1,\"5:9\"]}", "{\"protocol\":\"icmp\",\"icmp_type\":8}",
            "{\"protocol\":\"icmp\",\"icmp_type\":3,\"icmp_code\":1}", "{\"protocol\":\"icmp\",\"!icmp_type\":0}",
            "{\"protocol\":\"icmp\",\"!icmp_type\":8,\"!icmp_code\":0}", "{\"src_tag\":\"web\"}", "{\"!src_tag\":\"web\"}",
            "{\"dst_tag\":\"web\"}", "{\"!dst_tag\":\"web\"}", "{\"src_selector\":\"role == 'db'\"}",
            "{\"!dst_selector\":\"role == 'db'\"}");
    static final List<String> V6 = List.of("{\"protocol\":\"icmpv6\",\"icmp_type\":128}",
            "{\"protocol\":\"icmpv6\",\"!icmp_type\":128,\"!icmp_code\":0}", "{\"!src_net\":\"fd00::/64\",\"dst_tag\":\"web\"}",
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
            statements.add(NftRuleRenderer.render(new Rule("-m mark --mark 0x0/0x20000", "-j cali-pi-t.p", null)));
            statements.add(NftRuleRenderer.render(new Rule("-i cali+", "-g cali-pi-t.p", null)));
            statements.add(NftRuleRenderer.render(new Rule("-m conntrack --ctstate RELATED,ESTABLISHED", "-j ACCEPT", null)));
            for (String st : statements) {
                s.append("add rule inet calico cali-test ").append(st).append('\n');
            }
            Files.writeString(f, s.toString());
            Sh.ok("ip", "netns", "exec", ns, "nft", "-f", f.toString());
            String listed = Sh.ok("ip", "netns", "exec", ns, "nft", "list", "chain", "inet", "calico", "cali-test");
            long rules = listed.lines().filter(l -> l.startsWith("\t\t")).count();
            assertThat(rules).as(listed).isEqualTo(statements.size());
            assertThat(listed).contains("ip saddr != @cali4-t-web", "log prefix \"calico-packet: \"",
                    "ip6 saddr != fd00::/64", "ip6 daddr @cali6-t-web", "goto cali-pi-t.p");
        } finally {
            Sh.run("ip", "netns", "delete", ns);
            Files.deleteIfExists(f);
        }
    }

    private static List<String> render(int version, String json) {
        return new RuleRenderer(version).render(Json.read(json, org.calicojava.model.Rule.class)).stream()
                .map(NftRuleRenderer::render).toList();
    }
}
