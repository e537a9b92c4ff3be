package org.calicojava.netlink;

import static org.calicojava.netlink.codec.Rtnl.AF_INET;
import static org.calicojava.netlink.codec.Rtnl.AF_INET6;
import static org.calicojava.netlink.codec.Rtnl.AF_UNSPEC;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_DUMP;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_REQUEST;
import static org.calicojava.netlink.codec.Rtnl.RTA_DST;
import static org.calicojava.netlink.codec.Rtnl.RTA_GATEWAY;
import static org.calicojava.netlink.codec.Rtnl.RTA_MULTIPATH;
import static org.calicojava.netlink.codec.Rtnl.RTA_OIF;
import static org.calicojava.netlink.codec.Rtnl.RTA_PREFSRC;
import static org.calicojava.netlink.codec.Rtnl.RTA_PRIORITY;
import static org.calicojava.netlink.codec.Rtnl.RTA_TABLE;
import static org.calicojava.netlink.codec.Rtnl.RTM_DELROUTE;
import static org.calicojava.netlink.codec.Rtnl.RTM_GETROUTE;
import static org.calicojava.netlink.codec.Rtnl.RTM_NEWROUTE;
import static org.calicojava.netlink.codec.Rtnl.RTNH_F_ONLINK;
import static org.calicojava.netlink.codec.Rtnl.RT_SCOPE_NOWHERE;
import static org.calicojava.netlink.codec.Rtnl.RT_TABLE_UNSPEC;
import static org.calicojava.netlink.codec.Rtnl.align;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.netlink.codec.Attrs;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.codec.NlMessage;
import org.calicojava.netlink.codec.RtMsg;
import org.calicojava.netlink.codec.RtNextHop;

/** Route ↔ RTM_NEWROUTE/RTM_DELROUTE/RTM_GETROUTE messages. Pure. */
final class RouteCodec {
    private RouteCodec() {}

    /** Writes an add/replace/delete request for {@code r}; {@code type} is RTM_NEWROUTE or RTM_DELROUTE. */
    static void encode(MessageWriter w, int type, int flags, int seq, Route r) {
        if (type == RTM_NEWROUTE
                && r.type() == RouteType.UNICAST
                && r.nextHops().isEmpty()) {
            throw new IllegalArgumentException(
                    "route " + r.dst() + ": unicast without a next hop (expected: a " + "gateway or an interface)");
        }
        w.begin(type, flags, seq);
        boolean single = r.nextHops().size() == 1;
        int rtFlags = single && r.nextHops().get(0).onlink() ? RTNH_F_ONLINK : 0;
        int scope = type == RTM_DELROUTE ? RT_SCOPE_NOWHERE : r.scope();
        int rtTable = Integer.compareUnsigned(r.table(), 256) < 0 ? r.table() : RT_TABLE_UNSPEC; // then RTA_TABLE only
        w.put(new RtMsg(
                r.dst().family(),
                r.dst().length(),
                0,
                0,
                rtTable,
                r.protocol(),
                scope,
                r.type().code(),
                rtFlags));
        if (r.dst().length() > 0) {
            w.attr(RTA_DST, r.dst().address().getAddress());
        }
        w.attrU32(RTA_TABLE, r.table());
        if (r.metric() != 0) {
            w.attrU32(RTA_PRIORITY, r.metric());
        }
        if (r.prefSrc() != null) {
            w.attr(RTA_PREFSRC, r.prefSrc().getAddress());
        }
        if (single) {
            NextHop h = r.nextHops().get(0);
            if (h.gateway() != null) {
                w.attr(RTA_GATEWAY, h.gateway().getAddress());
            }
            if (h.ifindex() != 0) {
                w.attrU32(RTA_OIF, h.ifindex());
            }
        } else if (!r.nextHops().isEmpty()) {
            int mp = w.beginNested(RTA_MULTIPATH);
            for (NextHop h : r.nextHops()) {
                int start = w.position();
                w.put(new RtNextHop(0, h.onlink() ? RTNH_F_ONLINK : 0, h.weight() - 1, h.ifindex()));
                if (h.gateway() != null) {
                    w.attr(RTA_GATEWAY, h.gateway().getAddress());
                }
                w.putShortAt(start, w.position() - start);
            }
            w.endNested(mp);
        }
        w.end();
    }

