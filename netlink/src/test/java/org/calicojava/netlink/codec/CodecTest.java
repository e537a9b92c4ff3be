package org.calicojava.netlink.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.calicojava.netlink.Hex;
import org.calicojava.netlink.NetlinkCodecException;
import org.junit.jupiter.api.Test;

/** Fixed structures and attribute parsing against hand-made vectors (little-endian hosts: x86-64, arm64). */
class CodecTest {
    static final String TWO_MESSAGES = """
            14 00 00 00   # nlmsg_len 20 (header 16 + 4 payload)
            03 00         # nlmsg_type 3 NLMSG_DONE
            02 00         # nlmsg_flags NLM_F_MULTI
            07 00 00 00   # nlmsg_seq 7
            39 30 00 00   # nlmsg_pid 12345
            00 00 00 00   # payload: int 0
            10 00 00 00   # nlmsg_len 16 (empty payload)
            01 00         # nlmsg_type NLMSG_NOOP
            00 00         # flags
            08 00 00 00   # seq 8
            00 00 00 00   # pid 0 (kernel)
            """;

    @Test
    void splitsADatagramIntoMessages() {
        List<NlMessage> msgs = NlMessage.split(Hex.buffer(TWO_MESSAGES));
        assertThat(msgs).hasSize(2);
        assertThat(msgs.get(0).header()).isEqualTo(new NlMsgHdr(20, Rtnl.NLMSG_DONE, Rtnl.NLM_F_MULTI, 7, 12345));
        assertThat(msgs.get(0).body().remaining()).isEqualTo(4);
        assertThat(msgs.get(1).header()).isEqualTo(new NlMsgHdr(16, Rtnl.NLMSG_NOOP, 0, 8, 0));
        assertThat(msgs.get(1).body().remaining()).isZero();
    }

    @Test
    void everyTruncationOfADatagramIsRejected() {
        byte[] all = Hex.bytes(TWO_MESSAGES);
        for (int cut = 1; cut < all.length; cut++) {
            if (cut == 20) {
                continue; // a whole first message: legitimately one message
            }
            ByteBuffer b = ByteBuffer.wrap(all, 0, cut).order(ByteOrder.nativeOrder());
            assertThatThrownBy(() -> NlMessage.split(b)).as("cut at %d", cut).isInstanceOf(NetlinkCodecException.class);
        }
    }

    @Test
    void lengthSmallerThanTheHeaderIsRejectedNotLoopedOn() {
        ByteBuffer zero = Hex.buffer("00 00 00 00  03 00  00 00  01 00 00 00  00 00 00 00 # nlmsg_len 0");
        assertThatThrownBy(() -> NlMessage.split(zero))
                .isInstanceOf(NetlinkCodecException.class)
                .hasMessage("nlmsghdr: length 0 (expected: >= 16)");
        ByteBuffer huge = Hex.buffer("ff ff ff ff  03 00  00 00  01 00 00 00  00 00 00 00 # nlmsg_len 4294967295");
        assertThatThrownBy(() -> NlMessage.split(huge))
                .isInstanceOf(NetlinkCodecException.class)
                .hasMessageContaining("length 4294967295");
    }

    @Test
    void decodesRtMsg() {
        RtMsg m = RtMsg.decode(Hex.buffer("""
                0a          # rtm_family AF_INET6
                40          # rtm_dst_len 64
                00          # rtm_src_len
                00          # rtm_tos
                fe          # rtm_table 254 main
                4d          # rtm_protocol 77
                fd          # rtm_scope 253 link
                01          # rtm_type RTN_UNICAST
                04 00 00 00 # rtm_flags RTNH_F_ONLINK
                """));
        assertThat(m).isEqualTo(new RtMsg(10, 64, 0, 0, 254, 77, 253, 1, 4));
        assertThatThrownBy(() -> RtMsg.decode(Hex.buffer("0a 40 00")))
                .isInstanceOf(NetlinkCodecException.class)
                .hasMessage("rtmsg: 3 bytes (expected: >= 12)");
    }

