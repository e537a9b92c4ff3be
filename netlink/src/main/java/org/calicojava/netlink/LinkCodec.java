package org.calicojava.netlink;

import static org.calicojava.netlink.codec.Rtnl.*;

import java.nio.ByteBuffer;
import org.calicojava.netlink.codec.Attrs;
import org.calicojava.netlink.codec.IfInfoMsg;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.codec.NlMessage;

/** Link ↔ RTM_NEWLINK/RTM_DELLINK/RTM_GETLINK/RTM_SETLINK messages. Pure. */
final class LinkCodec {
    private LinkCodec() {
    }

    /** A change to an existing link; null/0 fields are left alone. */
    record Change(int index, String name, int flags, int flagMask, int mtu, MacAddress mac, String newName,
                  int netnsFd) {
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
        w.end();
    }

    static void encodeDump(MessageWriter w, int seq) {
        w.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq);
        w.put(new IfInfoMsg(AF_UNSPEC, 0, 0, 0, 0));
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
        return new Link(ifi.index(), name, ifi.flags(), a.u32(IFLA_MTU, 0), mac, kind, a.u32(IFLA_LINK, 0),
                a.u8(IFLA_OPERSTATE, 0));
    }
}
