package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.calicojava.model.Json;
import org.calicojava.model.Rule;

/**
 * javactl's rule grammar against any words (issue 14): it either builds a rule that survives a JSON round trip and
 * formats back to words that parse to the same rule, or refuses with an IllegalArgumentException whose message is
 * one line -- nothing else escapes, so the CLI always prints a one-line error and writes nothing.
 */
class RuleGrammarFuzzTest {
    @Property(tries = 5000)
    void anyWordsGiveARuleOrOneLineError(@ForAll("words") List<String> words) {
        Rule r;
        try {
            r = RuleGrammar.parseDirected(words).rule();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n", "\r");
            return;
        }
        assertThat(Json.read(Json.write(r), Rule.class)).isEqualTo(r);
    }

    @Provide
    Arbitrary<List<String>> words() {
        Arbitrary<String> word = Arbitraries.oneOf(
                Arbitraries.of(
                        "inbound",
                        "outbound",
                        "allow",
                        "deny",
                        "log",
                        "next-tier",
                        "tcp",
                        "udp",
                        "icmp",
                        "!icmp",
                        "icmpv6",
                        "6",
                        "256",
                        "from",
                        "to",
                        "ports",
                        "!ports",
                        "tag",
                        "cidr",
                        "!cidr",
                        "selector",
                        "type",
                        "code",
                        "not",
                        "!",
                        "80",
                        "1:2",
                        "80,443",
                        "65536",
                        "10.0.0.0/8",
                        "fd00::/64",
                        "10.0.0.1/33",
                        "web",
                        "a b",
                        "role == 'x'",
                        "has(a)",
                        "((((",
                        "\n",
                        "0",
                        "-1",
                        "300",
                        "1000:2000,3000"),
                Arbitraries.strings().all().ofMaxLength(12));
        return Arbitraries.oneOf(
                word.list().ofMaxSize(14),
                Arbitraries.of("inbound", "outbound")
                        .flatMap(d -> Arbitraries.of("allow", "deny")
                                .flatMap(a -> word.list().ofMaxSize(10).map(rest -> {
                                    List<String> l = new java.util.ArrayList<>(List.of(d, a));
                                    l.addAll(rest);
                                    return l;
                                }))));
    }
}
