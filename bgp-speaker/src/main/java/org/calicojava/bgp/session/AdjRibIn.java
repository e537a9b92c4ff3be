package org.calicojava.bgp.session;

import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.Update;

import java.net.InetAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Part 1's route sink: a per-peer Adj-RIB-In keyed by prefix text, readable from any thread (tests and status).
 * Written only on each peer's event loop.
 */
public final class AdjRibIn implements RouteSink {
    private final Map<InetAddress, Map<String, ReceivedRoute>> routes = new ConcurrentHashMap<>();
    private final Map<InetAddress, Set<Family>> endOfRib = new ConcurrentHashMap<>();

    public Map<String, ReceivedRoute> routes(InetAddress peer) { return Map.copyOf(table(peer)); }

    public Set<Family> endOfRib(InetAddress peer) { return Set.copyOf(endOfRib.getOrDefault(peer, Set.of())); }

    private Map<String, ReceivedRoute> table(InetAddress peer) { return routes.computeIfAbsent(peer, k -> new ConcurrentHashMap<>()); }

    @Override public void established(Peer peer) {
        table(peer.address()).clear();
        endOfRib.put(peer.address(), ConcurrentHashMap.newKeySet());
    }

    @Override public void update(Peer peer, Update u) {
        Map<String, ReceivedRoute> t = table(peer.address());
        Family eor = u.endOfRibFamily();
        if (eor != null) {
            endOfRib.computeIfAbsent(peer.address(), k -> ConcurrentHashMap.newKeySet()).add(eor);
            return;
        }
        remove(t, u.withdrawn());
        if (u.mpUnreach() != null) remove(t, u.mpUnreach().nlri());
        if (u.treatAsWithdraw()) {
            remove(t, u.nlri());
            if (u.mpReach() != null) remove(t, u.mpReach().nlri());
            return;
        }
        if (!u.nlri().isEmpty()) {
            String nh = u.attributes().hasNextHop() ? Ip.v4String(u.attributes().nextHop()) : null;
            for (int i = 0; i < u.nlri().size(); i++) t.put(u.nlri().toString(i), new ReceivedRoute(u.nlri().toString(i), nh, u.attributes()));
        }
        if (u.mpReach() != null) {
            Nlri n = u.mpReach().nlri();
            String nh = u.mpReach().nextHopString();
            for (int i = 0; i < n.size(); i++) t.put(n.toString(i), new ReceivedRoute(n.toString(i), nh, u.attributes()));
        }
    }

    @Override public void down(Peer peer, String reason) { table(peer.address()).clear(); }

    private static void remove(Map<String, ReceivedRoute> t, Nlri n) {
        for (int i = 0; i < n.size(); i++) t.remove(n.toString(i));
    }
}
