package org.calicojava.netlink;

import static org.calicojava.netlink.codec.Rtnl.AF_UNSPEC;
import static org.calicojava.netlink.codec.Rtnl.IFLA_ADDRESS;
import static org.calicojava.netlink.codec.Rtnl.IFLA_IFALIAS;
import static org.calicojava.netlink.codec.Rtnl.IFLA_IFNAME;
import static org.calicojava.netlink.codec.Rtnl.IFLA_INFO_DATA;
import static org.calicojava.netlink.codec.Rtnl.IFLA_INFO_KIND;
import static org.calicojava.netlink.codec.Rtnl.IFLA_LINK;
import static org.calicojava.netlink.codec.Rtnl.IFLA_LINKINFO;
import static org.calicojava.netlink.codec.Rtnl.IFLA_MTU;
import static org.calicojava.netlink.codec.Rtnl.IFLA_NET_NS_FD;
import static org.calicojava.netlink.codec.Rtnl.IFLA_OPERSTATE;
import static org.calicojava.netlink.codec.Rtnl.IFLA_VXLAN_ID;
import static org.calicojava.netlink.codec.Rtnl.IFLA_VXLAN_LEARNING;
import static org.calicojava.netlink.codec.Rtnl.IFLA_VXLAN_LINK;
import static org.calicojava.netlink.codec.Rtnl.IFLA_VXLAN_LOCAL;
import static org.calicojava.netlink.codec.Rtnl.IFLA_VXLAN_LOCAL6;
import static org.calicojava.netlink.codec.Rtnl.IFLA_VXLAN_PORT;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_ACK;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_CREATE;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_DUMP;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_EXCL;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_REQUEST;
import static org.calicojava.netlink.codec.Rtnl.RTM_DELLINK;
import static org.calicojava.netlink.codec.Rtnl.RTM_GETLINK;
import static org.calicojava.netlink.codec.Rtnl.RTM_NEWLINK;
import static org.calicojava.netlink.codec.Rtnl.RTM_SETLINK;
import static org.calicojava.netlink.codec.Rtnl.VETH_INFO_PEER;

import java.nio.ByteBuffer;
import org.calicojava.netlink.codec.Attrs;
import org.calicojava.netlink.codec.IfInfoMsg;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.codec.NlMessage;

/** Link ↔ RTM_NEWLINK/RTM_DELLINK/RTM_GETLINK/RTM_SETLINK messages. Pure. */
final class LinkCodec {
    /** IFLA_EXT_MASK: which optional parts of a link message a get or dump asks for. */
    static final int IFLA_EXT_MASK = 29;
    /**
     * RTEXT_FILTER_SKIP_STATS (Linux 4.4): leave out the IPv6 counters (summed over every CPU for each link; a
     * quarter of a veth's message) and the other optional counters; nothing here reads them.
     */
    static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;

    private LinkCodec() {}

    /** A change to an existing link; null/0 fields are left alone. */
    record Change(
            int index, String name, int flags, int flagMask, int mtu, MacAddress mac, String newName, int netnsFd) {
        static Change of(int index, String name) {
            return new Change(index, name, 0, 0, 0, null, null, -1);
        }
    }

    /** RTM_GETLINK for one link by index (when > 0) or name. */
    static void encodeGet(MessageWriter w, int seq, int index, String name) {
        w.begin(RTM_GETLINK, NLM_F_REQUEST, seq);
        w.put(new IfInfoMsg(AF_UNSPEC, 0, index, 0, 0));
        if (index <= 0) {
            w.attrString(IFLA_IFNAME, name);
        }
        w.attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        w.end();
    }

