package org.calicojava.bgp.rib;

import java.net.InetAddress;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.session.Peer;
import org.calicojava.bgp.session.SessionState;

/** The RIB as text and rows for the control socket ({@code show protocols}, {@code show route}, sizes); RIB thread. */
final class RibStatus {
    private static final DateTimeFormatter SINCE =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private final Rib rib;

    RibStatus(Rib rib) {
        this.rib = rib;
    }

    /** One path on one line: where it came from, its IPv6 next hop, stale or not, its attributes. */
    static String describe(Path p) {
        String from = p.from == null
                ? p.source.name().toLowerCase(Locale.ROOT)
                : "from " + Ip.string(p.from.address) + " (" + p.from.type() + ")";
        String nh = p.nh6 != null ? " via " + Prefix.formatAddress(Arrays.copyOf(p.nh6, 16)) : "";
        return from + nh + (p.stale ? " stale" : "") + " {" + p.attrs + "}";
    }

    /** One row per configured neighbour: session state from the speaker, counters from the RIB. */
    List<Map<String, Object>> protocols(Collection<Peer> sessions) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Peer p : sessions) {
            PeerInfo pi = rib.peers.get(p.address());
            Map<String, Object> m = new LinkedHashMap<>();
            boolean up = p.state() == SessionState.ESTABLISHED;
            m.put("name", "peer_" + Ip.string(p.address()).replace('.', '_').replace(':', '_'));
            m.put("address", Ip.string(p.address()));
            m.put("asNumber", p.config().asNumber());
            m.put("type", p.config().asNumber() == rib.sc.asNumber() ? "ibgp" : "ebgp");
            m.put("state", up ? "Established" : name(p.state()));
            m.put("since", SINCE.format(p.since()));
            m.put("lastError", p.lastError() == null ? "" : p.lastError());
            m.put("info", up ? "Established" : p.lastError() == null ? name(p.state()) : p.lastError());
            m.put("received", pi == null ? 0 : pi.received);
            m.put("accepted", pi == null ? 0 : pi.accepted);
            m.put("advertised", pi == null || !up ? 0 : pi.outCount);
            m.put("rrClient", rib.rc.neighbor(p.address()).rrClient());
            out.add(m);
        }
        return out;
    }

    /** OPEN_CONFIRM -> OpenConfirm, as BIRD names the states. */
    static String name(SessionState s) {
        String n = s.name().toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder();
        boolean up = true;
        for (char c : n.toCharArray()) {
            if (c == '_') {
                up = true;
                continue;
            }
            sb.append(up ? Character.toUpperCase(c) : c);
            up = false;
        }
        return sb.toString();
    }

    /** Best (and with {@code all} every path, with the reason the best won) of one prefix or of every one. */
    String showRoute(Prefix only, boolean all) {
        Table loc = rib.loc;
        StringBuilder sb = new StringBuilder();
        List<Integer> ds = new ArrayList<>();
        if (only != null) {
            if (loc.find(only) >= 0) {
                ds.add(loc.find(only));
            }
        } else {
            for (int d = 0; d < loc.high(); d++) {
                if (loc.live(d)) {
                    ds.add(d);
                }
            }
        }
        ds.sort(Comparator.comparing((Integer d) -> loc.family(d))
                .thenComparing(d -> loc.prefix(d).toString()));
        for (int d : ds) {
            Path b = loc.best[d];
            if (b == null && !all) {
                continue;
            }
            sb.append(loc.prefix(d)).append('\n');
            if (b != null) {
                sb.append("  * ").append(describe(b)).append('\n');
            }
            if (!all) {
                continue;
            }
            for (Path p : loc.paths(d)) {
                if (p == b) {
                    continue;
                }
                sb.append("    ")
                        .append(
                                p.attrs == null
                                        ? "filtered " + (p.from == null ? "" : "from " + Ip.string(p.from.address))
                                                + " {" + p.raw + "}"
                                        : describe(p) + " (lost: " + (b == null ? "no best" : rib.best.reason(b, p))
                                                + ")")
                        .append('\n');
            }
        }
        if (sb.length() == 0) {
            sb.append(only == null ? "no routes\n" : "network not in table: " + only + "\n");
        }
        return sb.toString();
    }

    /** Loc-RIB size and the sums of every peer's Adj-RIB-In and Adj-RIB-Out. */
    Map<String, Long> sizes() {
        long adjIn = 0;
        long adjOut = 0;
        for (PeerInfo pi : rib.peers.values()) {
            adjIn += pi.received;
            adjOut += pi.outCount;
        }
        return Map.of("loc", (long) rib.loc.size(), "adj_in", adjIn, "adj_out", adjOut);
    }

    /** Best routes learned from peers (what belongs in the kernel): prefix -> next hop (RIB thread). */
    Map<Prefix, InetAddress> bgpBest() {
        Table loc = rib.loc;
        Map<Prefix, InetAddress> m = new HashMap<>();
        for (int d = 0; d < loc.high(); d++) {
            Path b = loc.live(d) ? loc.best[d] : null;
            if (b != null && b.from != null) {
                m.put(loc.prefix(d), KernelExport.nextHop(loc.prefix(d), b));
            }
        }
        return m;
    }
}
