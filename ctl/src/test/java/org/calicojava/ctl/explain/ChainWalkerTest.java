package org.calicojava.ctl.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.calc.IpSetSpec;
import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.EndpointChains;
import org.calicojava.felix.rules.Match;
import org.calicojava.felix.rules.Rule;
import org.calicojava.felix.rules.RuleRenderer;
import org.calicojava.felix.rules.TierChains;
import org.calicojava.felix.rules.TierPolicies;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The walker against rules rendered by felix's own RuleRenderer and EndpointChains. */
class ChainWalkerTest {
    static final String CLIENTS = ChainNames.selectorSet(4, "role == \"client\"");

    static Flow tcp(String src, String dst, int port) {
        return new Flow(Cidr.host(src), Cidr.host(dst), 6, 40000, port, 0, 0);
    }

    static Flow icmp(String src, String dst, int type) {
        return new Flow(Cidr.host(src), Cidr.host(dst), 1, 0, 0, type, 0);
    }

    /** Whether felix's rendering of the v1 rule (JSON) matches the flow, as the walker reads it. */
    static boolean matches(String ruleJson, Flow f) {
        org.calicojava.model.Rule r = Json.read(ruleJson, org.calicojava.model.Rule.class);
        Map<String, IpSetSpec> sets = Map.of(CLIENTS, new IpSetSpec(CLIENTS, 4, Set.of("10.0.0.2/32", "10.0.9.0/24")));
        ChainWalker w = new ChainWalker(Map.of(), sets, f);
        List<Rule> rendered = new RuleRenderer(4).render(r);
        return rendered.stream().anyMatch(x -> x.action() != Action.Verdict.RETURN && w.matches(x.matches()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"protocol":"tcp","dst_ports":[80]}                       | 80   | true
            {"protocol":"tcp","dst_ports":[80]}                       | 81   | false
            {"protocol":"tcp","dst_ports":["8000:8080"]}              | 8080 | true
            {"protocol":"tcp","!dst_ports":[22]}                      | 22   | false
            {"protocol":"tcp","!dst_ports":[22]}                      | 23   | true
            {"protocol":"udp"}                                        | 80   | false
            {"!protocol":"udp"}                                       | 80   | true
            {"src_net":"10.0.0.0/24"}                                 | 80   | true
            {"!src_net":"10.0.0.0/24"}                                | 80   | false
            {"dst_net":"10.1.0.0/16"}                                 | 80   | true
            {"src_selector":"role == 'client'"}                       | 80   | true
            {"!src_selector":"role == 'client'"}                      | 80   | false
            {"dst_selector":"role == 'client'"}                       | 80   | false
            {"protocol":"tcp","src_ports":[40000],"dst_ports":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,80]} | 80 | true
            """)
    void felixRenderedMatchesAreEvaluated(String rule, int port, boolean expected) {
        assertThat(matches(rule, tcp("10.0.0.2", "10.1.0.5", port))).as(rule).isEqualTo(expected);
    }

    @Test
    void icmpTypeAndCode() {
        assertThat(matches("{\"protocol\":\"icmp\",\"icmp_type\":8}", icmp("10.0.0.2", "10.1.0.5", 8)))
                .isTrue();
        assertThat(matches("{\"protocol\":\"icmp\",\"icmp_type\":8,\"icmp_code\":1}", icmp("10.0.0.2", "10.1.0.5", 8)))
                .isFalse();
        assertThat(matches("{\"protocol\":\"icmp\",\"!icmp_type\":8}", icmp("10.0.0.2", "10.1.0.5", 8)))
                .isFalse();
        assertThat(matches("{\"protocol\":\"tcp\",\"dst_ports\":[80]}", icmp("10.0.0.2", "10.1.0.5", 8)))
                .isFalse();
    }

    static final String WEB = ChainNames.selectorSet(4, "role == \"web\"");
    static final Map<String, IpSetSpec> WEB_SET = Map.of(WEB, new IpSetSpec(WEB, 4, Set.of("10.1.0.5/32")));

    /** The chains as felix builds them: the tier dispatch with a policy for role web, then the endpoint's profile. */
    static Map<String, Chain> chains(String policyRule, String profileRule) {
        RuleRenderer r = new RuleRenderer(4);
        String pid = TierPolicies.policyId("security", "web-in");
        Map<String, Chain> m = new HashMap<>();
        m.put(
                ChainNames.of(ChainNames.POLICY_IN, pid),
                r.chain(
                        ChainNames.of(ChainNames.POLICY_IN, pid),
                        List.of(Json.read(policyRule, org.calicojava.model.Rule.class)),
                        s -> {}));
        m.put(
                ChainNames.of(ChainNames.PROFILE_IN, "web"),
                r.chain(
                        ChainNames.of(ChainNames.PROFILE_IN, "web"),
                        List.of(Json.read(profileRule, org.calicojava.model.Rule.class)),
                        s -> {}));
        Chain tw = EndpointChains.toWorkload("cali1", List.of("web"));
        m.put(tw.name(), tw);
        TierChains.inbound(
                        List.of(new TierChains.Tier("security", List.of(new TierChains.Applied(pid, "web-in", WEB)))))
                .forEach(c -> m.put(c.name(), c));
        return m;
    }

    @Test
    void tiersPassAndProfilesDecideAsFelixChainsDo() {
        Map<String, IpSetSpec> sets = WEB_SET;
        Flow f = tcp("10.0.0.2", "10.1.0.5", 80);
        ChainWalker.Result allow = new ChainWalker(
                        chains("{\"action\":\"allow\",\"protocol\":\"tcp\"}", "{\"action\":\"deny\"}"), sets, f)
                .walk("cali-tiers-in", "cali-tw-cali1");
        assertThat(allow.verdict()).isEqualTo("RETURN");
        assertThat(allow.mark() & 0x10000).isNotZero();
        ChainWalker.Result endOfTier = new ChainWalker(
                        chains("{\"action\":\"allow\",\"protocol\":\"udp\"}", "{\"action\":\"allow\"}"), sets, f)
                .walk("cali-tiers-in", "cali-tw-cali1");
        assertThat(endOfTier.verdict()).isEqualTo("DROP");
        assertThat(endOfTier.steps().get(endOfTier.steps().size() - 1).rule().comment())
                .isEqualTo("drop if no policy in tier passed");
        ChainWalker.Result passed = new ChainWalker(
                        chains("{\"action\":\"next-tier\"}", "{\"action\":\"allow\"}"), sets, f)
                .walk("cali-tiers-in", "cali-tw-cali1");
        assertThat(passed.verdict()).isEqualTo("RETURN");
        assertThat(passed.steps())
                .anyMatch(s -> "allow".equals(s.rule().comment())
                        && s.chain().equals(ChainNames.of(ChainNames.PROFILE_IN, "web")));
        ChainWalker.Result denied = new ChainWalker(
                        chains("{\"action\":\"next-tier\"}", "{\"action\":\"deny\"}"), sets, f)
                .walk("cali-tiers-in", "cali-tw-cali1");
        assertThat(denied.verdict()).isEqualTo("DROP");
        ChainWalker.Result notSelected = new ChainWalker(
                        chains("{\"action\":\"deny\"}", "{\"action\":\"allow\"}"),
                        sets,
                        tcp("10.0.0.2", "10.1.0.6", 80))
                .walk("cali-tiers-in", "cali-tw-cali1");
        assertThat(notSelected.verdict()).as("the policy selects 10.1.0.5 only").isEqualTo("RETURN");
        assertThat(notSelected.mark() & 0x10000).isNotZero();
    }

    @Test
    void aMatchItCannotEvaluateIsAnErrorNotAGuess() {
        ChainWalker w = new ChainWalker(Map.of(), Map.of(), tcp("10.0.0.2", "10.1.0.5", 80));
        assertThatThrownBy(() -> w.matches(List.of(new Match.Iface(true, "cali1", false))))
                .hasMessageContaining("cannot evaluate match Iface");
        assertThatThrownBy(() -> new ChainWalker(Map.of(), Map.of(), tcp("10.0.0.2", "10.1.0.5", 80)).walk("cali-tw-x"))
                .hasMessage("chain cali-tw-x is not in felix's calculation");
    }
}