    @Test
    void decodesIfInfoMsgAndIfAddrMsg() {
        IfInfoMsg i = IfInfoMsg.decode(Hex.buffer("""
                00          # ifi_family AF_UNSPEC
                00          # padding
                01 00       # ifi_type ARPHRD_ETHER
                05 00 00 00 # ifi_index 5
                43 10 01 00 # ifi_flags UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
                ff ff ff ff # ifi_change
                """));
        assertThat(i).isEqualTo(new IfInfoMsg(0, 1, 5, 0x11043, -1));
        IfAddrMsg a = IfAddrMsg.decode(Hex.buffer("""
                02          # ifa_family AF_INET
                18          # ifa_prefixlen 24
                80          # ifa_flags IFA_F_PERMANENT
                fd          # ifa_scope link
                07 00 00 00 # ifa_index 7
                """));
        assertThat(a).isEqualTo(new IfAddrMsg(2, 24, 0x80, 253, 7));
        assertThat(RtNextHop.decode(Hex.buffer("""
                10 00       # rtnh_len 16
                04          # rtnh_flags ONLINK
                01          # rtnh_hops 1 (weight 2)
                03 00 00 00 # rtnh_ifindex 3
                """))).isEqualTo(new RtNextHop(16, 4, 1, 3));
    }

    @Test
    void parsesAttributesIncludingNestedAndMasksTypeFlags() {
        Attrs a = Attrs.parse(Hex.buffer("""
                0a 00 03 00 76 65 74 68 30 00 00 00   # len 10, IFLA_IFNAME "veth0\\0" + 2 padding
                08 00 04 00 dc 05 00 00               # len 8, IFLA_MTU 1500
                10 00 12 80                           # len 16, IFLA_LINKINFO | NLA_F_NESTED
                09 00 01 00 76 65 74 68 00 00 00 00   #   len 9, IFLA_INFO_KIND "veth\\0" + 3 padding
                05 00 10 00 06                        # len 5, IFLA_OPERSTATE 6 (last attribute: no padding)
                """), "link");
        assertThat(a.string(Rtnl.IFLA_IFNAME)).isEqualTo("veth0");
        assertThat(a.u32(Rtnl.IFLA_MTU, 0)).isEqualTo(1500);
        assertThat(a.nested(Rtnl.IFLA_LINKINFO).string(Rtnl.IFLA_INFO_KIND)).isEqualTo("veth");
        assertThat(a.u8(Rtnl.IFLA_OPERSTATE, 0)).isEqualTo(6);
        assertThat(a.has(Rtnl.IFLA_LINK)).isFalse();
        assertThat(a.u32(Rtnl.IFLA_LINK, -7)).isEqualTo(-7);
    }

    @Test
    void aRepeatedTypeGivesItsLastValueAndAllOfThemInOrderFromAnyPosition() {
        java.nio.ByteBuffer region = Hex.buffer("""
                ff ff ff ff                           # before the region's position: not parsed
                08 00 01 00 01 00 00 00               # NFTA_LIST_ELEM-like type 1: 1
                08 00 02 00 02 00 00 00               # type 2: 2
                08 00 01 00 03 00 00 00               # type 1 again: 3
                """);
        region.position(4);
        Attrs a = Attrs.parse(region, "list");
        assertThat(a.u32(1, 0)).isEqualTo(3);
        assertThat(a.all(1)).extracting(java.nio.ByteBuffer::getInt).containsExactly(1, 3);
        java.nio.ByteBuffer two = a.get(2);
        assertThat(two.getInt()).isEqualTo(2); // a view of its own: reading it moves nothing else
        assertThat(a.get(2).remaining()).isEqualTo(4);
        assertThat(a.bytes(2)).containsExactly(2, 0, 0, 0);
        assertThat(a.has(0)).isFalse();
        assertThat(a.has(40)).isFalse();
        assertThat(region.position()).isEqualTo(4);
    }

    @Test
    void malformedAttributesGiveCleanErrors() {
        assertThatThrownBy(() -> Attrs.parse(Hex.buffer("02 00 03 00"), "link"))
                .isInstanceOf(NetlinkCodecException.class)
                .hasMessage("link attribute 3: length 2 (expected: 4..4)");
        assertThatThrownBy(() -> Attrs.parse(Hex.buffer("0c 00 04 00 dc 05 00 00"), "link"))
                .isInstanceOf(NetlinkCodecException.class)
                .hasMessage("link attribute 4: length 12 (expected: 4..8)");
        assertThatThrownBy(() -> Attrs.parse(Hex.buffer("08 00"), "link"))
                .isInstanceOf(NetlinkCodecException.class)
                .hasMessage("link rtattr header: 2 bytes (expected: >= 4)");
        Attrs shortMtu = Attrs.parse(Hex.buffer("06 00 04 00 dc 05 00 00 # IFLA_MTU with a 2-byte value"), "link");
        assertThatThrownBy(() -> shortMtu.u32(Rtnl.IFLA_MTU, 0))
                .isInstanceOf(NetlinkCodecException.class)
                .hasMessage("link attribute 4: 2 bytes (expected: 4)");
        Attrs badAddress = Attrs.parse(Hex.buffer("07 00 05 00 0a 01 01 00 # RTA_GATEWAY of 3 bytes"), "route");
        assertThatThrownBy(() -> badAddress.address(Rtnl.RTA_GATEWAY))
                .isInstanceOf(NetlinkCodecException.class)
                .hasMessage("route attribute 5: address of 3 bytes (expected: 4 or 16)");
    }

