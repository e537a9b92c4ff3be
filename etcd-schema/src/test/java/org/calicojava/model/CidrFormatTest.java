package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.calicojava.testing.Rfc5952;

/** {@link Cidr#format} for IPv6 against the RFC 5952 reference that netlink's formatter is tested against too. */
class CidrFormatTest {
    @Property
    void ipv6TextMatchesTheReference(@ForAll("fields") int[] fields) {
        byte[] b = Rfc5952.bytes(fields);
        assertThat(Cidr.format(b)).isEqualTo(Rfc5952.format(b));
    }

    /** Half of the fields zero, so that runs of every length (and ties) come up often. */
    @Provide
    Arbitrary<int[]> fields() {
        return Arbitraries.integers()
                .between(-0xffff, 0xffff)
                .map(v -> Math.max(v, 0))
                .array(int[].class)
                .ofSize(8);
    }
}
