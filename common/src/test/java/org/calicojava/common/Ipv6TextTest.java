package org.calicojava.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.calicojava.testing.Rfc5952;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Ipv6Text#format}, the one RFC 5952 formatter of etcd-schema, netlink and the BGP speaker. */
class Ipv6TextTest {
    @ParameterizedTest
    @CsvSource({
        "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1", // 4.2.1: longest run, 4.3: lower case
        "2001:0db8:0000:0001:0001:0001:0001:0001, 2001:db8:0:1:1:1:1:1", // 4.2.2: a single zero field stays
        "2001:0000:0000:0001:0000:0000:0000:0001, 2001:0:0:1::1", // 4.2.3: the longest run wins
        "2001:0db8:0000:0000:0001:0000:0000:0001, 2001:db8::1:0:0:1", // 4.2.3: the first run on a tie
        "0000:0000:0000:0000:0000:0000:0000:0000, ::",
        "0000:0000:0000:0000:0000:0000:0000:0001, ::1",
        "0001:0000:0000:0000:0000:0000:0000:0000, 1::",
        "FE80:0000:0000:0000:0000:0000:00AB:CDEF, fe80::ab:cdef",
    })
    void followsRfc5952Examples(String full, String text) throws Exception {
        assertThat(Ipv6Text.format(InetAddress.getByName(full).getAddress())).isEqualTo(text);
    }

    @Property
    void matchesTheReferenceAndParsesBack(@ForAll("zeroHeavy") int[] fields) throws Exception {
        byte[] b = Rfc5952.bytes(fields);
        String text = Ipv6Text.format(b);
        assertThat(text).isEqualTo(Rfc5952.format(b)).isEqualTo(text.toLowerCase());
        byte[] back = InetAddress.getByName(text).getAddress();
        // Java turns an IPv4-mapped address into an Inet4Address: compare its last four bytes then
        assertThat(back).isEqualTo(back.length == 4 ? Arrays.copyOfRange(b, 12, 16) : b);
    }

    @Provide
    Arbitrary<int[]> zeroHeavy() {
        Arbitrary<Integer> field = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(1, 0xffff)));
        return field.array(int[].class).ofSize(8);
    }
}
