package org.calicojava.felix.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The name checks of interface, set and chain names are character loops (they run for every rule); the regular
 * expressions they replaced decide what is valid here, on random strings near the boundaries.
 */
class NameCharsTest {
    private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9_.\\-]{1,15}\\+?|\\+");
    private static final Pattern SET = Pattern.compile("cali[46]-[A-Za-z0-9_.\\-]{1,26}");
    private static final Pattern CHAIN =
            Pattern.compile("cali-[A-Za-z0-9_.\\-]{1," + (ChainNames.MAX_LENGTH - 5) + "}");

    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> tail = Arbitraries.strings()
                .withChars("aZ09_.-+ /é\u0000:")
                .ofMinLength(0)
                .ofMaxLength(30);
        Arbitrary<String> word = Arbitraries.strings() // valid characters only: the length decides
                .withChars("aZ09_.-")
                .ofMinLength(0)
                .ofMaxLength(30);
        return Arbitraries.oneOf(
                tail,
                word,
                word.map(t -> t + "+"),
                word.map(t -> "cali4-" + t),
                word.map(t -> "cali-" + t),
                tail.map(t -> "cali4-" + t),
                tail.map(t -> "cali6-" + t),
                tail.map(t -> "cali-" + t),
                tail.map(t -> "cali5-" + t));
    }

    @Property(tries = 3000)
    void interfaceNames(@ForAll("names") String name) {
        assertThat(accepted(() -> new Match.Iface(true, name, false)))
                .as(name)
                .isEqualTo(IFACE.matcher(name).matches());
    }

    @Property(tries = 3000)
    void setNames(@ForAll("names") String name) {
        assertThat(accepted(() -> new Match.InSet(name, Match.Dir.SRC, false)))
                .as(name)
                .isEqualTo(SET.matcher(name).matches());
    }

    @Property(tries = 3000)
    void chainNames(@ForAll("names") String name) {
        assertThat(RestoreText.isChain(name))
                .as(name)
                .isEqualTo(CHAIN.matcher(name).matches());
    }

    @Property(tries = 10)
    void boundaries(@ForAll("names") String ignored) {
        assertThat(RestoreText.isChain("cali-" + "a".repeat(23))).isTrue();
        assertThat(RestoreText.isChain("cali-" + "a".repeat(24))).isFalse();
        assertThat(RestoreText.isChain("cali-")).isFalse();
        assertThat(RestoreText.isChain(null)).isFalse();
        new Match.Iface(false, "a".repeat(15) + "+", false);
        new Match.Iface(false, "+", false);
        assertThatThrownBy(() -> new Match.Iface(false, "a".repeat(16), false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Match.Iface(false, "++", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Match.InSet(null, Match.Dir.DST, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static boolean accepted(Runnable construct) {
        try {
            construct.run();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
