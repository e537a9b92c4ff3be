package org.calicojava.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.calicojava.netlink.codec.Rtnl.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.codec.NlMessage;
import org.junit.jupiter.api.Test;

/** Route, link and address messages against hand-made vectors, and robustness against corrupt input. */
class MessageCodecTest {
    static final String ROUTE_VIA = """
            44 00 00 00   # nlmsg_len 68
            18 00         # RTM_NEWROUTE
            05 06         # NLM_F_REQUEST|NLM_F_ACK|NLM_F_EXCL|NLM_F_CREATE
            01 00 00 00   # seq 1
            00 00 00 00   # pid 0
            02 18 00 00   # rtmsg: AF_INET, dst_len 24, src_len 0, tos 0
            fe 4d 00 01   #        table 254, protocol 77, scope universe, RTN_UNICAST
            00 00 00 00   #        flags
            08 00 01 00 0a 00 00 00   # RTA_DST 10.0.0.0
            08 00 0f 00 fe 00 00 00   # RTA_TABLE 254
            08 00 06 00 64 00 00 00   # RTA_PRIORITY 100
            08 00 05 00 0a 01 01 01   # RTA_GATEWAY 10.1.1.1
            08 00 04 00 03 00 00 00   # RTA_OIF 3
            """;
    static final String ROUTE_MULTIPATH = """
            50 00 00 00 18 00 05 06 02 00 00 00 00 00 00 00   # nlmsghdr: len 80, RTM_NEWROUTE, seq 2
            02 10 00 00 fe 4d 00 01 00 00 00 00               # rtmsg: AF_INET /16 main proto 77 universe unicast
            08 00 01 00 0a 02 00 00                           # RTA_DST 10.2.0.0
            08 00 0f 00 fe 00 00 00                           # RTA_TABLE 254
            24 00 09 00                                       # RTA_MULTIPATH, 36 bytes
            10 00 00 00 03 00 00 00                           #   rtnexthop len 16, flags 0, hops 0 (weight 1), if 3
            08 00 05 00 0a 01 01 01                           #     RTA_GATEWAY 10.1.1.1
            10 00 00 01 04 00 00 00                           #   rtnexthop len 16, flags 0, hops 1 (weight 2), if 4
            08 00 05 00 0a 01 01 02                           #     RTA_GATEWAY 10.1.1.2
            """;
    static final String ROUTE_BLACKHOLE6 = """
            38 00 00 00 18 00 05 06 03 00 00 00 00 00 00 00   # nlmsghdr: len 56, RTM_NEWROUTE, seq 3
            0a 40 00 00 fe 4d 00 06 00 00 00 00               # rtmsg: AF_INET6 /64 main proto 77 universe RTN_BLACKHOLE
            14 00 01 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 00   # RTA_DST 2001:db8::
            08 00 0f 00 fe 00 00 00                           # RTA_TABLE 254
            """;
    static final String LINK = """
            60 00 00 00 10 00 00 00 00 00 00 00 00 00 00 00   # nlmsghdr: len 96, RTM_NEWLINK
            00 00 01 00                                       # ifinfomsg: AF_UNSPEC, pad, ARPHRD_ETHER
            05 00 00 00                                       #   index 5
            43 10 01 00                                       #   flags UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
            00 00 00 00                                       #   change
            0a 00 03 00 76 65 74 68 30 00 00 00               # IFLA_IFNAME "veth0"
            08 00 04 00 dc 05 00 00                           # IFLA_MTU 1500
            0a 00 01 00 ee ee ee ee ee ee 00 00               # IFLA_ADDRESS ee:ee:ee:ee:ee:ee
            10 00 12 00 09 00 01 00 76 65 74 68 00 00 00 00   # IFLA_LINKINFO { IFLA_INFO_KIND "veth" }
            08 00 05 00 04 00 00 00                           # IFLA_LINK 4 (the peer)
            05 00 10 00 06 00 00 00                           # IFLA_OPERSTATE 6 (up)
            """;
    static final String ADDRESS = """
            3c 00 00 00 14 00 00 00 00 00 00 00 00 00 00 00   # nlmsghdr: len 60, RTM_NEWADDR
            02 18 80 00 05 00 00 00                           # ifaddrmsg: AF_INET /24 PERMANENT scope 0 index 5
            08 00 01 00 0a 00 00 01                           # IFA_ADDRESS 10.0.0.1
            08 00 02 00 0a 00 00 01                           # IFA_LOCAL 10.0.0.1
            0a 00 03 00 76 65 74 68 30 00 00 00               # IFA_LABEL "veth0"
            08 00 08 00 80 00 00 00                           # IFA_FLAGS PERMANENT
            """;

    static Route viaRoute() {
        return Route.builder("10.0.0.0/24")
                .protocol(77)
                .metric(100)
                .via("10.1.1.1", 3)
                .build();
    }

