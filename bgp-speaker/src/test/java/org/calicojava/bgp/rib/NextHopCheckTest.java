package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.calicojava.bgp.codec.Ip;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 4271 5.1.3 next-hop checks, one row per case: next hop, the session's peer, refusal (empty = accepted). */
class NextHopCheckTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "192.0.2.1|192.0.2.2|",
                "0.0.0.0|192.0.2.2|martian (0.0.0.0/8)",
                "0.1.2.3|192.0.2.2|martian (0.0.0.0/8)",
                "127.0.0.1|192.0.2.2|martian (127.0.0.0/8)",
                "127.1.2.3|127.1.2.2|",
                "224.0.0.5|192.0.2.2|martian (224.0.0.0/4 and above)",
                "239.255.255.255|192.0.2.2|martian (224.0.0.0/4 and above)",
                "240.0.0.1|192.0.2.2|martian (224.0.0.0/4 and above)",
                "255.255.255.255|192.0.2.2|martian (224.0.0.0/4 and above)",
                "223.255.255.255|192.0.2.2|",
                "198.51.100.7|192.0.2.2|our own address",
                "203.0.113.10|192.0.2.2|our own address",
                "2001:db8::1|2001:db8::2|",
                "::|2001:db8::2|martian (::)",
                "::1|2001:db8::2|martian (::1)",
                "::1|::1|",
                "ff02::5|2001:db8::2|martian (ff00::/8)",
                "2001:db8::10|2001:db8::2|our own address",
            })
    void refusal(String nextHop, String peer, String expected) {
        List<InetAddress> own = List.of(Ip.parse("198.51.100.7"), Ip.parse("203.0.113.10"), Ip.parse("2001:db8::10"));
        assertThat(NextHopCheck.refusal(Ip.parse(nextHop).getAddress(), Ip.parse(peer), own))
                .isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void aLinkLocalPairIsJudgedByItsGlobalAddress() {
        byte[] both = new byte[32];
        System.arraycopy(Ip.parse("ff02::1").getAddress(), 0, both, 0, 16);
        System.arraycopy(Ip.parse("fe80::1").getAddress(), 0, both, 16, 16);
        assertThat(NextHopCheck.refusal(both, Ip.parse("2001:db8::2"), List.of()))
                .isEqualTo("martian (ff00::/8)");
        assertThat(NextHopCheck.refusal(new byte[7], Ip.parse("2001:db8::2"), List.of()))
                .isEqualTo("martian (length 7)");
    }

    /** ::ffff:a.b.c.d (Java's InetAddress turns it into a.b.c.d, so the bytes are built here): the IPv4 rules apply. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "0.1.2.3|192.0.2.2|martian (0.0.0.0/8)",
                "127.0.0.1|192.0.2.2|martian (127.0.0.0/8)",
                "127.1.2.3|127.1.2.2|",
                "224.0.0.5|192.0.2.2|martian (224.0.0.0/4 and above)",
                "255.255.255.255|192.0.2.2|martian (224.0.0.0/4 and above)",
                "198.51.100.7|192.0.2.2|our own address",
                "192.0.2.1|192.0.2.2|",
            })
    void anIpv4MappedNextHopIsJudgedAsItsIpv4Address(String v4, String peer, String expected) {
        List<InetAddress> own = List.of(Ip.parse("198.51.100.7"), Ip.parse("2001:db8::10"));
        byte[] mapped = new byte[16];
        mapped[10] = mapped[11] = (byte) 0xff;
        System.arraycopy(Ip.parse(v4).getAddress(), 0, mapped, 12, 4);
        assertThat(NextHopCheck.refusal(mapped, Ip.parse(peer), own)).isEqualTo(expected);
        byte[] withLinkLocal = new byte[32]; // a 32-byte MP_REACH next hop: judged by its global address
        System.arraycopy(mapped, 0, withLinkLocal, 0, 16);
        System.arraycopy(Ip.parse("fe80::1").getAddress(), 0, withLinkLocal, 16, 16);
        assertThat(NextHopCheck.refusal(withLinkLocal, Ip.parse(peer), own)).isEqualTo(expected);
    }
}
