package org.calicojava.netlink;

import static org.calicojava.netlink.codec.Rtnl.AF_BRIDGE;
import static org.calicojava.netlink.codec.Rtnl.AF_INET;
import static org.calicojava.netlink.codec.Rtnl.AF_INET6;
import static org.calicojava.netlink.codec.Rtnl.NDA_DST;
import static org.calicojava.netlink.codec.Rtnl.NDA_LLADDR;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_DUMP;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_REQUEST;
import static org.calicojava.netlink.codec.Rtnl.NTF_SELF;
import static org.calicojava.netlink.codec.Rtnl.RTM_DELNEIGH;
import static org.calicojava.netlink.codec.Rtnl.RTM_GETNEIGH;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.calicojava.netlink.codec.Attrs;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.codec.NdMsg;
import org.calicojava.netlink.codec.NlMessage;

/**
 * Neighbour and FDB entries ↔ RTM_NEWNEIGH/RTM_DELNEIGH/RTM_GETNEIGH messages (ndmsg + NDA_DST, NDA_LLADDR); FDB
 * entries are family AF_BRIDGE with NTF_SELF (the device's own table, as {@code bridge fdb ... self}). Pure.
 */
final class NeighbourCodec {
    private NeighbourCodec() {}

    /** {@code type} RTM_NEWNEIGH (add/replace, by {@code flags}) or RTM_DELNEIGH. */
    static void encode(MessageWriter w, int type, int flags, int seq, Neighbour n) {
        w.begin(type, flags, seq);
        w.put(new NdMsg(n.family(), n.ifindex(), n.state(), 0, 0)); // ip sends the state on deletes too
        w.attr(NDA_DST, n.dst().getAddress());
        if (type != RTM_DELNEIGH && n.lladdr() != null) {
            w.attr(NDA_LLADDR, n.lladdr().bytes());
        }
        w.end();
    }

    static void encodeFdb(MessageWriter w, int type, int flags, int seq, FdbEntry e) {
        w.begin(type, flags, seq);
        w.put(new NdMsg(AF_BRIDGE, e.ifindex(), e.state(), NTF_SELF, 0));
        w.attr(NDA_LLADDR, e.mac().bytes());
        if (e.dst() != null) {
            w.attr(NDA_DST, e.dst().getAddress());
        }
        w.end();
    }

    /** A dump of {@code family} (AF_INET, AF_INET6, AF_BRIDGE; AF_UNSPEC: IPv4 and IPv6); callers filter by device. */
    static void encodeDump(MessageWriter w, int seq, int family) {
        w.begin(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, seq);
        w.put(new NdMsg(family, 0, 0, 0, 0));
        w.end();
    }

    /** An IPv4/IPv6 neighbour entry; null for other families or entries without NDA_DST. */
    static Neighbour decode(NlMessage m) {
        ByteBuffer b = m.body().duplicate().order(m.body().order());
        NdMsg nd = NdMsg.decode(b);
        if (nd.family() != AF_INET && nd.family() != AF_INET6) {
            return null;
        }
        Attrs a = Attrs.parse(b, "neighbour");
        InetAddress dst = a.address(NDA_DST);
        if (dst == null || nd.index() <= 0) {
            return null;
        }
        return new Neighbour(nd.index(), dst, mac(a), nd.state());
    }

    /** A device's own FDB entry (NTF_SELF); null for others (a bridge's own table, non-bridge families). */
    static FdbEntry decodeFdb(NlMessage m) {
        ByteBuffer b = m.body().duplicate().order(m.body().order());
        NdMsg nd = NdMsg.decode(b);
        if (nd.family() != AF_BRIDGE || (nd.flags() & NTF_SELF) == 0 || nd.index() <= 0) {
            return null;
        }
        Attrs a = Attrs.parse(b, "fdb");
        MacAddress mac = mac(a);
        return mac == null ? null : new FdbEntry(nd.index(), mac, a.address(NDA_DST), nd.state());
    }

    private static MacAddress mac(Attrs a) {
        byte[] ll = a.bytes(NDA_LLADDR);
        return ll != null && ll.length == 6 ? MacAddress.of(ll) : null;
    }
}
