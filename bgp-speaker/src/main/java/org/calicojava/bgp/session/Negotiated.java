package org.calicojava.bgp.session;

import java.net.InetAddress;
import java.util.Set;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Open;

/**
 * What an OPEN exchange agreed (RFC 4271 4.2, RFC 5492): hold and keepalive times (0 = none), the families both sides
 * support, the codec options, the peer's OPEN, and the local address of the TCP connection (next-hop-self).
 *
 * @param grNotification both OPENs carried the graceful restart capability with the N bit (RFC 8538): a session ended
 *     by a NOTIFICATION other than Cease / Hard Reset follows graceful restart too
 */
public record Negotiated(
        int holdTime,
        int keepaliveTime,
        Set<Family> families,
        CodecOptions codec,
        Open peerOpen,
        InetAddress localAddress,
        boolean routeRefresh,
        boolean enhancedRouteRefresh,
        boolean grNotification) {
    public Negotiated {
        families = Set.copyOf(families);
    }
}
