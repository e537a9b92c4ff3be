package org.calicojava.felix.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.calicojava.felix.dataplane.IptablesCommands;
import org.junit.jupiter.api.Test;

class StaticChainsV6Test {
    private static List<String> rules(List<Chain> chains, String name) {
        return chains.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow().rules().stream()
                .map(Rule::text)
                .toList();
    }

    @Test
    void ipv6WorkloadToHostAcceptsNeighbourDiscoveryBeforePolicy() {
        assertThat(rules(StaticChains.filter(6, "cali", "DROP"), ChainNames.WL_TO_HOST))
                .containsExactly(
                        "-p icmpv6 -m icmp6 --icmpv6-type 130 -j ACCEPT",
                        "-p icmpv6 -m icmp6 --icmpv6-type 131 -j ACCEPT",
                        "-p icmpv6 -m icmp6 --icmpv6-type 132 -j ACCEPT",
                        "-p icmpv6 -m icmp6 --icmpv6-type 133 -j ACCEPT",
                        "-p icmpv6 -m icmp6 --icmpv6-type 135 -j ACCEPT",
                        "-p icmpv6 -m icmp6 --icmpv6-type 136 -j ACCEPT",
                        "-j cali-tiers-out",
                        "-j cali-from-wl-dispatch",
                        "-j DROP");
        assertThat(rules(StaticChains.filter(4, "cali", "DROP"), ChainNames.WL_TO_HOST))
                .containsExactly("-j cali-tiers-out", "-j cali-from-wl-dispatch", "-j DROP");
        assertThat(rules(StaticChains.filter(6, "tap", "ACCEPT"), ChainNames.FORWARD))
                .containsExactly(
                        "-i tap+ -j cali-tiers-out",
                        "-i tap+ -j cali-from-wl-dispatch",
                        "-o tap+ -j cali-tiers-in",
                        "-o tap+ -j cali-to-wl-dispatch",
                        "-i tap+ -j ACCEPT",
                        "-o tap+ -j ACCEPT");
    }

    @Test
    void antiSpoofingIsAStrictReversePathCheckInRawPrerouting() {
        assertThat(rules(StaticChains.raw("cali"), "cali-PREROUTING"))
                .containsExactly("-i cali+ -m rpfilter --invert -j DROP");
        assertThat(StaticChains.hooks())
                .extracting(h -> h.table() + " " + h.builtin() + " " + h.rule().text())
                .contains("raw PREROUTING -j cali-PREROUTING", "filter FORWARD -j cali-FORWARD");
    }

    @Test
    void natOutgoingForIpv6UsesTheInet6PoolSets() {
        assertThat(rules(StaticChains.nat(6), ChainNames.NAT_OUTGOING))
                .containsExactly(
                        "-m set --match-set cali6-masq-ipam-pools src -m set ! --match-set cali6-all-ipam-pools dst -j MASQUERADE");
    }

    @Test
    void ip6tablesBinariesPerBackend() {
        assertThat(IptablesCommands.of("auto").forVersion(6).restore())
                .containsExactly("ip6tables-restore", "--noflush", "-w", "10");
        assertThat(IptablesCommands.of("legacy").forVersion(6).save("filter"))
                .containsExactly("ip6tables-legacy-save", "-t", "filter");
        assertThat(IptablesCommands.of("nft").forVersion(6).restoreBinary()).isEqualTo("ip6tables-nft-restore");
        assertThat(IptablesCommands.of("nft").forVersion(6).forVersion(4)).isEqualTo(IptablesCommands.of("nft"));
        assertThatThrownBy(() -> IptablesCommands.of("auto").forVersion(5))
                .hasMessage("IP version: 5 (expected: 4 or 6)");
    }
}
