package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "10.1.0.0/16      | 10.1.0.0/16     | 10.1.0.0-16",
                "10.1.0.0-16      | 10.1.0.0/16     | 10.1.0.0-16",
                "10.1.0.5         | 10.1.0.5/32     | 10.1.0.5-32",
                "2001:db8::/64    | 2001:db8::/64   | 2001:db8::-64",
                "2001:db8::-64    | 2001:db8::/64   | 2001:db8::-64",
                "2001:DB8:0:0:1:0:0:1/128 | 2001:db8::1:0:0:1/128 | 2001:db8::1:0:0:1-128",
                "::/0             | ::/0            | ::-0",
                "fd00:0:0:1::/64  | fd00:0:0:1::/64 | fd00:0:0:1::-64",
            })
    void parsesAndFormats(String in, String text, String key) {
        Cidr c = Cidr.parse(in, true);
        assertThat(c.toString()).isEqualTo(text);
        assertThat(c.keyForm()).isEqualTo(key);
        assertThat(Cidr.parse(c.keyForm(), true)).isEqualTo(c);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "10.1.0.1/16  | host bits set; did you mean 10.1.0.0/16?",
                "10.1.0.0/33  | prefix length expected: 0..32",
                "10.1.0/24    | is not an IPv4 or IPv6 address",
                "10.1.0.300/32| octet 300 > 255",
                "foo/8        | is not an IPv4 or IPv6 address",
                "10.0.0.0/x   | prefix length \"x\" is not a number",
                "::ffff:10.0.0.1/128 | is an IPv4-mapped IPv6 address",
                "::ffff:a00:1 | is an IPv4-mapped IPv6 address",
                "::ffff:0:0/96 | is an IPv4-mapped IPv6 address",
            })
    void rejectsWithClearMessage(String in, String message) {
        assertThatThrownBy(() -> Cidr.parse(in, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void anIpv6NetworkAroundTheMappedRangeStaysIpv6AndItsAddressIsAnInet6Address() throws Exception {
        assertThat(Cidr.parse("::/64").address()).isInstanceOf(java.net.Inet6Address.class);
        assertThat(Cidr.parse("::/64").isIpv4()).isFalse();
        assertThat(Cidr.parse("2001:db8::1/128").address()).isInstanceOf(java.net.Inet6Address.class);
        assertThat(Cidr.parse("10.0.0.1/32").address()).isInstanceOf(java.net.Inet4Address.class);
        assertThatThrownBy(() -> Cidr.host("::ffff:127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("IPv4-mapped");
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        assertThatThrownBy(() -> Cidr.of(java.net.Inet6Address.getByAddress(null, mapped, -1), 128))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("IPv4-mapped");
        assertThat(Cidr.of(java.net.Inet6Address.getByAddress(null, mapped, -1), 64)
                        .address())
                .as("a network around the mapped range stays IPv6")
                .isInstanceOf(java.net.Inet6Address.class);
    }

    @Test
    void containsOverlapsAndSubnets() {
        Cidr pool = Cidr.parse("10.1.0.0/16");
        Cidr block = pool.subnet(26, 3);
        assertThat(block).hasToString("10.1.0.192/26");
        assertThat(pool.contains(block)).isTrue();
        assertThat(block.contains(pool)).isFalse();
        assertThat(pool.overlaps(Cidr.parse("10.0.0.0/8"))).isTrue();
        assertThat(pool.overlaps(Cidr.parse("10.2.0.0/16"))).isFalse();
        assertThat(pool.contains(Cidr.parse("2001:db8::/64"))).isFalse();
        assertThat(block.addressAt(5)).hasToString("10.1.0.197/32");
        assertThat(block.offsetOf(Cidr.host("10.1.0.250"))).isEqualTo(58);
        assertThat(Cidr.parse("2001:db8::/120").subnet(122, 1)).hasToString("2001:db8::40/122");
        assertThat(IpPool.of(pool).blockCount()).isEqualTo(1024);
    }

    /** Every host of a /16 (and of an IPv6 /112) has its own hash, equal networks the same. */
    @Test
    void hostsOfAPoolHaveDistinctHashes() {
        java.util.Set<Integer> v4 = new java.util.HashSet<>();
        java.util.Set<Integer> v6 = new java.util.HashSet<>();
        Cidr pool4 = Cidr.parse("10.65.0.0/16");
        Cidr pool6 = Cidr.parse("fd00:1::/112");
        for (int i = 0; i < 65536; i++) {
            v4.add(pool4.addressAt(i).hashCode());
            v6.add(pool6.addressAt(i).hashCode());
        }
        assertThat(v4).hasSize(65536);
        assertThat(v6).hasSize(65536);
        assertThat(Cidr.parse("10.65.1.2/32")).hasSameHashCodeAs(Cidr.host("10.65.1.2"));
        assertThat(Cidr.parse("10.65.0.0/16").hashCode())
                .isNotEqualTo(Cidr.parse("10.65.0.0/17").hashCode());
    }
}
