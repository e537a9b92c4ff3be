package org.calicojava.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicojava.bgp.codec.Hex.MARKER;
import static org.calicojava.bgp.codec.Hex.bytes;
import static org.calicojava.bgp.codec.Hex.decodeWhole;
import static org.calicojava.bgp.codec.Hex.encode;
import static org.calicojava.bgp.codec.Hex.hex;
import static org.calicojava.bgp.codec.MessageVectorsTest.roundTrip;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Byte vectors for UPDATE: every path attribute, MP-BGP, AS4 toward 2-octet peers, ADD-PATH, End-of-RIB. */
class UpdateVectorsTest {
    static final CodecOptions IBGP = CodecOptions.AS4.withIbgp(true);

    static final String EVERY_ATTRIBUTE = MARKER + """
            0090            # length 144
            02              # UPDATE
            0000            # withdrawn routes length 0
            0070            # total path attribute length 112
            40 01 01 00                       # ORIGIN (well-known) IGP
            40 02 0e 02 03 0000fde9 0000fdea 00010000   # AS_PATH: AS_SEQUENCE of 3: 65001 65002 65536
            40 03 04 7f00000b                 # NEXT_HOP 127.0.0.11
            80 04 04 00000064                 # MULTI_EXIT_DISC (optional) 100
            40 05 04 000000c8                 # LOCAL_PREF 200
            40 06 00                          # ATOMIC_AGGREGATE
            c0 07 08 0000fde9 0a000001        # AGGREGATOR (optional transitive) AS 65001, 10.0.0.1
            c0 08 08 fde90001 fde90002        # COMMUNITIES 65001:1 65001:2
            80 09 04 0a000002                 # ORIGINATOR_ID 10.0.0.2
            80 0a 04 0a000003                 # CLUSTER_LIST 10.0.0.3
            c0 10 08 0002fde900000064         # EXTENDED_COMMUNITIES route target 65001:100
            c0 20 0c 0000fde9 00000001 00000002   # LARGE_COMMUNITY 65001:1:2
            e0 63 02 abcd                     # unknown optional transitive 99, Partial set, value abcd
            18 0a1400                         # NLRI 10.20.0.0/24
            20 0a140001                       # NLRI 10.20.0.1/32
            """;

    static PathAttributes everyAttribute() {
        return PathAttributes.builder()
                .origin(0)
                .asPath(AsPath.sequence(65001, 65002, 65536))
                .nextHop("127.0.0.11")
                .med(100)
                .localPref(200)
                .atomicAggregate(true)
                .aggregator(new Aggregator(65001, Ip.v4Int("10.0.0.1")))
                .communities(65001 << 16 | 1, 65001 << 16 | 2)
                .originatorId(Ip.v4Int("10.0.0.2") & 0xffffffffL)
                .clusterList(Ip.v4Int("10.0.0.3"))
                .extCommunities(0x0002fde900000064L)
                .largeCommunities(65001, 1, 2)
                .unknown(new RawAttribute(0xe0, 99, new byte[] {(byte) 0xab, (byte) 0xcd}))
                .build();
    }

    static Nlri v4(String... prefixes) {
        Nlri.Builder b = Nlri.builder(Family.IPV4_UNICAST, false);
        for (String p : prefixes) {
            b.add(Prefix.parse(p));
        }
        return b.build();
    }

    static Nlri v6(String... prefixes) {
        Nlri.Builder b = Nlri.builder(Family.IPV6_UNICAST, false);
        for (String p : prefixes) {
            b.add(Prefix.parse(p));
        }
        return b.build();
    }

    @Test
    void everyAttributeOverIbgp() {
        Update u = Update.announce(everyAttribute(), v4("10.20.0.0/24", "10.20.0.1/32"));
        roundTrip(EVERY_ATTRIBUTE, u, IBGP);
        assertThat(u.attributes().toString())
                .contains(
                        "as_path=65001 65002 65536",
                        "communities=(65001,1) (65001,2)",
                        "large_community=(65001,1,2)",
                        "next_hop=127.0.0.11",
                        "local_pref=200");
    }