    @Test
    void decodesAnErrorWithExtendedAck() {
        String eexist = """
                34 00 00 00   # nlmsg_len 52
                02 00         # NLMSG_ERROR
                00 03         # flags NLM_F_CAPPED | NLM_F_ACK_TLVS
                07 00 00 00   # seq 7
                00 00 00 00   # pid 0
                ef ff ff ff   # error -17 (EEXIST)
                44 00 00 00 18 00 05 06 07 00 00 00 00 00 00 00  # request header: len 68, RTM_NEWROUTE, seq 7
                08 00 01 00 62 61 64 00   # NLMSGERR_ATTR_MSG "bad"
                08 00 02 00 24 00 00 00   # NLMSGERR_ATTR_OFFS 36: the refused attribute, inside the 68-byte request
                """;
        NlMessage m = NlMessage.split(Hex.buffer(eexist)).get(0);
        NlError e = NlError.decode(m);
        assertThat(e.errno()).isEqualTo(17);
        assertThat(e.request().seq()).isEqualTo(7);
        assertThat(e.request().type()).isEqualTo(Rtnl.RTM_NEWROUTE);
        assertThat(e.message()).isEqualTo("bad");
        assertThat(e.offset()).isEqualTo(36);
        for (String outside : List.of("08 00 00 00", "44 00 00 00")) { // in the request's header; past its 68 bytes
            NlMessage at = NlMessage.split(
                            Hex.buffer(eexist.replace("08 00 02 00 24 00 00 00", "08 00 02 00 " + outside)))
                    .get(0);
            assertThat(NlError.decode(at).offset()).as("offset %s", outside).isEqualTo(-1);
        }
        NlMessage ack = NlMessage.split(Hex.buffer("""
                24 00 00 00 02 00 00 01 09 00 00 00 00 00 00 00  # NLMSG_ERROR, flags CAPPED, seq 9
                00 00 00 00                                      # error 0: an ack
                10 00 00 00 13 00 05 00 09 00 00 00 00 00 00 00  # request header RTM_SETLINK
                """)).get(0);
        assertThat(NlError.decode(ack)).isEqualTo(new NlError(0, new NlMsgHdr(16, 19, 5, 9, 0), null));
        NlMessage truncated = NlMessage.split(
                        Hex.buffer("18 00 00 00 02 00 00 00 09 00 00 00 00 00 00 00 " + "00 00 00 00 10 00 00 00"))
                .get(0);
        assertThatThrownBy(() -> NlError.decode(truncated))
                .isInstanceOf(NetlinkCodecException.class)
                .hasMessage("nlmsgerr: 8 bytes (expected: >= 20)");
    }

    @Test
    void writerFillsLengthsAndPadsNestedAttributes() {
        MessageWriter w = new MessageWriter(ByteBuffer.allocate(256));
        w.begin(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, 3);
        w.put(new IfInfoMsg(0, 0, 0, 0, 0));
        int nest = w.beginNested(Rtnl.IFLA_LINKINFO);
        w.attrString(Rtnl.IFLA_INFO_KIND, "veth");
        w.endNested(nest);
        int len = w.end();
        w.buffer().flip();
        assertThat(len).isEqualTo(48);
        assertThat(Hex.of(w.buffer()))
                .isEqualTo("30000000" + "1000" + "0500" + "03000000"
                        + "00000000" // nlmsghdr: len 48, NEWLINK, REQ|ACK, seq 3
                        + "00000000" + "00000000" + "00000000" + "00000000" // ifinfomsg, all zero
                        + "10001200" + "0900010076657468" + "00000000"); // LINKINFO { INFO_KIND "veth" }
    }
}
