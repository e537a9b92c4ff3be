package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.EndpointKey;
import org.calicojava.felix.calc.IpSetSpec;
import org.calicojava.felix.rules.Chain;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.EndpointChains;
import org.calicojava.felix.rules.RestoreScript;
import org.calicojava.felix.rules.RuleRenderer;
import org.calicojava.felix.rules.StaticChains;
import org.calicojava.felix.rules.TierChains;
import org.calicojava.felix.rules.TierPolicies;
import org.calicojava.model.PortRange;
import org.calicojava.model.Rule;
import org.junit.jupiter.api.Test;

/**
 * Tier, policy and profile names as an attacker with one etcd key would write them: the chain names derived from them
 * never throw, stay in the safe set, are distinct, and the iptables-restore and nft scripts built with them keep one
 * line per rule and name only our chains and our table.
 */
class HostileNamesTest {
    static final List<String> HOSTILE = List.of(
            "\tF\tC\nCOMMIT\n#",
            "a b",
            "x;y",
            "}",
            "{",
            "\"q\"",
            "'",
            "#",
            "a\nb",
            "a\rb",
            "COMMIT",
            "-j ACCEPT",
            "x".repeat(300),
            "é名前",
            "\u0000",
            "\u2028",
            "$(reboot)",
            "`id`",
            "a/b",
            "..",
            "",
            " ",
            "cali*",
            "@set");
    private static final Pattern CHAIN = Pattern.compile("cali-[A-Za-z0-9_.\\-]{1,23}");
    private static final Pattern SET = Pattern.compile("cali4-t-[A-Za-z0-9_.\\-]{1,23}");

    @Test
    void derivedNamesNeverThrowAndStayInTheSafeSet() {
        Set<String> seen = new HashSet<>();
        for (String name : HOSTILE) {
            String pi = ChainNames.of(ChainNames.POLICY_IN, TierPolicies.policyId("tier", name));
            String pri = ChainNames.of(ChainNames.PROFILE_IN, name);
            String set = ChainNames.tagSet(4, name);
            assertThat(pi).matches(CHAIN).hasSizeLessThanOrEqualTo(ChainNames.MAX_LENGTH);
            assertThat(pri).matches(CHAIN).hasSizeLessThanOrEqualTo(ChainNames.MAX_LENGTH);
            assertThat(set).matches(SET).hasSizeLessThanOrEqualTo(ChainNames.IPSET_MAX_LENGTH);
            assertThat(seen.add(pi)).as("distinct: %s", pi).isTrue();
            assertThat(seen.add(pri)).as("distinct: %s", pri).isTrue();
            new Chain(pi, List.of()); // a valid chain name
        }
    }

    /** The chains an endpoint with a hostile policy and profile gets, as the calculator makes them. */
    private static Map<String, Chain> filter(String name) {
        Map<String, Chain> filter = new HashMap<>();
        StaticChains.filter(4, "cali", "DROP").forEach(c -> filter.put(c.name(), c));
        List<TierChains.Tier> tiers = List.of(new TierChains.Tier(
                name,
                List.of(new TierChains.Applied(TierPolicies.policyId(name, name), name, "cali4-all-ipam-pools"))));
        List<Chain> chains = new java.util.ArrayList<>(TierChains.inbound(tiers));
        chains.addAll(TierChains.outbound(tiers));
        chains.add(EndpointChains.toWorkload("cali1", List.of(name)));
        chains.add(EndpointChains.fromWorkload("cali1", List.of(name)));
        for (Chain c : chains) {
            filter.put(c.name(), c);
        }
        Rule.Builder b = Rule.builder();
        b.protocol = "tcp";
        b.dstPorts = List.of(new PortRange(80, 80), new PortRange(1000, 2000));
        List<Rule> rules = List.of(b.build(), Rule.builder().build());
        RuleRenderer r = new RuleRenderer(4);
        for (String prefix : List.of(ChainNames.POLICY_IN, ChainNames.POLICY_OUT)) {
            String chain = ChainNames.of(prefix, TierPolicies.policyId(name, name));
            filter.put(chain, r.chain(chain, rules, p -> {}));
        }
        for (String prefix : List.of(ChainNames.PROFILE_IN, ChainNames.PROFILE_OUT)) {
            String chain = ChainNames.of(prefix, name);
            filter.put(chain, r.chain(chain, rules, p -> {}));
        }
        return filter;
    }