    @Test
    void unknownTransitiveGetsPartialBitWhenPassedOn() {
        PathAttributes a = PathAttributes.builder()
                .origin(2)
                .asPath(AsPath.EMPTY)
                .nextHop("192.0.2.1")
                .unknown(new RawAttribute(0xc0, 99, new byte[] {1}))
                .build();
        byte[] out = encode(Update.announce(a, v4("10.0.0.0/8")), CodecOptions.AS4);
        assertThat(hex(out)).contains("e0630101"); // flags c0 -> e0 (Partial)
    }

    @Test
    void unknownNonTransitiveIsDropped() {
        byte[] wire = bytes(MARKER + """
                0022 02 0000 000b      # length 34, UPDATE, no withdrawn, 11 bytes of attributes
                40 01 01 02            # ORIGIN incomplete
                40 02 00               # AS_PATH empty
                80 63 01 ff            # unknown optional NON-transitive 99: dropped
                """);
        Update u = (Update) decodeWhole(wire, CodecOptions.AS4).get(0);
        assertThat(u.attributes().unknown()).isEmpty();
        assertThat(u.outcome()).isEqualTo(Update.Outcome.NORMAL);
    }

    @Test
    void localPrefFromExternalPeerIsIgnored() {
        Update u =
                (Update) decodeWhole(bytes(EVERY_ATTRIBUTE), CodecOptions.AS4).get(0);
        assertThat(u.attributes().localPref()).isEqualTo(-1);
    }

    @Test
    void ipv6ThroughMpReach() {
        Update u = Update.announce(
                PathAttributes.builder()
                        .origin(0)
                        .asPath(AsPath.sequence(65002))
                        .build(),
                new MpReach(Family.IPV6_UNICAST, Prefix.parse("2001:db8::1").addressBytes(), v6("2001:db8:14::/48")));
        roundTrip(MARKER + """
                0043 02         # length 67, UPDATE
                0000            # no withdrawn routes
                002c            # 44 bytes of attributes
                40 01 01 00                     # ORIGIN IGP
                40 02 06 02 01 0000fdea         # AS_PATH 65002
                80 0e 1c                        # MP_REACH_NLRI, 28 bytes
                0002 01                         #   AFI IPv6, SAFI unicast
                10 20010db8000000000000000000000001   # next hop length 16: 2001:db8::1
                00                              #   reserved
                30 20010db80014                 #   2001:db8:14::/48
                """, u, CodecOptions.AS4);
        assertThat(u.mpReach().nlri().toString(0)).isEqualTo("2001:db8:14::/48");
    }

    @Test
    void ipv6WithdrawThroughMpUnreach() {
        roundTrip(MARKER + """
                0024 02 0000    # length 36, UPDATE, no withdrawn routes
                000d            # 13 bytes of attributes
                80 0f 0a 0002 01 30 20010db80014   # MP_UNREACH_NLRI IPv6 unicast 2001:db8:14::/48
                """, Update.withdraw(v6("2001:db8:14::/48")), CodecOptions.AS4);
    }

    @Test
    void ipv4Withdraw() {
        roundTrip(MARKER + """
                001b 02         # length 27, UPDATE
                0004 18 0a1400  # withdrawn routes: 10.20.0.0/24
                0000            # no attributes, no NLRI
                """, Update.withdraw(v4("10.20.0.0/24")), CodecOptions.AS4);
    }

    @Test
    void endOfRibMarkers() {
        Update v4 = Update.endOfRib(Family.IPV4_UNICAST), v6 = Update.endOfRib(Family.IPV6_UNICAST);
        roundTrip(MARKER + "0017 02 0000 0000   # empty UPDATE: IPv4 End-of-RIB", v4, CodecOptions.AS4);
        roundTrip(
                MARKER + "001d 02 0000 0006 80 0f 03 0002 01   # empty MP_UNREACH IPv6: End-of-RIB",
                v6,
                CodecOptions.AS4);
        assertThat(v4.endOfRibFamily()).isEqualTo(Family.IPV4_UNICAST);
        assertThat(v6.endOfRibFamily()).isEqualTo(Family.IPV6_UNICAST);
    }

