package org.calicojava.felix.calc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.calicojava.model.Cidr;
import org.calicojava.model.WorkloadEndpoint;

/**
 * The route claims stage of the {@link Calculator}: the addresses each owned interface's endpoint routes (its IPv4
 * nets, and its IPv6 nets with {@code Ipv6Support}), and for each address the endpoints claiming it. It reads the
 * owner changes of {@link InterfaceOwners} (a claim when an endpoint takes an interface, a release when it leaves);
 * it produces the result's {@code routes}: each address to the interface of the last endpoint in key order that
 * claims it (as the full calculation always did), changed only for the addresses whose claims changed.
 */
final class RouteClaims {
    /** Address to the endpoints claiming it, with the interface each claims it from. */
    private final Map<Cidr, TreeMap<EndpointKey, String>> claims = new HashMap<>();
    /** Interface to its owner's claim. */
    private final Map<String, Claim> byInterface = new HashMap<>();

    private PersistentMap.Builder<Cidr, String> routes = PersistentMap.<Cidr, String>empty().toBuilder();

    private record Claim(EndpointKey key, List<Cidr> nets) {}

    void reset() {
        claims.clear();
        byInterface.clear();
        routes = PersistentMap.<Cidr, String>empty().toBuilder();
    }

    /** The addresses an owner of an interface routes: IPv4, and IPv6 only with {@code ipv6} (else none unpoliced). */
    static List<Cidr> nets(WorkloadEndpoint ep, boolean ipv6) {
        List<Cidr> routed = new ArrayList<>(ep.ipv4Nets());
        if (ipv6) {
            routed.addAll(ep.ipv6Nets());
        }
        return routed;
    }

    /** Endpoint {@code key}, the new owner of {@code iface}, claims {@code nets} there. */
    void claim(String iface, EndpointKey key, List<Cidr> nets) {
        byInterface.put(iface, new Claim(key, nets));
        for (Cidr n : nets) {
            claims.computeIfAbsent(n, x -> new TreeMap<>()).put(key, iface);
            route(n);
        }
    }

    /** The owner of {@code iface} leaves it: its claims go (the addresses route elsewhere, or not at all). */
    void release(String iface) {
        Claim c = byInterface.remove(iface);
        if (c == null) {
            return;
        }
        for (Cidr n : c.nets()) {
            TreeMap<EndpointKey, String> m = claims.get(n);
            m.remove(c.key());
            if (m.isEmpty()) {
                claims.remove(n);
            }
            route(n);
        }
    }

    /** A route goes to the interface of the last endpoint (in key order) that has the address. */
    private void route(Cidr n) {
        TreeMap<EndpointKey, String> c = claims.get(n);
        if (c == null) {
            routes.remove(n);
        } else {
            routes.put(n, c.lastEntry().getValue());
        }
    }

    /** Address to interface, as this run leaves it. */
    PersistentMap<Cidr, String> routes() {
        return routes.build();
    }
}
