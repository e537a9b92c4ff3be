package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ipset restore encoder refuses names and members that could end a line or add a command. */
class IpsetTextTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "cali4-t-a\ndestroy x",
                "cali4-t-a b",
                "other",
                "cali4-",
                "cali4-t-é",
                "cali4-t-xxxxxxxxxxxxxxxxxxxxxxxxx"
            })
    void badNamesAreRefused(String name) {
        assertThat(IpsetText.isName(name)).isFalse();
        assertThatThrownBy(() -> IpsetText.name(name))
                .hasMessageStartingWith("ipset name: ")
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1\nflush", "10.0.0.1 nomatch", "-exist", "", "10.0.0.0/8;x"})
    void badMembersAreRefused(String member) {
        assertThatThrownBy(() -> IpsetText.member(member)).hasMessageStartingWith("ipset member: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.65.0.1", "10.65.0.0/16", "fd00::1", "fd00:66::/64"})
    void addressesPass(String member) {
        assertThat(IpsetText.member(member)).isEqualTo(member);
        assertThat(IpsetText.name("cali4-t-web")).isEqualTo("cali4-t-web");
    }
}