    /** An MP_UNREACH_NLRI of a family we do not know is ignored, and its UPDATE is no IPv4 End-of-RIB. */
    @Test
    void unknownFamilyMpUnreachIsNoIpv4EndOfRib() {
        for (String attrs : new String[] {
            "80 0f 03 0001 02   # MP_UNREACH_NLRI: AFI 1, SAFI 2 (multicast), no prefixes",
            "80 63 03 ffffff    # only an unknown optional non-transitive attribute, which is dropped",
        }) {
            byte[] wire = bytes(
                    MARKER + "001d 02 0000 0006   # length 29, UPDATE, no withdrawn, 6 bytes of attributes\n" + attrs);
            Update u = (Update) decodeWhole(wire, CodecOptions.AS4).get(0);
            assertThat(u.endOfRibFamily()).isNull();
            assertThat(u.outcome()).isEqualTo(Update.Outcome.NORMAL);
            assertThat(u.mpUnreach()).isNull();
            assertThat(u.nlri().isEmpty()).isTrue();
        }
    }

    @Test
    void twoOctetPeerGetsAsTransAndAs4Attributes() {
        Update u = Update.announce(
                PathAttributes.builder()
                        .origin(0)
                        .asPath(AsPath.sequence(65001, 65536, 65002))
                        .nextHop("127.0.0.11")
                        .aggregator(new Aggregator(65536, Ip.v4Int("10.0.0.1")))
                        .build(),
                v4("10.20.0.0/24"));
        roundTrip(MARKER + """
                0056 02 0000    # length 86, UPDATE, no withdrawn routes
                003b            # 59 bytes of attributes
                40 01 01 00                      # ORIGIN IGP
                40 02 08 02 03 fde9 5ba0 fdea    # AS_PATH (2-octet): 65001 AS_TRANS 65002
                40 03 04 7f00000b                # NEXT_HOP 127.0.0.11
                c0 07 06 5ba0 0a000001           # AGGREGATOR (2-octet) AS_TRANS 10.0.0.1
                c0 11 0e 02 03 0000fde9 00010000 0000fdea   # AS4_PATH 65001 65536 65002
                c0 12 08 00010000 0a000001       # AS4_AGGREGATOR 65536 10.0.0.1
                18 0a1400                        # NLRI 10.20.0.0/24
                """, u, CodecOptions.DEFAULT);
    }

    @Test
    void as4PathLongerThanAsPathIsIgnored() {
        byte[] wire = bytes(MARKER + """
                0035 02 0000 001e                # length 53, UPDATE, 30 bytes of attributes
                40 01 01 00                      # ORIGIN IGP
                40 02 04 02 01 5ba0              # AS_PATH AS_TRANS
                40 03 04 7f00000b                # NEXT_HOP
                c0 11 0a 02 02 00010000 00010001 # AS4_PATH of 2 > 1: ignored (RFC 6793 4.2.3)
                18 0a1400                        # NLRI 10.20.0.0/24
                """);
        Update u = (Update) decodeWhole(wire, CodecOptions.DEFAULT).get(0);
        assertThat(u.attributes().asPath()).isEqualTo(AsPath.sequence(23456));
    }

    @Test
    void fourOctetPeerAs4PathIsDiscarded() {
        byte[] wire = bytes(MARKER + """
                0037 02 0000 0020                # length 55, UPDATE, 32 bytes of attributes
                40 01 01 00                      # ORIGIN IGP
                40 02 06 02 01 0000fdea          # AS_PATH 65002 (4-octet)
                40 03 04 7f00000b                # NEXT_HOP
                c0 11 06 02 01 00010000          # AS4_PATH from a 4-octet speaker: ignored
                18 0a1400                        # NLRI 10.20.0.0/24
                """);
        Update u = (Update) decodeWhole(wire, CodecOptions.AS4).get(0);
        assertThat(u.attributes().asPath()).isEqualTo(AsPath.sequence(65002));
    }

