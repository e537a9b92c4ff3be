package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;

/** {@link NftNames#isIdentifier} accepts exactly what nft's unquoted-identifier pattern does. */
class NftNamesTest {
    private static final Pattern NFT_IDENTIFIER = Pattern.compile("[a-zA-Z_][a-zA-Z0-9/\\\\_.-]{0,254}");

    @Property(tries = 2000)
    void identifiersAreWhatTheNftPatternMatches(
            @ForAll
                    @StringLength(max = 260)
                    @CharRange(from = 'a', to = 'c')
                    @CharRange(from = 'X', to = 'Z')
                    @CharRange(from = '0', to = '2')
                    @Chars({'/', '\\', '_', '.', '-', ' ', '"', '@', '\n', 'é', ':', 'z', 'A', '9', '[', '`', '{'})
                    String name) {
        assertThat(NftNames.isIdentifier(name))
                .isEqualTo(NFT_IDENTIFIER.matcher(name).matches());
    }

    @Property(tries = 500)
    void longNamesOfValidCharacters(
            @ForAll @StringLength(min = 250, max = 260) @CharRange(from = 'a', to = 'b') String name) {
        assertThat(NftNames.isIdentifier(name)).isEqualTo(name.length() <= 255);
    }
}