    /**
     * Writes a dump request. With NETLINK_GET_STRICT_CHK (Linux 4.20+) the kernel filters by table, protocol and
     * type itself; older kernels ignore those fields, so callers filter the result again.
     */
    static void encodeDump(MessageWriter w, int seq, RouteFilter f) {
        w.begin(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq);
        int table = f.table() == RouteFilter.ANY ? 0 : f.table();
        int rtTable = Integer.compareUnsigned(table, 256) < 0 ? table : 0;
        w.put(new RtMsg(
                f.family() == RouteFilter.ANY ? AF_UNSPEC : f.family(),
                0,
                0,
                0,
                rtTable,
                f.protocol() == RouteFilter.ANY ? 0 : f.protocol(),
                0,
                f.type() == null ? 0 : f.type().code(),
                0));
        if (table != 0) {
            w.attrU32(RTA_TABLE, table);
        }
        w.end();
    }

    /** Decodes an RTM_NEWROUTE/RTM_DELROUTE body; null for families other than IPv4/IPv6. */
    static Route decode(NlMessage m) {
        ByteBuffer b = m.body().duplicate().order(m.body().order());
        RtMsg rt = RtMsg.decode(b);
        if (rt.family() != AF_INET && rt.family() != AF_INET6) {
            return null;
        }
        Attrs a = Attrs.parse(b, "route");
        try {
            int size = rt.family() == AF_INET ? 4 : 16;
            InetAddress dst = a.has(RTA_DST) ? a.address(RTA_DST) : InetAddress.getByAddress(new byte[size]);
            if (dst.getAddress().length != size) {
                throw new NetlinkCodecException(
                        "route: RTA_DST of " + dst.getAddress().length + " bytes in family " + rt.family());
            }
            List<NextHop> hops = new ArrayList<>();
            RouteType type = RouteType.of(rt.type());
            boolean noNextHop = type == RouteType.BLACKHOLE
                    || type == RouteType.UNREACHABLE
                    || type == RouteType.PROHIBIT; // IPv6 reports these with "dev lo": not a next hop
            if (noNextHop) {
                // nothing
            } else if (a.has(RTA_MULTIPATH)) {
                hops.addAll(multipath(a.get(RTA_MULTIPATH)));
            } else if (a.has(RTA_OIF) || a.has(RTA_GATEWAY)) {
                hops.add(new NextHop(a.address(RTA_GATEWAY), a.u32(RTA_OIF, 0), 1, (rt.flags() & RTNH_F_ONLINK) != 0));
            }
            return new Route(
                    new IpPrefix(dst, rt.dstLen()),
                    type,
                    a.u32(RTA_TABLE, rt.table()),
                    rt.protocol(),
                    rt.scope(),
                    a.u32(RTA_PRIORITY, 0),
                    hops,
                    a.address(RTA_PREFSRC));
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            throw new NetlinkCodecException("route: " + e.getMessage());
        }
    }

    private static List<NextHop> multipath(ByteBuffer b) {
        List<NextHop> hops = new ArrayList<>();
        while (b.remaining() >= RtNextHop.SIZE) {
            int start = b.position();
            RtNextHop h = RtNextHop.decode(b);
            if (h.length() < RtNextHop.SIZE || h.length() > b.limit() - start) {
                throw new NetlinkCodecException(
                        "rtnexthop: length " + h.length() + " (expected: 8.." + (b.limit() - start) + ")");
            }
            Attrs a = Attrs.parse(b.slice(start + RtNextHop.SIZE, h.length() - RtNextHop.SIZE), "rtnexthop");
            hops.add(new NextHop(a.address(RTA_GATEWAY), h.ifindex(), h.hops() + 1, (h.flags() & RTNH_F_ONLINK) != 0));
            b.position(Math.min(b.limit(), start + align(h.length())));
        }
        if (b.hasRemaining()) {
            throw new NetlinkCodecException("RTA_MULTIPATH: " + b.remaining() + " trailing bytes (expected: 0)");
        }
        return hops;
    }
}
