package org.calicojava.bgp.codec;

import java.util.Map;
import java.util.Set;

/**
 * The capabilities (RFC 5492) of one OPEN that this speaker understands; unknown ones are ignored on decode.
 *
 * @param families multiprotocol (RFC 4760)
 * @param as4 the 4-octet AS number (RFC 6793), or -1 when the capability is absent
 * @param routeRefresh RFC 2918
 * @param enhancedRouteRefresh RFC 7313
 * @param gracefulRestart RFC 4724 (with RFC 8538's N bit), or null
 * @param addPath RFC 7911, per family
 * @param extendedMessage RFC 8654
 */
public record Capabilities(
        Set<Family> families,
        long as4,
        boolean routeRefresh,
        boolean enhancedRouteRefresh,
        GracefulRestart gracefulRestart,
        Map<Family, AddPathMode> addPath,
        boolean extendedMessage) {
    public static final int MULTIPROTOCOL = 1,
            ROUTE_REFRESH = 2,
            EXTENDED_MESSAGE = 6,
            GRACEFUL_RESTART = 64,
            AS4 = 65,
            ADD_PATH = 69,
            ENHANCED_ROUTE_REFRESH = 70;

    public static final Capabilities NONE = new Capabilities(Set.of(), -1, false, false, null, Map.of(), false);

    public Capabilities {
        families = Set.copyOf(families);
        addPath = Map.copyOf(addPath);
        if (as4 < -1 || as4 > 0xffffffffL) {
            throw new IllegalArgumentException("4-octet AS: " + as4 + " (expected: 0..4294967295)");
        }
    }

    public boolean hasAs4() {
        return as4 >= 0;
    }
}
