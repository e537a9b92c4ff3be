package org.calicojava.bgp.session;

import org.calicojava.bgp.codec.*;
import org.calicojava.bgp.config.SpeakerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Part 1's advertisement: the configured {@code originate:} prefixes of one family, next hop self (the session's local
 * address, IPv4-mapped for IPv6 over an IPv4 session) unless {@code nextHop} is configured; AS_PATH = our AS toward eBGP,
 * empty with LOCAL_PREF 100 toward iBGP.
 */
final class Originator {
    private static final Logger log = LoggerFactory.getLogger(Originator.class);

    private Originator() {}

    static List<Update> updates(SpeakerConfig cfg, Peer peer, Negotiated n, Family f) {
        List<Prefix> prefixes = cfg.originate().stream().filter(p -> p.family() == f).toList();
        if (prefixes.isEmpty()) return List.of();
        PathAttributes.Builder a = PathAttributes.builder().origin(PathAttributes.ORIGIN_IGP);
        if (n.codec().ibgp()) a.asPath(AsPath.EMPTY).localPref(100);
        else a.asPath(AsPath.sequence(cfg.asNumber()));
        InetAddress local = n.localAddress();
        byte[] nh6 = null;
        if (f == Family.IPV4_UNICAST) {
            InetAddress nh = cfg.nextHop4() != null ? cfg.nextHop4() : local instanceof Inet4Address ? local : null;
            if (nh == null) {
                log.warn("{}: no IPv4 next hop for originated routes (set nextHop.ipv4)", peer);
                return List.of();
            }
            a.nextHop(Ip.v4Int(nh));
        } else {
            InetAddress nh = cfg.nextHop6() != null ? cfg.nextHop6() : local;
            nh6 = nh instanceof Inet6Address ? nh.getAddress() : Ip.v4Mapped(nh.getAddress());
        }
        Nlri.Builder b = Nlri.builder(f, n.codec().sendsPathIds(f));
        for (Prefix p : prefixes) b.add(p, 1);  // path id 1 where ADD-PATH send was negotiated
        return UpdatePacker.announce(a.build(), b.build(), nh6, n.codec());
    }

    /** After a reload: withdrawals of the prefixes no longer originated, then the current announcements. */
    static List<Update> changes(SpeakerConfig before, SpeakerConfig next, Peer peer, Negotiated n, Family f) {
        Nlri.Builder gone = Nlri.builder(f, n.codec().sendsPathIds(f));
        for (Prefix p : before.originate()) if (p.family() == f && !next.originate().contains(p)) gone.add(p, 1);
        List<Update> out = new java.util.ArrayList<>();
        if (gone.size() > 0) out.addAll(UpdatePacker.withdraw(gone.build(), n.codec()));
        out.addAll(updates(next, peer, n, f));
        return out;
    }
}