    @Test
    void restoreScriptKeepsOneLinePerRuleAndNamesOnlyOurChains() {
        Pattern declare = Pattern.compile(":cali-[A-Za-z0-9_.\\-]{1,23} - \\[0:0\\]");
        Pattern rule = Pattern.compile(
                "-A cali-[A-Za-z0-9_.\\-]{1,23} -m comment --comment \"cali:[A-Za-z0-9_\\-]{16}\""
                        + "[A-Za-z0-9 _.:,/+!\\-]*( -[jg] (cali-[A-Za-z0-9_.\\-]{1,23}|ACCEPT|DROP|RETURN|MARK --set-xmark [0-9a-fx/]+))");
        for (String name : HOSTILE) {
            Map<String, Chain> filter = filter(name);
            StaticChains.dispatch(List.of("cali1")).forEach(c -> filter.put(c.name(), c)); // as iptables writes it
            RestoreScript s = new RestoreScript("filter");
            int rules = 0;
            for (Chain c : filter.values()) {
                s.write(c);
                rules += c.rules().size();
            }
            List<String> lines = s.text().lines().toList();
            assertThat(lines.get(0)).isEqualTo("*filter");
            assertThat(lines.get(lines.size() - 1)).isEqualTo("COMMIT");
            assertThat(lines.stream().filter(l -> l.equals("COMMIT"))).hasSize(1);
            List<String> middle = lines.subList(1, lines.size() - 1);
            assertThat(middle.stream().filter(l -> l.startsWith(":")))
                    .hasSize(filter.size())
                    .allSatisfy(l -> assertThat(l).matches(declare));
            assertThat(middle.stream().filter(l -> !l.startsWith(":")))
                    .hasSize(rules)
                    .allSatisfy(l -> assertThat(l).matches(rule));
        }
    }

    @Test
    void nftScriptKeepsOneCommandPerLineInOurTableOnly() {
        Pattern line = Pattern.compile("(add table inet calico"
                + "|add (set|map) inet calico [a-z0-9\\-]+ \\{ [a-z0-9_ :;=\\-]+ "
                + "(\\{ ([0-9./, ]+|(\"[A-Za-z0-9_.\\-]+\" : goto cali-[A-Za-z0-9_.\\-]+(, )?)+) \\}; )?\\}"
                + "|add chain inet calico [A-Za-z0-9_./\\-]+( \\{ [^#\\n\"]*( \"[A-Za-z0-9_.:*+ \\-]*\"[^#\\n\"]*)*\\})?"
                + "|flush chain inet calico [A-Za-z0-9_./\\-]+"
                + "|add rule inet calico [A-Za-z0-9_./\\-]+ [^#;\\n\"]*( \"[A-Za-z0-9_.:*+ \\-]*\"[^#;\\n\"]*)*)");
        NftModel model = new NftModel();
        for (String name : HOSTILE) {
            Map<String, Chain> filter = filter(name);
            Map<String, IpSetSpec> sets =
                    Map.of("cali4-all-ipam-pools", new IpSetSpec("cali4-all-ipam-pools", 4, Set.of("10.65.0.0/16")));
            DesiredDataplane d = new DesiredDataplane(
                    Map.of(),
                    Map.of("cali1", new EndpointKey("h1", "k8s", "w", "eth0")),
                    filter,
                    Map.of(),
                    sets,
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    Map.of());
            String script = new NftState().diff(model.build(d)).script();
            assertThat(script).doesNotContain("#").doesNotContain("\r");
            assertThat(script.lines()).allSatisfy(l -> assertThat(l).matches(line));
            assertThat(script.lines().filter(l -> l.startsWith("add table"))).containsExactly("add table inet calico");
        }
    }
}
