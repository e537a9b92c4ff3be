package org.calicojava.felix.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.calicojava.model.Cidr;
import org.calicojava.model.PortRange;
import org.junit.jupiter.api.Test;
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
        String value = match.substring(3);
        assertThatThrownBy(() -> Rule.of(Action.Verdict.DROP, new Match.Iface(true, value, false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("interface");
        assertThatThrownBy(() -> new Match.InSet("cali4-" + value, Match.Dir.SRC, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ipset name");
        assertThatThrownBy(() -> new Action.Log(value, 5)).isInstanceOf(IllegalArgumentException.class);
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
                "-j cali-" + "x" + "y;z"
            })
    void targetsOtherThanOursOrBuiltinAreRefused(String action) {
        if (action.equals("-j cali-xx")) { // control: ours is fine
            assertThat(Rule.of(new Action.Jump("cali-xx")).target()).isEqualTo("cali-xx");
            return;
        }
        String name = action.substring(3);
        assertThatThrownBy(() -> Rule.of(action.startsWith("-g") ? new Action.Goto(name) : new Action.Jump(name)))
                .isInstanceOf(IllegalArgumentException.class);
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

    @Test
    void theModelsVocabularyPasses() {
        java.util.Map<String, Match[]> cases = new java.util.LinkedHashMap<>();
        cases.put("-p tcp -m multiport --dports 80,1000:2000", new Match[] {
            new Match.Protocol("tcp", false),
            new Match.Ports(Match.Dir.DST, List.of(new PortRange(80, 80), new PortRange(1000, 2000)), false)
        });
        cases.put("-s 10.0.0.0/8", new Match[] {new Match.Net(Match.Dir.SRC, Cidr.parse("10.0.0.0/8"), false)});
        cases.put("! -d fd00::/64", new Match[] {new Match.Net(Match.Dir.DST, Cidr.parse("fd00::/64"), true)});
        cases.put(
                "-m set ! --match-set cali4-t-web src",
                new Match[] {new Match.InSet("cali4-t-web", Match.Dir.SRC, true)});
        cases.put("-m icmp --icmp-type 8/0", new Match[] {new Match.Icmp(4, 8, 0, false)});
        cases.put("-i cali+", new Match[] {new Match.Iface(true, "cali+", false)});
        cases.forEach((text, m) -> {
            Rule r = Rule.of(new Action.Log("calico-packet: ", 5), m);
            assertThat(r.matchText()).isEqualTo(text);
            assertThat(r.actionText()).isEqualTo("-j LOG --log-prefix \"calico-packet: \" --log-level 5");
        });
    }
}
