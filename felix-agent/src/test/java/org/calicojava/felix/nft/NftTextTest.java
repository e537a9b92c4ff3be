package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.calicojava.felix.rules.Action;
import org.calicojava.felix.rules.Match;
import org.calicojava.felix.rules.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The nft encoder refuses anything that could end a statement, open a comment, close a block or leave a string. */
class NftTextTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "a\"b",
                "a;b",
                "a\nb",
                "a}b",
                "a#b",
                "é",
                "a\\b",
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "a{b",
                "a@b"
            })
    void hostileStringsAreRefused(String s) {
        assertThatThrownBy(() -> NftText.string(s))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("nft string: ")
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "a;b", "1abc", "a\nb", "a}", "", "a\"", "é"})
    void hostileIdentifiersAreRefused(String s) {
        assertThatThrownBy(() -> NftText.identifier(s)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/8; flush ruleset", "10.0.0.1 }", "x", "10.0.0.1\n", "@set"})
    void hostileAddressesAreRefused(String s) {
        assertThatThrownBy(() -> NftText.address(s)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void safeValuesPassUnchanged() {
        assertThat(NftText.string("cali*")).isEqualTo("\"cali*\"");
        assertThat(NftText.string("calico-packet: ")).isEqualTo("\"calico-packet: \"");
        assertThat(NftText.identifier("cali-pi-t.p/4")).isEqualTo("cali-pi-t.p/4");
        assertThat(NftText.address("fd00::1/128")).isEqualTo("fd00::1/128");
        assertThat(NftText.address("203.0.113.8-203.0.113.10")).isEqualTo("203.0.113.8-203.0.113.10");
    }

    @Test
    void theRendererRoutesEveryValueThroughTheEncoder() {
        assertThatThrownBy(() -> new Match.InSet("cali4-t-a:b", Match.Dir.SRC, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Match.Iface(true, "cali}", false)).isInstanceOf(IllegalArgumentException.class);
        assertThat(NftRuleRenderer.render(Rule.of(Action.Verdict.DROP, new Match.Iface(true, "cali+", false))))
                .isEqualTo("iifname \"cali*\" drop");
    }
}
