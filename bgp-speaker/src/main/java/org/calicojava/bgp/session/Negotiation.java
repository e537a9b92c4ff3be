package org.calicojava.bgp.session;

import java.net.InetAddress;
import java.util.EnumSet;
import java.util.Set;
import org.calicojava.bgp.codec.AddPathMode;
import org.calicojava.bgp.codec.Capabilities;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.GracefulRestart;
import org.calicojava.bgp.codec.Open;
import org.calicojava.bgp.config.NeighborConfig;
import org.calicojava.bgp.config.SpeakerConfig;

/** Pure: what our OPEN and the peer's OPEN agree on. We always offer IPv4+IPv6 unicast, 4-octet AS, route refresh, extended messages. */
final class Negotiation {
    private Negotiation() {}

    /** Our OPEN toward {@code n}: IPv4+IPv6 unicast, 4-octet AS, route refresh (+enhanced), extended messages, ADD-PATH and GR as configured. */
    static Open localOpen(NeighborConfig n, SpeakerConfig speaker) {
        java.util.Map<Family, AddPathMode> addPath = new java.util.EnumMap<>(Family.class);
        if (n.addPath() != null) {
            for (Family f : Family.values()) {
                addPath.put(f, n.addPath());
            }
        }
        GracefulRestart gr = n.restartTime() < 0
                ? null
                : new GracefulRestart(
                        false,
                        n.grNotification(), // RFC 8538's N bit
                        n.restartTime(),
                        java.util.Map.of(
                                Family.IPV4_UNICAST,
                                true,
                                Family.IPV6_UNICAST,
                                true)); // kernel routes survive our restart
        Capabilities caps =
                new Capabilities(Set.of(Family.values()), speaker.asNumber(), true, true, gr, addPath, true);
        return Open.of(speaker.asNumber(), n.holdTime(), speaker.routerId(), caps);
    }

    static Negotiated negotiate(NeighborConfig local, SpeakerConfig speaker, Open peer, InetAddress localAddress) {
        int hold = local.holdTime() == 0 || peer.holdTime() == 0 ? 0 : Math.min(local.holdTime(), peer.holdTime());
        int keepalive = hold == 0 ? 0 : Math.max(1, hold / 3);
        Capabilities c = peer.capabilities();
        Set<Family> families = c.families().isEmpty() ? EnumSet.of(Family.IPV4_UNICAST) : EnumSet.copyOf(c.families());
        Set<Family> rx = EnumSet.noneOf(Family.class), tx = EnumSet.noneOf(Family.class);
        AddPathMode mine = local.addPath();
        if (mine != null) {
            for (Family f : families) {
                AddPathMode theirs = c.addPath().get(f);
                if (theirs == null) {
                    continue;
                }
                if (mine.receives() && theirs.sends()) {
                    rx.add(f);
                }
                if (mine.sends() && theirs.receives()) {
                    tx.add(f);
                }
            }
        }
        boolean ibgp = peer.peerAs() == speaker.asNumber();
        CodecOptions codec = new CodecOptions(c.hasAs4(), rx, tx, c.extendedMessage(), ibgp);
        // RFC 8538: both OPENs carry the graceful restart capability with the N bit
        boolean grNotification = local.restartTime() >= 0
                && local.grNotification()
                && c.gracefulRestart() != null
                && c.gracefulRestart().notification();
        return new Negotiated(
                hold,
                keepalive,
                families,
                codec,
                peer,
                localAddress,
                c.routeRefresh(),
                c.enhancedRouteRefresh(),
                grNotification);
    }
}
