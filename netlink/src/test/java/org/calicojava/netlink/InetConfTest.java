package org.calicojava.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.calicojava.netlink.codec.Attrs;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.codec.Rtnl;
import org.junit.jupiter.api.Test;

/**
 * Decoding a link's IPv4/IPv6 settings from IFLA_AF_SPEC as the kernel lays it out (the real layout is checked
 * against /proc in {@code InetConfIT}); short arrays and broken lengths give "unknown" (-1), never an exception or a
 * value read from the wrong place.
 */
class InetConfTest {
    /** IFLA_AF_SPEC with AF_INET's conf array of {@code v4} entries and AF_INET6's of {@code v6}. */
    private static Attrs link(int v4, int v6) {
        MessageWriter w = new MessageWriter(ByteBuffer.allocate(4096));
        int af = w.beginNested(InetConf.IFLA_AF_SPEC);
        if (v4 > 0) {
            int inet = w.beginNested(Rtnl.AF_INET);
            w.attr(InetConf.IFLA_INET_CONF, array(v4, 100)); // entry i holds 100 + i
            w.endNested(inet);
        }
        if (v6 > 0) {
            int inet6 = w.beginNested(Rtnl.AF_INET6);
            w.attrU32(1, 0x80000000); // IFLA_INET6_FLAGS first, as the kernel sends it
            w.attr(InetConf.IFLA_INET6_CONF, array(v6, 200));
            w.endNested(inet6);
        }
        w.endNested(af);
        return Attrs.parse(w.buffer().flip(), "link");
    }

    private static byte[] array(int n, int base) {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            b.putInt(base + i);
        }
        return b.array();
    }

    @Test
    void readsEachSettingFromItsIndex() {
        assertThat(InetConf.decode(link(40, 90))).isEqualTo(new InetConf(100, 102, 125, 200, 203, 222));
    }

    @Test
    void aFamilyOrAnEntryThatIsNotThereIsUnknown() {
        assertThat(InetConf.decode(link(40, 0))).isEqualTo(new InetConf(100, 102, 125, -1, -1, -1));
        assertThat(InetConf.decode(link(40, 0)).hasIpv6()).isFalse();
        assertThat(InetConf.decode(link(3, 10))).isEqualTo(new InetConf(100, 102, -1, 200, 203, -1));
        assertThat(InetConf.decode(link(0, 0))).isSameAs(InetConf.UNKNOWN);
        assertThat(InetConf.decode(Attrs.parse(ByteBuffer.allocate(0), "link"))).isSameAs(InetConf.UNKNOWN);
    }

    @Test
    void linksThatDifferOnlyInTheirSettingsAreTheSameDevice() {
        MacAddress mac = MacAddress.parse("ee:ee:ee:ee:ee:ee");
        Link read = new Link(5, "cali0", 0x11043, 1500, mac, "veth", 4, 6, new InetConf(0, 0, 0, 0, 1, 0));
        Link configured = new Link(5, "cali0", 0x11043, 1500, mac, "veth", 4, 6, new InetConf(1, 1, 1, 1, 0, 1));
        assertThat(configured.sameDevice(read)).isTrue();
        assertThat(configured).isNotEqualTo(read);
        assertThat(new Link(5, "cali0", 0x11042, 1500, mac, "veth", 4, 6, read.inet()).sameDevice(read))
                .as("a flag")
                .isFalse();
        assertThat(new Link(6, "cali0", 0x11043, 1500, mac, "veth", 4, 6, read.inet()).sameDevice(read))
                .as("made again")
                .isFalse();
        assertThat(new Link(5, "cali0", 0x11043, 1500, null, "veth", 4, 6, read.inet()).sameDevice(read))
                .as("the MAC")
                .isFalse();
        assertThat(read.sameDevice(null)).isFalse();
    }

    @Test
    void aBrokenNestedLengthEndsTheWalk() {
        MessageWriter w = new MessageWriter(ByteBuffer.allocate(256));
        int af = w.beginNested(InetConf.IFLA_AF_SPEC);
        w.buffer().putShort((short) 200).putShort((short) Rtnl.AF_INET).putInt(1); // claims 200 bytes, has 8
        w.endNested(af);
        assertThat(InetConf.decode(Attrs.parse(w.buffer().flip(), "link"))).isSameAs(InetConf.UNKNOWN);
    }
}
