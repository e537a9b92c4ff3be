package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SelectorTest {
    private static final Map<String, String> LABELS = Map.of("role", "db", "env", "prod", "tier", "back");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiterString = "=>",
            value = {
                "all()                                   => true",
                "''                                      => true",
                "role == 'db'                            => true",
                "role == \"web\"                         => false",
                "role != 'web'                           => true",
                "missing != 'x'                          => true",
                "missing == 'x'                          => false",
                "has(role)                               => true",
                "has(missing)                            => false",
                "!has(missing)                           => true",
                "role in {'db', 'cache'}                 => true",
                "role in {'web'}                         => false",
                "role in {}                              => false",
                "role not in {'web','cache'}             => true",
                "missing not in {'a'}                    => true",
                "role == 'db' && env == 'prod'           => true",
                "role == 'db' && env == 'dev'            => false",
                "role == 'web' || env == 'prod'          => true",
                "!(role == 'db' && env == 'prod')        => false",
                "role == 'web' || env == 'dev' || has(tier) => true",
                "(role == 'web' || env == 'prod') && tier == 'back' => true",
                "role == 'web' || env == 'prod' && tier == 'front' => false",
                "!!has(role)                             => true",
                "a.b/c-d == 'x'                          => false",
            })
    void evaluates(String selector, boolean expected) {
        assertThat(Selector.parse(selector).matches(LABELS)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiterString = "=>",
            value = {
                "role ==                => expected a quoted string",
                "role = 'db' => expected ==, !=, in or not in",
                "has(role => expected ')'",
                "role == 'db' && => unexpected end",
                "role not {'a'} => expected 'in' after 'not'",
                "role == 'db' extra => unexpected \"extra\"",
                "role == 'db => unterminated string",
                "!= 'x' => '!=' needs a label key",
                "role in {'a' 'b'} => expected '}'",
            })
    void rejectsWithPosition(String selector, String message) {
        assertThatThrownBy(() -> Selector.parse(selector))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .hasMessageContaining("position");
    }

    @Test
    void canonicalFormIgnoresQuotingSpacingAndSetOrder() {
        assertThat(Selector.parse("a=='x'&&b in {'2','1'}").canonical())
                .isEqualTo(Selector.parse("a == \"x\" && b in { \"1\", \"2\" }").canonical())
                .isEqualTo("(a == \"x\" && b in {\"1\", \"2\"})");
    }
}
