package org.calicojava.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicojava.netlink.codec.Rtnl.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.codec.NlMessage;
import org.junit.jupiter.api.Test;

/**
 * vxlan/ipip link creation, neighbour and FDB messages against the bytes iproute2 sends for the same request
 * (captured with {@code strace -e trace=sendmsg -e write=3} of ip 6.x / bridge in a scratch namespace, the sequence
 * number replaced by 1): our requests are byte for byte ip's.
 */
class EncapCodecTest {
    /** ip link add vxlan.calico mtu 1450 address 66:00:00:00:00:01 type vxlan id 4096 dev up0(#3) local 192.0.2.1 dstport 4789 nolearning */
    static final String VXLAN_CREATE = """
            84 00 00 00 10 00 05 06  01 00 00 00 00 00 00 00   # nlmsghdr: len 132, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 1
            00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00   # ifinfomsg: all zero
            08 00 04 00 aa 05 00 00                           # IFLA_MTU 1450
            0a 00 01 00 66 00 00 00  00 01 00 00               # IFLA_ADDRESS 66:00:00:00:00:01
            11 00 03 00 76 78 6c 61  6e 2e 63 61 6c 69 63 6f  00 00 00 00   # IFLA_IFNAME "vxlan.calico"
            3c 00 12 00                                       # IFLA_LINKINFO, 60 bytes
            09 00 01 00 76 78 6c 61  6e 00 00 00               #   IFLA_INFO_KIND "vxlan" (no NUL, as ip)
            2c 00 02 00                                       #   IFLA_INFO_DATA, 44 bytes
            08 00 03 00 03 00 00 00                           #     IFLA_VXLAN_LINK 3
            08 00 01 00 00 10 00 00                           #     IFLA_VXLAN_ID 4096
            08 00 04 00 c0 00 02 01                           #     IFLA_VXLAN_LOCAL 192.0.2.1
            05 00 07 00 00 00 00 00                           #     IFLA_VXLAN_LEARNING 0
            06 00 0f 00 12 b5 00 00                           #     IFLA_VXLAN_PORT 4789 (big-endian)
            """;
    /** ip link add tunl0 type ipip */
    static final String IPIP_CREATE = """
            38 00 00 00 10 00 05 06  01 00 00 00 00 00 00 00   # nlmsghdr: len 56, RTM_NEWLINK, seq 1
            00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00   # ifinfomsg
            0a 00 03 00 74 75 6e 6c  30 00 00 00               # IFLA_IFNAME "tunl0"
            0c 00 12 00 08 00 01 00  69 70 69 70               # IFLA_LINKINFO { IFLA_INFO_KIND "ipip" }
            """;
    /** ip neigh replace 10.65.0.1 lladdr 66:00:00:00:00:02 dev vxlan.calico(#5) nud permanent */
    static final String NEIGH_REPLACE = """
            30 00 00 00 1c 00 05 05  01 00 00 00 00 00 00 00   # nlmsghdr: len 48, RTM_NEWNEIGH, REQUEST|ACK|REPLACE|CREATE
            02 00 00 00 05 00 00 00  80 00 00 00               # ndmsg: AF_INET, ifindex 5, NUD_PERMANENT, flags 0, type 0
            08 00 01 00 0a 41 00 01                           # NDA_DST 10.65.0.1
            0a 00 02 00 66 00 00 00  00 02 00 00               # NDA_LLADDR 66:00:00:00:00:02
            """;
    /** ip neigh del 10.65.0.1 dev vxlan.calico (after the entry above: ip sends its state) */
    static final String NEIGH_DELETE = """
            24 00 00 00 1d 00 05 00  01 00 00 00 00 00 00 00   # nlmsghdr: len 36, RTM_DELNEIGH, REQUEST|ACK
            02 00 00 00 05 00 00 00  80 00 00 00               # ndmsg: AF_INET, ifindex 5, NUD_PERMANENT
            08 00 01 00 0a 41 00 01                           # NDA_DST 10.65.0.1
            """;
    /** bridge fdb replace 66:00:00:00:00:02 dev vxlan.calico dst 198.51.100.2 self permanent */
    static final String FDB_REPLACE = """
            30 00 00 00 1c 00 05 05  01 00 00 00 00 00 00 00   # nlmsghdr: len 48, RTM_NEWNEIGH, REQUEST|ACK|REPLACE|CREATE
            07 00 00 00 05 00 00 00  c0 00 02 00               # ndmsg: AF_BRIDGE, ifindex 5, PERMANENT|NOARP, NTF_SELF
            0a 00 02 00 66 00 00 00  00 02 00 00               # NDA_LLADDR 66:00:00:00:00:02
            08 00 01 00 c6 33 64 02                           # NDA_DST 198.51.100.2
            """;
    /** bridge fdb del 66:00:00:00:00:02 dev vxlan.calico dst 198.51.100.2 self */
    static final String FDB_DELETE = """
            30 00 00 00 1d 00 05 00  01 00 00 00 00 00 00 00   # nlmsghdr: len 48, RTM_DELNEIGH, REQUEST|ACK
            07 00 00 00 05 00 00 00  c0 00 02 00               # ndmsg: AF_BRIDGE, ifindex 5, PERMANENT|NOARP, NTF_SELF
            0a 00 02 00 66 00 00 00  00 02 00 00               # NDA_LLADDR
            08 00 01 00 c6 33 64 02                           # NDA_DST
            """;

