package org.calicojava.felix.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChainsTest {
    @Test
    void toWorkloadChainReturnsWhenATierAcceptedThenProfilesAndFinalDrop() {
        Chain c = EndpointChains.toWorkload("cali1234567890a", List.of("prof"));
        assertThat(c.name()).isEqualTo("cali-tw-cali1234567890a");
        assertThat(c.rules())
                .extracting(Rule::text)
                .containsExactly(
                        "-m mark --mark 0x10000/0x10000 -j RETURN",
                        "-j cali-pri-prof",
                        "-m mark --mark 0x10000/0x10000 -j RETURN",
                        "-j DROP");
    }

    @Test
    void fromWorkloadUsesOutboundChains() {
        Chain c = EndpointChains.fromWorkload("caliX", List.of("a"));
        assertThat(c.name()).isEqualTo("cali-fw-caliX");
        assertThat(c.rules()).extracting(Rule::text).contains("-j cali-pro-a");
    }

    @Test
    void tierChainsDispatchThroughEachPolicysSelectorSet() {
        List<Chain> in = TierChains.inbound(List.of(
                new TierChains.Tier(
                        "t1",
                        List.of(
                                new TierChains.Applied("t1.p1", "p1", "cali4-s-one"),
                                new TierChains.Applied("t1.p2", "p2", "cali4-s-two"))),
                new TierChains.Tier("empty", List.of())));
        assertThat(in).extracting(Chain::name).containsExactly("cali-tiers-in", "cali-ti-t1");
        assertThat(in.get(0).rules())
                .extracting(Rule::text)
                .containsExactly(
                        "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                        "-m conntrack --ctstate INVALID -j DROP",
                        "-j MARK --set-xmark 0x0/0x70000",
                        "-j MARK --set-xmark 0x0/0x60000",
                        "-j cali-ti-t1",
                        "-m mark --mark 0x10000/0x10000 -j RETURN",
                        "-m mark --mark 0x40000/0x60000 -j DROP",
                        "-j MARK --set-xmark 0x0/0x60000");
        assertThat(in.get(1).rules())
                .extracting(Rule::text)
                .containsExactly(
                        "-m set --match-set cali4-s-one dst -j MARK --set-xmark 0x40000/0x40000",
                        "-m set --match-set cali4-s-one dst -m mark --mark 0x0/0x30000 -j cali-pi-t1.p1",
                        "-m set --match-set cali4-s-two dst -j MARK --set-xmark 0x40000/0x40000",
                        "-m set --match-set cali4-s-two dst -m mark --mark 0x0/0x30000 -j cali-pi-t1.p2");
        List<Chain> out = TierChains.outbound(
                List.of(new TierChains.Tier("t", List.of(new TierChains.Applied("t.p", "p", "cali6-s-x")))));
        assertThat(out).extracting(Chain::name).containsExactly("cali-tiers-out", "cali-te-t");
        assertThat(out.get(1).rules())
                .extracting(Rule::text)
                .contains("-m set --match-set cali6-s-x src -m mark --mark 0x0/0x30000 -j cali-po-t.p");
        assertThat(TierChains.inbound(List.of()).get(0).rules()).hasSize(3);
    }

    @Test
    void longNamesAreCutToTwentyEightWithAHashTail() {
        String a = ChainNames.of("cali-pi-", "a-very-long-tier-name.and-a-long-policy-name");
        String b = ChainNames.of("cali-pi-", "a-very-long-tier-name.and-another-policy");
        assertThat(a).hasSize(28).startsWith("cali-pi-a-very-lo").isNotEqualTo(b);
        assertThat(b).hasSize(28);
        assertThat(ChainNames.of("cali-pi-", "short.p")).isEqualTo("cali-pi-short.p");
        assertThat(ChainNames.tagSet(4, "x".repeat(40))).hasSize(31);
        assertThatThrownBy(() -> new Chain("INPUT", List.of())).hasMessageContaining("expected: cali-");
    }

    @Test
    void staticChainsAndDispatch() {
        List<Chain> f = StaticChains.filter(4, "cali", "drop");
        assertThat(f)
                .extracting(Chain::name)
                .containsExactly(
                        "cali-INPUT",
                        "cali-wl-to-host",
                        "cali-FORWARD",
                        "cali-OUTPUT",
                        "cali-tiers-in",
                        "cali-tiers-out");
        assertThat(f.get(1).rules())
                .extracting(Rule::text)
                .containsExactly("-j cali-tiers-out", "-j cali-from-wl-dispatch", "-j DROP");
        assertThat(f.get(2).rules())
                .extracting(Rule::text)
                .containsExactly(
                        "-i cali+ -j cali-tiers-out",
                        "-i cali+ -j cali-from-wl-dispatch",
                        "-o cali+ -j cali-tiers-in",
                        "-o cali+ -j cali-to-wl-dispatch",
                        "-i cali+ -j ACCEPT",
                        "-o cali+ -j ACCEPT");
        assertThat(f.get(0).rules()).extracting(Rule::text).containsExactly("-i cali+ -g cali-wl-to-host");
        List<Chain> d = StaticChains.dispatch(List.of("cali1", "cali2"));
        assertThat(d).extracting(Chain::name).containsExactly("cali-to-wl-dispatch", "cali-from-wl-dispatch");
        d = List.of(d.get(1), d.get(0));
        assertThat(d.get(0).rules())
                .extracting(Rule::text)
                .containsExactly("-i cali1 -g cali-fw-cali1", "-i cali2 -g cali-fw-cali2", "-j DROP");
        assertThat(d.get(1).rules())
                .extracting(Rule::text)
                .containsExactly("-o cali1 -g cali-tw-cali1", "-o cali2 -g cali-tw-cali2", "-j DROP");
        assertThat(StaticChains.nat(4).get(1).rules())
                .extracting(Rule::text)
                .containsExactly(
                        "-m set --match-set cali4-masq-ipam-pools src -m set ! --match-set cali4-all-ipam-pools dst -j MASQUERADE");
        assertThatThrownBy(() -> StaticChains.filter(4, "cali", "reject"))
                .hasMessage("DefaultEndpointToHostAction: 'reject' (expected: DROP, ACCEPT or RETURN)");
    }

    @Test
    void manyInterfacesSplitDispatchIntoATreeByNameCharacters() {
        List<String> ifaces = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ifaces.add(String.format("cali%011x", i * 7919L));
        }
        List<Chain> d = StaticChains.dispatch(ifaces);
        java.util.Map<String, Chain> byName = new java.util.HashMap<>();
        d.forEach(c -> byName.put(c.name(), c));
        assertThat(d)
                .allSatisfy(c -> assertThat(c.rules().size()).isLessThanOrEqualTo(StaticChains.DISPATCH_LEAF_MAX + 17));
        assertThat(d).allSatisfy(c -> assertThat(c.name().length()).isLessThanOrEqualTo(28));
        // every interface is reachable from the root through prefix matches, ending in its own chain
        for (String i : ifaces) {
            String chain = "cali-from-wl-dispatch";
            for (int hops = 0; hops < 10; hops++) {
                Rule hit = byName.get(chain).rules().stream()
                        .filter(r -> !r.matches().isEmpty()
                                && r.matches().get(0) instanceof Match.Iface f
                                && f.in()
                                && (f.name().equals(i) || f.wildcard() && i.startsWith(f.stem())))
                        .findFirst()
                        .orElseThrow();
                chain = ((Action.Goto) hit.action()).chain();
                if (!chain.contains("dispatch")) {
                    break;
                }
            }
            assertThat(chain).isEqualTo("cali-fw-" + i);
        }
        assertThat(byName.get("cali-from-wl-dispatch").rules())
                .last()
                .extracting(Rule::text)
                .isEqualTo("-j DROP");
    }

    private static final Rule TCP_ACCEPT = Rule.of(Action.Verdict.ACCEPT, new Match.Protocol("tcp", false));

    @Test
    void restoreScriptRewritesDeclaredChainsAndDeletesAfterwards() {
        RestoreScript s = new RestoreScript("filter");
        List<String> h = s.write(new Chain("cali-x", List.of(TCP_ACCEPT, Rule.of(Action.Verdict.DROP))));
        s.delete(List.of("cali-old"));
        s.insertHook("INPUT", Rule.of(new Action.Jump("cali-INPUT")));
        String hook = RestoreScript.hookHash("INPUT", Rule.of(new Action.Jump("cali-INPUT")));
        assertThat(s.text())
                .isEqualTo("*filter\n:cali-x - [0:0]\n:cali-old - [0:0]\n"
                        + "-A cali-x -m comment --comment \"cali:" + h.get(0) + "\" -p tcp -j ACCEPT\n"
                        + "-A cali-x -m comment --comment \"cali:" + h.get(1) + "\" -j DROP\n"
                        + "-I INPUT 1 -m comment --comment \"cali:" + hook + "\" -j cali-INPUT\n"
                        + "-X cali-old\nCOMMIT\n");
        assertThat(h.get(0)).isNotEqualTo(h.get(1)).hasSize(16);
    }

    @Test
    void ruleHashesDependOnChainOrderAndText() {
        Rule a = TCP_ACCEPT;
        Rule b = Rule.of(Action.Verdict.DROP);
        assertThat(Hashes.ruleHashes(new Chain("cali-x", List.of(a, b))))
                .isNotEqualTo(Hashes.ruleHashes(new Chain("cali-x", List.of(b, a))))
                .isNotEqualTo(Hashes.ruleHashes(new Chain("cali-y", List.of(a, b))))
                .isEqualTo(Hashes.ruleHashes(new Chain("cali-x", List.of(a, b))));
    }

    @Test
    void savedTableReadsOurChainsAndHookHashes() {
        String save = """
                # Generated by iptables-save
                *nat
                :cali-POSTROUTING - [0:0]
                -A cali-POSTROUTING -m comment --comment "cali:natHash" -j cali-nat-outgoing
                COMMIT
                *filter
                :INPUT ACCEPT [0:0]
                :cali-empty - [0:0]
                :cali-x - [0:0]
                -A INPUT -m comment --comment "cali:hookA" -j cali-INPUT
                -A INPUT -p tcp -j ACCEPT
                -A cali-x -m comment --comment cali:h1 -p tcp -j ACCEPT
                -A cali-x -j DROP
                COMMIT
                """;
        SavedTable t = SavedTable.parse(save, "filter");
        assertThat(t.chains()).containsOnlyKeys("cali-empty", "cali-x");
        assertThat(t.chains().get("cali-x")).containsExactly("h1", null);
        assertThat(t.builtin()).containsOnlyKeys("INPUT");
        assertThat(t.builtin().get("INPUT"))
                .containsExactly(
                        new SavedTable.Hooked("hookA", "-m comment --comment \"cali:hookA\" -j cali-INPUT", 0));
    }

    @Test
    void noNameWrittenInFullIsAnotherNamesShortForm() {
        String shortened = ChainNames.of(ChainNames.PROFILE_IN, "frontend-production-web");
        assertThat(shortened).hasSize(ChainNames.MAX_LENGTH).startsWith("cali-pri-frontend");
        // a profile named exactly as that short form (letters, digits, '_', '-': a valid name) gets another chain
        String literal = shortened.substring(ChainNames.PROFILE_IN.length());
        assertThat(ChainNames.of(ChainNames.PROFILE_IN, literal)).isNotEqualTo(shortened);
        // the same for tag ipsets, whose limit is 31
        String set = ChainNames.tagSet(4, "a-tag-name-longer-than-the-limit");
        assertThat(ChainNames.tagSet(4, set.substring("cali4-t-".length()))).isNotEqualTo(set);
        // names in full stay readable below the limit; a short unsafe name is padded to the limit
        assertThat(ChainNames.of(ChainNames.PROFILE_IN, "web")).isEqualTo("cali-pri-web");
        assertThat(ChainNames.of(ChainNames.PROFILE_IN, "a b")).hasSize(ChainNames.MAX_LENGTH);
    }

    @Test
    void aTiersPoliciesCannotShareAChainWithAnotherTiersThroughADot() {
        // tier "a" with policy "b.c" and tier "a.b" with policy "c" would both be "a.b.c": a tier has no dot
        assertThatThrownBy(() -> org.calicojava.model.Names.check("tier", "a.b"))
                .hasMessageContaining("tier name: \"a.b\"");
        assertThat(org.calicojava.model.Names.check("policy", "b.c")).isEqualTo("b.c");
        assertThat(TierPolicies.policyId("a", "b.c")).isEqualTo("a.b.c");
    }
}
