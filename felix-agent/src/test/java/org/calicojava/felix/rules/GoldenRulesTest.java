package org.calicojava.felix.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.calicojava.felix.nft.NftRuleRenderer;
import org.calicojava.model.Json;
import org.junit.jupiter.api.Test;

/**
 * Golden test of the typed rule model: every rule the producers ({@link RuleRenderer}, {@link EndpointChains},
 * {@link TierChains}, {@link StaticChains}, {@link DispatchTree}) make over the inputs of the rule tests renders to exactly the iptables
 * text and nft text captured from the string-based model before the migration ({@code golden/rules.txt}: one rule a
 * line, iptables text, a tab, nft text). {@code -Dgolden.write=true} rewrites the file.
 */
public class GoldenRulesTest {
    private static final String FILE = "golden/rules.txt";

    static final List<String> POLICY_RULES = List.of(
            "{}",
            "{\"action\":\"deny\"}",
            "{\"action\":\"log\"}",
            "{\"action\":\"next-tier\"}",
            "{\"action\":\"deny\",\"protocol\":\"tcp\"}",
            "{\"action\":\"deny\",\"protocol\":\"132\"}",
            "{\"action\":\"deny\",\"protocol\":\"58\"}",
            "{\"action\":\"deny\",\"protocol\":\"1\"}",
            "{\"action\":\"deny\",\"protocol\":\"sctp\"}",
            "{\"action\":\"deny\",\"!protocol\":\"udp\"}",
            "{\"action\":\"deny\",\"src_net\":\"10.0.0.0/8\"}",
            "{\"action\":\"deny\",\"!src_net\":\"10.0.0.0/8\"}",
            "{\"action\":\"deny\",\"dst_net\":\"10.1.2.3/32\"}",
            "{\"action\":\"deny\",\"!dst_net\":\"10.1.0.0/16\"}",
            "{\"action\":\"deny\",\"src_net\":\"fd00:10::/64\"}",
            "{\"action\":\"deny\",\"!src_net\":\"fd00:10::5/128\"}",
            "{\"action\":\"deny\",\"dst_net\":\"fd00:10::/64\",\"protocol\":\"tcp\"}",
            "{\"action\":\"deny\",\"!dst_net\":\"fd00::/8\"}",
            "{\"action\":\"deny\",\"protocol\":\"tcp\",\"dst_ports\":[80,\"8000:8080\"]}",
            "{\"action\":\"deny\",\"protocol\":\"udp\",\"src_ports\":[53]}",
            "{\"action\":\"deny\",\"protocol\":\"tcp\",\"!dst_ports\":[22]}",
            "{\"action\":\"deny\",\"protocol\":\"tcp\",\"!src_ports\":[1,\"5:9\"]}",
            "{\"action\":\"allow\",\"protocol\":\"tcp\",\"src_ports\":[1,2],\"dst_ports\":[3,\"4:5\"],"
                    + "\"!src_ports\":[7],\"!dst_ports\":[\"8:9\",10]}",
            "{\"action\":\"deny\",\"protocol\":\"tcp\",\"dst_ports\":[" + ports(20) + "]}",
            "{\"action\":\"deny\",\"protocol\":\"tcp\",\"!dst_ports\":[" + ports(31) + "]}",
            "{\"action\":\"next-tier\",\"protocol\":\"udp\",\"src_ports\":[" + ports(16) + "],\"dst_ports\":[\"1:2\","
                    + ports(14) + "]}",
            "{\"action\":\"deny\",\"protocol\":\"icmp\",\"icmp_type\":8}",
            "{\"action\":\"deny\",\"protocol\":\"icmp\",\"icmp_type\":3,\"icmp_code\":1}",
            "{\"action\":\"deny\",\"protocol\":\"icmp\",\"!icmp_type\":0}",
            "{\"action\":\"deny\",\"protocol\":\"icmp\",\"!icmp_type\":8,\"!icmp_code\":0}",
            "{\"action\":\"deny\",\"protocol\":\"icmpv6\"}",
            "{\"action\":\"deny\",\"protocol\":\"icmpv6\",\"icmp_type\":128}",
            "{\"action\":\"deny\",\"protocol\":\"icmpv6\",\"icmp_type\":1,\"icmp_code\":4}",
            "{\"action\":\"deny\",\"protocol\":\"icmpv6\",\"!icmp_type\":128}",
            "{\"action\":\"deny\",\"protocol\":\"icmpv6\",\"!icmp_type\":128,\"!icmp_code\":0}",
            "{\"action\":\"deny\",\"src_tag\":\"web\"}",
            "{\"action\":\"deny\",\"!src_tag\":\"web\"}",
            "{\"action\":\"deny\",\"dst_tag\":\"db\"}",
            "{\"action\":\"deny\",\"!dst_tag\":\"db\"}",
            "{\"action\":\"deny\",\"src_selector\":\"role == 'db'\"}",
            "{\"action\":\"deny\",\"!src_selector\":\"role == 'db'\"}",
            "{\"action\":\"deny\",\"dst_selector\":\"role == 'db'\"}",
            "{\"action\":\"deny\",\"!dst_selector\":\"role == 'db'\"}",
            "{\"action\":\"deny\",\"src_net\":\"fd00::/8\",\"dst_tag\":\"db\"}",
            "{\"protocol\":\"icmpv6\",\"icmp_type\":128,\"src_selector\":\"has(x)\"}",
            "{\"protocol\":\"tcp\",\"src_net\":\"10.0.0.0/8\",\"dst_ports\":[443]}",
            "{\"action\":\"log\",\"protocol\":\"udp\",\"!src_tag\":\"a\",\"dst_selector\":\"all()\",\"dst_ports\":[53]}");