    /**
     * AS_SET and confederation segments are encoded (and printed) as given; received, a confederation segment makes the
     * AS_PATH malformed (no confederation here, RFC 5065 section 5), see {@link MalformedCorpusTest}.
     */
    @Test
    void asSetAndConfederationSegments() {
        AsPath p = AsPath.of(
                AsPath.AS_CONFED_SEQUENCE, 1, 64512, AsPath.AS_SEQUENCE, 2, 65001, 65002, AsPath.AS_SET, 2, 1, 2);
        Update u = Update.announce(
                PathAttributes.builder()
                        .origin(1)
                        .asPath(p)
                        .nextHop("192.0.2.1")
                        .build(),
                v4("0.0.0.0/0"));
        assertThat(hex(encode(u, CodecOptions.AS4))).isEqualTo(hex(bytes(MARKER + """
                0040 02 0000 0028                # length 64, UPDATE, 40 bytes of attributes
                40 01 01 01                      # ORIGIN EGP
                40 02 1a                         # AS_PATH, 26 bytes
                03 01 0000fc00                   #   AS_CONFED_SEQUENCE (64512)
                02 02 0000fde9 0000fdea          #   AS_SEQUENCE 65001 65002
                01 02 00000001 00000002          #   AS_SET {1 2}
                40 03 04 c0000201                # NEXT_HOP 192.0.2.1
                00                               # NLRI 0.0.0.0/0
                """)));
        assertThat(p.length()).isEqualTo(3);
        assertThat(p).hasToString("(64512) 65001 65002 {1 2}");
        AsPath set = AsPath.of(AsPath.AS_SEQUENCE, 2, 65001, 65002, AsPath.AS_SET, 2, 1, 2);
        roundTrip(
                MARKER + """
                003a 02 0000 0022                # length 58, UPDATE, 34 bytes of attributes
                40 01 01 01                      # ORIGIN EGP
                40 02 14                         # AS_PATH, 20 bytes
                02 02 0000fde9 0000fdea          #   AS_SEQUENCE 65001 65002
                01 02 00000001 00000002          #   AS_SET {1 2}
                40 03 04 c0000201                # NEXT_HOP 192.0.2.1
                00                               # NLRI 0.0.0.0/0
                """,
                Update.announce(u.attributes().toBuilder().asPath(set).build(), v4("0.0.0.0/0")),
                CodecOptions.AS4);
    }

    @Test
    void addPathIdsOnNlri() {
        CodecOptions ap =
                new CodecOptions(true, Set.of(Family.IPV4_UNICAST), Set.of(Family.IPV4_UNICAST), false, false);
        Nlri n = Nlri.builder(Family.IPV4_UNICAST, true)
                .add(Prefix.parse("10.0.0.1/32"), 1)
                .add(Prefix.parse("10.0.0.1/32"), 2)
                .build();
        Update u = Update.announce(
                PathAttributes.builder()
                        .origin(0)
                        .asPath(AsPath.EMPTY)
                        .nextHop("192.0.2.1")
                        .build(),
                n);
        roundTrip(MARKER + """
                0037 02 0000 000e                # length 55, UPDATE, 14 bytes of attributes
                40 01 01 00 40 02 00             # ORIGIN IGP, AS_PATH empty
                40 03 04 c0000201                # NEXT_HOP 192.0.2.1
                00000001 20 0a000001             # path id 1: 10.0.0.1/32
                00000002 20 0a000001             # path id 2: 10.0.0.1/32
                """, u, ap);
        assertThat(n.toString()).isEqualTo("[10.0.0.1/32 path 1, 10.0.0.1/32 path 2]");
    }

    @Test
    void sameAttributeBytesShareOneDecodedSet() {
        MessageDecoder d = new MessageDecoder();
        byte[] wire = bytes(EVERY_ATTRIBUTE);
        Update a = (Update) d.decode(io.netty.buffer.Unpooled.wrappedBuffer(wire), IBGP);
        Update b = (Update) d.decode(io.netty.buffer.Unpooled.wrappedBuffer(wire), IBGP);
        assertThat(b.attributes()).isSameAs(a.attributes());
    }
}
