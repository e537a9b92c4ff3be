package org.calicojava.bgp.session;

import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Nlri;
import org.calicojava.bgp.codec.Update;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.rib.Rib;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;

/**
 * Test sink: a per-peer Adj-RIB-In keyed by prefix text, readable from any thread. Our routes come from a real
 * {@link Rib} built from the same YAML ({@link #speaker}), which gets every event too; without one, only End-of-RIB is
 * sent on Established (and on a route refresh).
 */
public final class AdjRibIn implements RouteSink {
    private volatile Rib rib;

    /** A speaker for {@code yaml} whose routes go out through a real RIB (originate, export policies), not started. */
    public Speaker speaker(String yaml) {
        SpeakerConfig sc = SpeakerYamlLoader.parse(yaml).speaker();
        Rib r = new Rib(sc, SpeakerYamlLoader.parse(yaml).routing(), new Metrics());
        rib = r;
        Speaker s = new Speaker(sc, this);
        r.attach(s, null);
        return s;
    }

    /** Reloads {@code s} and its RIB from {@code yaml}, as the daemon does. */
    public void reconfigure(Speaker s, String yaml) {
        SpeakerConfig sc = SpeakerYamlLoader.parse(yaml).speaker();
        s.reconfigure(sc);
        rib.reconfigure(sc, SpeakerYamlLoader.parse(yaml).routing());
    }

    @Override
    public EventLoopGroup eventLoop() {
        Rib r = rib;
        return r == null ? null : r.eventLoop();
    }

    @Override
    public void refresh(Peer peer, Family f) {
        Rib r = rib;
        if (r != null) {
            r.refresh(peer, f);
        } else {
            peer.send(List.of(Update.endOfRib(f)));
        }
    }

    private final Map<InetAddress, Map<String, ReceivedRoute>> routes = new ConcurrentHashMap<>();
    private final Map<InetAddress, Set<Family>> endOfRib = new ConcurrentHashMap<>();

    public Map<String, ReceivedRoute> routes(InetAddress peer) {
        return Map.copyOf(table(peer));
    }

    public Set<Family> endOfRib(InetAddress peer) {
        return Set.copyOf(endOfRib.getOrDefault(peer, Set.of()));
    }

    private Map<String, ReceivedRoute> table(InetAddress peer) {
        return routes.computeIfAbsent(peer, k -> new ConcurrentHashMap<>());
    }

    @Override
    public void established(Peer peer) {
        table(peer.address()).clear();
        endOfRib.put(peer.address(), ConcurrentHashMap.newKeySet());
        Rib r = rib;
        if (r != null) {
            r.established(peer);
            return;
        }
        List<Update> eor = new ArrayList<>();
        for (Family f : peer.negotiated().families()) {
            eor.add(Update.endOfRib(f));
        }
        peer.send(eor);
    }

    @Override
    public void update(Peer peer, Update u) {
        Rib r = rib;
        if (r != null) {
            r.update(peer, u);
        }
        Map<String, ReceivedRoute> t = table(peer.address());
        Family eor = u.endOfRibFamily();
        if (eor != null) {
            endOfRib.computeIfAbsent(peer.address(), k -> ConcurrentHashMap.newKeySet())
                    .add(eor);
            return;
        }
        remove(t, u.withdrawn());
        if (u.mpUnreach() != null) {
            remove(t, u.mpUnreach().nlri());
        }
        if (u.treatAsWithdraw()) {
            remove(t, u.nlri());
            if (u.mpReach() != null) {
                remove(t, u.mpReach().nlri());
            }
            return;
        }
        if (!u.nlri().isEmpty()) {
            String nh = u.attributes().hasNextHop() ? Ip.v4String(u.attributes().nextHop()) : null;
            for (int i = 0; i < u.nlri().size(); i++) {
                t.put(u.nlri().toString(i), new ReceivedRoute(u.nlri().toString(i), nh, u.attributes()));
            }
        }
        if (u.mpReach() != null) {
            Nlri n = u.mpReach().nlri();
            String nh = u.mpReach().nextHopString();
            for (int i = 0; i < n.size(); i++) {
                t.put(n.toString(i), new ReceivedRoute(n.toString(i), nh, u.attributes()));
            }
        }
    }

    @Override
    public void down(Peer peer, String reason) {
        table(peer.address()).clear();
        Rib r = rib;
        if (r != null) {
            r.down(peer, reason);
        }
    }

    private static void remove(Map<String, ReceivedRoute> t, Nlri n) {
        for (int i = 0; i < n.size(); i++) {
            t.remove(n.toString(i));
        }
    }
}