    private static String ports(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    /** Every rule of the corpus: the producers over the rule tests' inputs. */
    public static List<Rule> corpus() {
        List<Rule> out = new ArrayList<>();
        for (int v : new int[] {4, 6}) {
            RuleRenderer r = new RuleRenderer(v);
            for (String json : POLICY_RULES) {
                out.addAll(r.render(Json.read(json, org.calicojava.model.Rule.class)));
            }
            for (String action : List.of("DROP", "ACCEPT", "RETURN", "drop")) {
                StaticChains.filter(v, "cali", action).forEach(c -> out.addAll(c.rules()));
            }
            StaticChains.filter(v, "tap", "RETURN").forEach(c -> out.addAll(c.rules()));
            StaticChains.nat(v).forEach(c -> out.addAll(c.rules()));
        }
        StaticChains.hooks().forEach(h -> out.add(h.rule()));
        StaticChains.raw("cali").forEach(c -> out.addAll(c.rules()));
        StaticChains.raw("tap").forEach(c -> out.addAll(c.rules()));
        for (int v : new int[] {4, 6}) {
            String a = "cali" + v + "-s-JagxTFX-YkWVyoC8GnqN";
            String b = "cali" + v + "-s-XEV7lNkbeJSP8ferKdvh";
            List<TierChains.Tier> tiers = List.of(
                    new TierChains.Tier(
                            "default",
                            List.of(
                                    new TierChains.Applied("default.p1", "p1", a),
                                    new TierChains.Applied("default.p2", "p2", b))),
                    new TierChains.Tier("empty", List.of()),
                    new TierChains.Tier("t2", List.of(new TierChains.Applied("t2.x.y", "x.y", a))));
            TierChains.inbound(tiers).forEach(c -> out.addAll(c.rules()));
            TierChains.outbound(tiers).forEach(c -> out.addAll(c.rules()));
        }
        for (String iface : List.of("cali1", "cali12345678901", "tap0")) {
            out.addAll(EndpointChains.toWorkload(iface, List.of("prof1", "kns.default"))
                    .rules());
            out.addAll(EndpointChains.fromWorkload(iface, List.of()).rules());
            out.addAll(EndpointChains.fromWorkload(iface, List.of("p")).rules());
        }
        List<String> ifaces = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            ifaces.add("cali" + Integer.toHexString(i * 2654435 & 0xffffff));
        }
        ifaces.add("cali");
        ifaces.add("tap1");
        StaticChains.dispatch(ifaces).forEach(c -> out.addAll(c.rules()));
        StaticChains.dispatch(List.of("cali1", "cali2")).forEach(c -> out.addAll(c.rules()));
        for (DispatchTree t : List.of(DispatchTree.from(), DispatchTree.to())) {
            Map<String, Chain> changed = new HashMap<>();
            t.update(ifaces.subList(0, 60), List.of(), changed, new ArrayList<>());
            t.update(ifaces.subList(60, 92), ifaces.subList(0, 10), changed, new ArrayList<>());
            t.chains().forEach(c -> out.addAll(c.rules()));
        }
        return out;
    }

    static List<String> lines() {
        return corpus().stream()
                .map(r -> r.text() + "\t" + NftRuleRenderer.render(r))
                .distinct()
                .toList();
    }

    @Test
    void typedRulesRenderAsBeforeTheMigration() throws IOException {
        List<String> now = lines();
        if (Boolean.getBoolean("golden.write")) {
            Path p = Path.of("src/test/resources", FILE);
            Files.write(p, now, StandardCharsets.UTF_8);
        }
        try (var in = GoldenRulesTest.class.getClassLoader().getResourceAsStream(FILE)) {
            assertThat(in).as(FILE).isNotNull();
            List<String> golden = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            assertThat(now).hasSize(golden.size());
            assertThat(now).containsExactlyElementsOf(golden);
        }
    }
}