    static Route multipathRoute() {
        return Route.builder("10.2.0.0/16")
                .protocol(77)
                .via("10.1.1.1", 3)
                .nextHop(NextHop.via(IpPrefix.parseAddress("10.1.1.2"), 4).withWeight(2))
                .build();
    }

    static Route blackhole6() {
        return Route.builder("2001:db8::/64")
                .protocol(77)
                .type(RouteType.BLACKHOLE)
                .build();
    }

    static String encode(Route r, int seq) {
        MessageWriter w = new MessageWriter(ByteBuffer.allocate(512));
        RouteCodec.encode(w, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, r);
        return Hex.of(w.buffer().flip());
    }

    static NlMessage one(String vector) {
        return NlMessage.split(Hex.buffer(vector)).get(0);
    }

    @Test
    void encodesRoutesByteForByte() {
        assertThat(encode(viaRoute(), 1)).isEqualTo(Hex.of(Hex.buffer(ROUTE_VIA)));
        assertThat(encode(multipathRoute(), 2)).isEqualTo(Hex.of(Hex.buffer(ROUTE_MULTIPATH)));
        assertThat(encode(blackhole6(), 3)).isEqualTo(Hex.of(Hex.buffer(ROUTE_BLACKHOLE6)));
    }

    @Test
    void decodesRoutesBackToTheSameValue() {
        assertThat(RouteCodec.decode(one(ROUTE_VIA))).isEqualTo(viaRoute());
        assertThat(RouteCodec.decode(one(ROUTE_MULTIPATH))).isEqualTo(multipathRoute());
        assertThat(RouteCodec.decode(one(ROUTE_BLACKHOLE6))).isEqualTo(blackhole6());
    }

    @Test
    void deleteUsesScopeNowhereToMatchAnyScope() {
        MessageWriter w = new MessageWriter(ByteBuffer.allocate(512));
        RouteCodec.encode(
                w,
                RTM_DELROUTE,
                NLM_F_REQUEST | NLM_F_ACK,
                1,
                Route.builder("10.9.0.0/16").dev(2).build());
        ByteBuffer b = w.buffer().flip();
        assertThat(b.get(16 + 6) & 0xff).as("rtm_scope").isEqualTo(RT_SCOPE_NOWHERE);
    }

    @Test
    void decodesLinksAndAddresses() {
        assertThat(LinkCodec.decode(one(LINK)))
                .isEqualTo(new Link(
                        5,
                        "veth0",
                        0x11043,
                        1500,
                        MacAddress.parse("ee:ee:ee:ee:ee:ee"),
                        "veth",
                        4,
                        6,
                        InetConf.UNKNOWN));
        assertThat(AddressCodec.decode(one(ADDRESS)))
                .isEqualTo(new Address(5, IpPrefix.parse("10.0.0.1/24"), 0, 0x80, "veth0"));
    }

    @Test
    void truncatedRtNextHopIsRejected() {
        byte[] v = Hex.bytes(ROUTE_MULTIPATH);
        v[16 + 12 + 16 + 4] = 0x40; // first rtnexthop claims 64 bytes
        NlMessage m = NlMessage.split(ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()))
                .get(0);
        assertThatThrownBy(() -> RouteCodec.decode(m))
                .isInstanceOf(NetlinkCodecException.class)
                .hasMessage("rtnexthop: length 64 (expected: 8..32)");
    }

    /** Any corruption either decodes to some value or throws NetlinkCodecException: never another exception. */
    @Test
    void randomCorruptionOnlyEverGivesCodecExceptions() {
        Random random = new Random(42);
        for (String vector : List.of(ROUTE_VIA, ROUTE_MULTIPATH, ROUTE_BLACKHOLE6, LINK, ADDRESS)) {
            byte[] good = Hex.bytes(vector);
            for (int i = 0; i < 3000; i++) {
                byte[] bad = good.clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                }
                int len = random.nextInt(4) == 0 ? random.nextInt(bad.length + 1) : bad.length;
                List<NlMessage> msgs;
                try {
                    msgs = NlMessage.split(ByteBuffer.wrap(bad, 0, len).order(ByteOrder.nativeOrder()));
                } catch (NetlinkCodecException expected) {
                    continue;
                }
                for (NlMessage m : msgs) {
                    decodeOrCodecError(() -> RouteCodec.decode(m));
                    decodeOrCodecError(() -> LinkCodec.decode(m));
                    decodeOrCodecError(() -> AddressCodec.decode(m));
                }
            }
        }
    }

    private static void decodeOrCodecError(Runnable decode) {
        try {
            decode.run();
        } catch (NetlinkCodecException expected) {
            // fine: a clean error
        }
    }
}