    static void encodeDump(MessageWriter w, int seq) {
        w.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq);
        w.put(new IfInfoMsg(AF_UNSPEC, 0, 0, 0, 0));
        w.attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        w.end();
    }

    /** Creates a veth pair; the peer goes straight into the namespace of {@code peerNetnsFd} when >= 0. */
    static void encodeVeth(MessageWriter w, int seq, String name, String peer, int peerNetnsFd) {
        w.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq);
        w.put(new IfInfoMsg(AF_UNSPEC, 0, 0, 0, 0));
        w.attrString(IFLA_IFNAME, name);
        int info = w.beginNested(IFLA_LINKINFO);
        w.attrString(IFLA_INFO_KIND, "veth");
        int data = w.beginNested(IFLA_INFO_DATA);
        int peerAttr = w.beginNested(VETH_INFO_PEER);
        w.put(new IfInfoMsg(AF_UNSPEC, 0, 0, 0, 0));
        w.attrString(IFLA_IFNAME, peer);
        if (peerNetnsFd >= 0) {
            w.attrU32(IFLA_NET_NS_FD, peerNetnsFd);
        }
        w.endNested(peerAttr);
        w.endNested(data);
        w.endNested(info);
        w.end();
    }

    /** Creates a link of {@code spec.kind()} through IFLA_LINKINFO, with its vxlan data when it is a vxlan. */
    static void encodeCreate(MessageWriter w, int seq, LinkSpec spec) {
        // attributes in the order ip(8) writes them, so a request is byte for byte what "ip link add" sends
        w.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq);
        w.put(new IfInfoMsg(AF_UNSPEC, 0, 0, 0, 0));
        if (spec.mtu() > 0) {
            w.attrU32(IFLA_MTU, spec.mtu());
        }
        if (spec.mac() != null) {
            w.attr(IFLA_ADDRESS, spec.mac().bytes());
        }
        w.attrString(IFLA_IFNAME, spec.name());
        int info = w.beginNested(IFLA_LINKINFO);
        w.attr(IFLA_INFO_KIND, spec.kind().getBytes(java.nio.charset.StandardCharsets.US_ASCII)); // no NUL, as ip
        Vxlan v = spec.vxlan();
        if (v != null) {
            int data = w.beginNested(IFLA_INFO_DATA);
            if (v.uplinkIndex() > 0) {
                w.attrU32(IFLA_VXLAN_LINK, v.uplinkIndex());
            }
            w.attrU32(IFLA_VXLAN_ID, v.vni());
            if (v.local() != null) {
                w.attr(
                        v.ipv6() ? IFLA_VXLAN_LOCAL6 : IFLA_VXLAN_LOCAL,
                        v.local().getAddress());
            }
            w.attrU8(IFLA_VXLAN_LEARNING, v.learning() ? 1 : 0);
            w.attrBe16(IFLA_VXLAN_PORT, v.port());
            w.endNested(data);
        }
        w.endNested(info);
        w.end();
    }

    /** The vxlan parameters of a link message, or null when the link is not a vxlan. */
    static Vxlan decodeVxlan(NlMessage m) {
        ByteBuffer b = m.body().duplicate().order(m.body().order());
        IfInfoMsg.decode(b);
        Attrs info = Attrs.parse(b, "link").nested(IFLA_LINKINFO);
        if (!"vxlan".equals(info.string(IFLA_INFO_KIND))) {
            return null;
        }
        Attrs d = info.nested(IFLA_INFO_DATA);
        ByteBuffer port = d.get(IFLA_VXLAN_PORT);
        int p = port != null && port.remaining() >= 2 ? ((port.get(0) & 0xff) << 8) | (port.get(1) & 0xff) : 0;
        try {
            return new Vxlan(
                    d.u32(IFLA_VXLAN_ID, 0),
                    d.u32(IFLA_VXLAN_LINK, 0),
                    d.has(IFLA_VXLAN_LOCAL6) ? d.address(IFLA_VXLAN_LOCAL6) : d.address(IFLA_VXLAN_LOCAL),
                    p == 0 ? 8472 : p,
                    d.u8(IFLA_VXLAN_LEARNING, 1) != 0);
        } catch (IllegalArgumentException e) {
            throw new NetlinkCodecException("vxlan link: " + e.getMessage());
        }
    }

    static void encodeDelete(MessageWriter w, int seq, int index, String name) {
        w.begin(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
        w.put(new IfInfoMsg(AF_UNSPEC, 0, Math.max(index, 0), 0, 0));
        if (index <= 0) {
            w.attrString(IFLA_IFNAME, name);
        }
        w.end();
    }

    static void encodeChange(MessageWriter w, int seq, Change c) {
        w.begin(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
        w.put(new IfInfoMsg(AF_UNSPEC, 0, Math.max(c.index(), 0), c.flags(), c.flagMask()));
        if (c.index() <= 0) {
            w.attrString(IFLA_IFNAME, c.name());
        } else if (c.newName() != null) {
            w.attrString(IFLA_IFNAME, c.newName());
        }
        if (c.mtu() > 0) {
            w.attrU32(IFLA_MTU, c.mtu());
        }
        if (c.mac() != null) {
            w.attr(IFLA_ADDRESS, c.mac().bytes());
        }
        if (c.netnsFd() >= 0) {
            w.attrU32(IFLA_NET_NS_FD, c.netnsFd());
        }
        w.end();
    }

    /** RTM_SETLINK of link {@code name}'s alias (IFLA_IFALIAS, {@code ip link set NAME alias TEXT}). */
    static void encodeAlias(MessageWriter w, int seq, String name, String alias) {
        w.begin(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
        w.put(new IfInfoMsg(AF_UNSPEC, 0, 0, 0, 0));
        w.attrString(IFLA_IFNAME, name);
        w.attrString(IFLA_IFALIAS, alias);
        w.end();
    }

    /** The alias (IFLA_IFALIAS) of a link message, "" when it has none. */
    static String decodeAlias(NlMessage m) {
        ByteBuffer b = m.body().duplicate().order(m.body().order());
        IfInfoMsg.decode(b);
        String alias = Attrs.parse(b, "link").string(IFLA_IFALIAS);
        return alias == null ? "" : alias;
    }

    static Link decode(NlMessage m) {
        ByteBuffer b = m.body().duplicate().order(m.body().order());
        IfInfoMsg ifi = IfInfoMsg.decode(b);
        Attrs a = Attrs.parse(b, "link");
        String name = a.string(IFLA_IFNAME);
        if (name == null) {
            throw new NetlinkCodecException("link " + ifi.index() + ": no IFLA_IFNAME");
        }
        byte[] hw = a.bytes(IFLA_ADDRESS);
        MacAddress mac = hw != null && hw.length == 6 ? MacAddress.of(hw) : null;
        String kind = a.nested(IFLA_LINKINFO).string(IFLA_INFO_KIND);
        return new Link(
                ifi.index(),
                name,
                ifi.flags(),
                a.u32(IFLA_MTU, 0),
                mac,
                kind,
                a.u32(IFLA_LINK, 0),
                a.u8(IFLA_OPERSTATE, 0),
                InetConf.decode(a));
    }
}
