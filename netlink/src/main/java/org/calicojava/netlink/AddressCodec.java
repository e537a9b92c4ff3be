package org.calicojava.netlink;

import static org.calicojava.netlink.codec.Rtnl.AF_INET;
import static org.calicojava.netlink.codec.Rtnl.AF_INET6;
import static org.calicojava.netlink.codec.Rtnl.IFA_ADDRESS;
import static org.calicojava.netlink.codec.Rtnl.IFA_FLAGS;
import static org.calicojava.netlink.codec.Rtnl.IFA_LABEL;
import static org.calicojava.netlink.codec.Rtnl.IFA_LOCAL;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_DUMP;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_REQUEST;
import static org.calicojava.netlink.codec.Rtnl.RTM_GETADDR;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.calicojava.netlink.codec.Attrs;
import org.calicojava.netlink.codec.IfAddrMsg;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.codec.NlMessage;

/** Address ↔ RTM_NEWADDR/RTM_DELADDR/RTM_GETADDR messages. Pure. */
final class AddressCodec {
    private AddressCodec() {}

    /** {@code type} is RTM_NEWADDR or RTM_DELADDR. IFA_LOCAL and IFA_ADDRESS both carry the address, as ip does. */
    static void encode(MessageWriter w, int type, int flags, int seq, Address a) {
        w.begin(type, flags, seq);
        w.put(new IfAddrMsg(a.prefix().family(), a.prefix().length(), a.flags() & 0xff, a.scope(), a.ifindex()));
        byte[] raw = a.prefix().address().getAddress();
        w.attr(IFA_LOCAL, raw);
        w.attr(IFA_ADDRESS, raw);
        if ((a.flags() & ~0xff) != 0) {
            w.attrU32(IFA_FLAGS, a.flags());
        }
        w.end();
    }

    static void encodeDump(MessageWriter w, int seq, int family) {
        w.begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq);
        w.put(new IfAddrMsg(family, 0, 0, 0, 0));
        w.end();
    }

    /** Decodes an RTM_NEWADDR/RTM_DELADDR body; null for families other than IPv4/IPv6. */
    static Address decode(NlMessage m) {
        ByteBuffer b = m.body().duplicate().order(m.body().order());
        IfAddrMsg ifa = IfAddrMsg.decode(b);
        if (ifa.family() != AF_INET && ifa.family() != AF_INET6) {
            return null;
        }
        Attrs a = Attrs.parse(b, "address");
        InetAddress addr = a.has(IFA_LOCAL) ? a.address(IFA_LOCAL) : a.address(IFA_ADDRESS);
        if (addr == null) {
            throw new NetlinkCodecException("address on ifindex " + ifa.index() + ": no IFA_LOCAL or IFA_ADDRESS");
        }
        try {
            return new Address(
                    ifa.index(),
                    new IpPrefix(addr, ifa.prefixLen()),
                    ifa.scope(),
                    a.u32(IFA_FLAGS, ifa.flags()),
                    a.string(IFA_LABEL));
        } catch (IllegalArgumentException e) {
            throw new NetlinkCodecException("address: " + e.getMessage());
        }
    }
}
