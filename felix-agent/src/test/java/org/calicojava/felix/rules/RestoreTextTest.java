package org.calicojava.felix.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The iptables-restore encoder refuses anything that could end a line, open a comment or name a chain not ours. */
class RestoreTextTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "-i a\nCOMMIT",
                "-i a\rb",
                "-i a #",
                "-i a;b",
                "-i }",
                "-i \"a",
                "-i é",
                "-i a\u0000",
                "-i a'b",
                "-s $(x)",
                "-i `x`",
                "-i a\tb",
                "-i a=b",
                "-i a*"
            })
    void hostileMatchTextIsRefused(String match) {
        assertThatThrownBy(() -> Rule.of(match, "-j DROP"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("iptables rule");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "-j C",
                "-g INPUT",
                "-j cali-x\n-F C",
                "-g DROP",
                "-j cali-a b",
                "-j ACCEPT #",
                "-j " + "cali-" + "x" + "x",
                "-X cali-x",
                "-j cali-" + "x" + "y;z"
            })
    void targetsOtherThanOursOrBuiltinAreRefused(String action) {
        if (action.equals("-j cali-xx")) { // control: ours is fine
            assertThat(Rule.of("", action).target()).isEqualTo("cali-xx");
            return;
        }
        assertThatThrownBy(() -> Rule.of("", action)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"C", "cali-", "cali-a b", "cali-x\nCOMMIT", "cali-xxxxxxxxxxxxxxxxxxxxxxxx", "cali-é", "INPUT"})
    void chainNamesOutsideTheGrammarAreRefused(String name) {
        assertThatThrownBy(() -> RestoreText.chain(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("chain name: ")
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "-p tcp -m multiport --dports 80,1000:2000",
                "-s 10.0.0.0/8",
                "! -d fd00::/64",
                "-m set ! --match-set cali4-t-web src",
                "-m icmp --icmp-type 8/0",
                "-i cali+"
            })
    void theModelsVocabularyPasses(String match) {
        assertThat(Rule.of(match, "-j LOG --log-prefix \"calico-packet: \" --log-level 5")
                        .match())
                .isEqualTo(match);
    }
}