    static final MacAddress LOCAL_MAC = MacAddress.parse("66:00:00:00:00:01");
    static final MacAddress REMOTE_MAC = MacAddress.parse("66:00:00:00:00:02");

    static Vxlan vxlan() {
        return new Vxlan(4096, 3, IpPrefix.parseAddress("192.0.2.1"), 4789, false);
    }

    static Neighbour neighbour() {
        return Neighbour.permanent(5, IpPrefix.parseAddress("10.65.0.1"), REMOTE_MAC);
    }

    static FdbEntry fdb() {
        return FdbEntry.permanent(5, REMOTE_MAC, IpPrefix.parseAddress("198.51.100.2"));
    }

    private static String encoded(java.util.function.Consumer<MessageWriter> enc) {
        MessageWriter w = new MessageWriter(ByteBuffer.allocate(1024));
        enc.accept(w);
        return Hex.of(w.buffer().flip());
    }

    private static String hex(String vector) {
        return Hex.of(Hex.buffer(vector));
    }

    private static NlMessage one(String vector) {
        return NlMessage.split(Hex.buffer(vector)).get(0);
    }

    @Test
    void linkCreationIsWhatIpSends() {
        assertThat(encoded(w -> LinkCodec.encodeCreate(w, 1, LinkSpec.vxlan("vxlan.calico", vxlan(), 1450, LOCAL_MAC))))
                .isEqualTo(hex(VXLAN_CREATE));
        assertThat(encoded(w -> LinkCodec.encodeCreate(w, 1, LinkSpec.of("tunl0", "ipip"))))
                .isEqualTo(hex(IPIP_CREATE));
    }

    @Test
    void neighbourAndFdbRequestsAreWhatIpAndBridgeSend() {
        assertThat(encoded(w -> NeighbourCodec.encode(
                        w, RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, 1, neighbour())))
                .isEqualTo(hex(NEIGH_REPLACE));
        assertThat(encoded(w -> NeighbourCodec.encode(w, RTM_DELNEIGH, NLM_F_REQUEST | NLM_F_ACK, 1, neighbour())))
                .isEqualTo(hex(NEIGH_DELETE));
        assertThat(encoded(w -> NeighbourCodec.encodeFdb(
                        w, RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, 1, fdb())))
                .isEqualTo(hex(FDB_REPLACE));
        assertThat(encoded(w -> NeighbourCodec.encodeFdb(w, RTM_DELNEIGH, NLM_F_REQUEST | NLM_F_ACK, 1, fdb())))
                .isEqualTo(hex(FDB_DELETE));
    }

    @Test
    void decodesVxlanParametersNeighboursAndFdbEntries() {
        assertThat(LinkCodec.decodeVxlan(one(VXLAN_CREATE))).isEqualTo(vxlan());
        assertThat(LinkCodec.decode(one(VXLAN_CREATE)).kind()).isEqualTo("vxlan");
        assertThat(LinkCodec.decodeVxlan(one(IPIP_CREATE))).isNull();
        assertThat(NeighbourCodec.decode(one(NEIGH_REPLACE))).isEqualTo(neighbour());
        assertThat(NeighbourCodec.decodeFdb(one(FDB_REPLACE))).isEqualTo(fdb());
        assertThat(NeighbourCodec.decodeFdb(one(NEIGH_REPLACE)))
                .as("AF_INET is no fdb entry")
                .isNull();
        assertThat(NeighbourCodec.decode(one(FDB_REPLACE)))
                .as("AF_BRIDGE is no neighbour")
                .isNull();
    }

    @Test
    void ipv6LocalGoesToLocal6() {
        Vxlan v6 = new Vxlan(4096, 2, IpPrefix.parseAddress("2001:db8::1"), 4789, false);
        MessageWriter w = new MessageWriter(ByteBuffer.allocate(1024));
        LinkCodec.encodeCreate(w, 1, LinkSpec.vxlan("vxlan-v6.calico", v6, 1430, null));
        NlMessage m = NlMessage.split(w.buffer().flip().order(ByteOrder.nativeOrder()))
                .get(0);
        assertThat(LinkCodec.decodeVxlan(m)).isEqualTo(v6);
        assertThat(v6.ipv6()).isTrue();
    }

    /** Any corruption either decodes to some value or throws NetlinkCodecException: never another exception. */
    @Test
    void randomCorruptionOnlyEverGivesCodecExceptions() {
        Random random = new Random(7);
        for (String vector : List.of(VXLAN_CREATE, NEIGH_REPLACE, FDB_REPLACE)) {
            byte[] good = Hex.bytes(vector);
            for (int i = 0; i < 3000; i++) {
                byte[] bad = good.clone();
                for (int f = 0, flips = 1 + random.nextInt(4); f < flips; f++) {
                    bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                }
                List<NlMessage> msgs;
                try {
                    msgs = NlMessage.split(ByteBuffer.wrap(bad).order(ByteOrder.nativeOrder()));
                } catch (NetlinkCodecException expected) {
                    continue;
                }
                for (NlMessage m : msgs) {
                    for (Runnable r : List.<Runnable>of(
                            () -> LinkCodec.decodeVxlan(m),
                            () -> NeighbourCodec.decode(m),
                            () -> NeighbourCodec.decodeFdb(m))) {
                        try {
                            r.run();
                        } catch (NetlinkCodecException expected) {
                            // a clean error
                        }
                    }
                }
            }
        }
    }
}
