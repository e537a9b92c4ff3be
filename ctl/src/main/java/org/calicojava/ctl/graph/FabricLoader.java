package org.calicojava.ctl.graph;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.calicojava.model.AsNumber;
import org.calicojava.model.BgpPeer;
import org.calicojava.model.Cidr;
import org.calicojava.model.ClusterId;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;
import org.calicojava.model.NodeMesh;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;

/**
 * Reads the fabric from etcd: {@code /calico/bgp/v1} (nodes' addresses, AS numbers, route-reflector cluster ids,
 * global and per-node peers, the mesh switch), {@code /calico/v1/host} (workload endpoints) and node run's BGP status
 * ({@code /calico/felix/v1/host/NODE/bgp}). A record that fails its validator is skipped and listed, never drawn.
 */
public final class FabricLoader {
    /** The key node run publishes its BGP sessions under (see the ctl README). */
    public static String bgpStatusKey(Keys keys, String node) {
        return keys.felixStatusRoot() + Names.check("host", node) + "/bgp";
    }

    private FabricLoader() {}

    public static Fabric load(KvStore store, Keys keys) {
        Fabric f = new Fabric();
        Map<String, Map<String, String>> hostKeys = new TreeMap<>();
        Map<String, List<BgpPeer>> hostPeers = new TreeMap<>();
        String hostsPrefix = keys.bgpHosts();
        for (KeyValue kv : store.list(hostsPrefix).kvs()) {
            String host = Keys.segmentAfter(kv.key(), hostsPrefix, 0);
            String field =
                    kv.key().substring(hostsPrefix.length() + host.length()).replaceFirst("^/", "");
            if (!validName(f, host, kv.key())) {
                continue;
            }
            if (field.startsWith("peer_v4/") || field.startsWith("peer_v6/")) {
                try {
                    hostPeers.computeIfAbsent(host, h -> new ArrayList<>()).add(Json.read(kv.value(), BgpPeer.class));
                } catch (IllegalArgumentException e) {
                    skip(f, kv.key(), e.getMessage());
                }
            } else {
                hostKeys.computeIfAbsent(host, h -> new HashMap<>())
                        .put(field, kv.value().trim());
            }
        }
        store.get(keys.bgpGlobalAsNum()).ifPresent(kv -> {
            try {
                f.defaultAsn = Long.toString(AsNumber.parse(kv.value().trim()));
            } catch (IllegalArgumentException e) {
                skip(f, kv.key(), e.getMessage());
            }
        });
        store.get(keys.bgpNodeMesh()).ifPresent(kv -> {
            try {
                f.mesh = Json.read(kv.value(), NodeMesh.class).enabled();
            } catch (IllegalArgumentException e) {
                skip(f, kv.key(), e.getMessage());
            }
        });
        Map<String, List<Fabric.Workload>> workloads = workloads(store, keys, f);
        for (Map.Entry<String, Map<String, String>> e : hostKeys.entrySet()) {
            String name = e.getKey();
            Map<String, String> k = e.getValue();
            String v4 = address(f, k.get("ip_addr_v4"), name + " ip_addr_v4");
            String v6 = address(f, k.get("ip_addr_v6"), name + " ip_addr_v6");
            String asn = f.defaultAsn;
            if (k.get("as_num") != null && !k.get("as_num").isEmpty()) {
                try {
                    asn = Long.toString(AsNumber.parse(k.get("as_num")));
                } catch (IllegalArgumentException ex) {
                    skip(f, name + " as_num", ex.getMessage());
                }
            }
            String rr = null;
            if (k.get("rr_cluster_id") != null && !k.get("rr_cluster_id").isEmpty()) {
                try {
                    rr = ClusterId.parse(k.get("rr_cluster_id")).toString();
                } catch (IllegalArgumentException ex) {
                    skip(f, name + " rr_cluster_id", ex.getMessage());
                }
            }
            Map<String, String> states = new TreeMap<>();
            String time = bgpStatus(store, keys, name, states, f);
            f.nodes.put(
                    name,
                    new Fabric.Node(name, v4, v6, asn, rr, workloads.getOrDefault(name, List.of()), states, time));
        }
        for (String host : workloads.keySet()) {
            f.nodes.computeIfAbsent(
                    host, h -> new Fabric.Node(h, null, null, f.defaultAsn, null, workloads.get(h), Map.of(), null));
        }
        sessions(store, keys, f, hostPeers);
        return f;
    }

    private static void sessions(KvStore store, Keys keys, Fabric f, Map<String, List<BgpPeer>> hostPeers) {
        Set<String> done = new HashSet<>();
        List<String> names = new ArrayList<>(f.nodes.keySet());
        if (f.mesh) {
            for (int i = 0; i < names.size(); i++) {
                for (int j = i + 1; j < names.size(); j++) {
                    Fabric.Node a = f.nodes.get(names.get(i));
                    Fabric.Node b = f.nodes.get(names.get(j));
                    for (String[] pair : new String[][] {{a.ipv4(), b.ipv4()}, {a.ipv6(), b.ipv6()}}) {
                        if (pair[0] != null && pair[1] != null && done.add(pairKey(a.name(), pair[1]))) {
                            done.add(pairKey(b.name(), pair[0]));
                            f.sessions.add(new Fabric.Session(a.name(), pair[1], b.name(), Fabric.Kind.MESH));
                        }
                    }
                }
            }
        }
        List<BgpPeer> global = new ArrayList<>();
        for (int v : new int[] {4, 6}) {
            for (KeyValue kv : store.list(keys.bgpGlobalPeers(v)).kvs()) {
                try {
                    global.add(Json.read(kv.value(), BgpPeer.class));
                } catch (IllegalArgumentException e) {
                    skip(f, kv.key(), e.getMessage());
                }
            }
        }
        for (String n : names) {
            for (BgpPeer p : global) {
                add(f, done, n, p, Fabric.Kind.GLOBAL);
            }
            for (BgpPeer p : hostPeers.getOrDefault(n, List.of())) {
                add(f, done, n, p, Fabric.Kind.NODE);
            }
        }
    }

    private static void add(Fabric f, Set<String> done, String node, BgpPeer p, Fabric.Kind kind) {
        Fabric.Node self = f.nodes.get(node);
        String own = p.version() == 4 ? self.ipv4() : self.ipv6();
        if (own == null || p.ip().equals(own)) {
            return; // no address of the peer's family; or the node itself (never its own peer, as confd renders it)
        }
        String other = f.nodeAt(p.ip());
        Fabric.Node o = other == null ? null : f.nodes.get(other);
        String back = o == null ? null : p.version() == 4 ? self.ipv4() : self.ipv6();
        if (!done.add(pairKey(node, p.ip())) || (other != null && back != null && !done.add(pairKey(other, back)))) {
            return;
        }
        if (other == null) {
            f.externals.putIfAbsent(p.ip(), new Fabric.External(p.ip(), p.asNum()));
        }
        f.sessions.add(new Fabric.Session(node, p.ip(), other, kind));
    }

    private static String pairKey(String node, String address) {
        return node + "|" + address;
    }

    private static Map<String, List<Fabric.Workload>> workloads(KvStore store, Keys keys, Fabric f) {
        Map<String, List<Fabric.Workload>> out = new TreeMap<>();
        String prefix = keys.hosts();
        for (KeyValue kv : store.list(prefix).kvs()) {
            if (!kv.key().contains("/workload/") || !kv.key().contains("/endpoint/")) {
                continue;
            }
            String host = Keys.segmentAfter(kv.key(), prefix, 0);
            String workload = Keys.segmentAfter(kv.key(), prefix, 3);
            if (!validName(f, host, kv.key()) || !validName(f, workload, kv.key())) {
                continue;
            }
            try {
                WorkloadEndpoint ep = WorkloadEndpoint.read(kv.value());
                List<String> ips = new ArrayList<>();
                for (List<Cidr> nets : java.util.Arrays.asList(ep.ipv4Nets(), ep.ipv6Nets())) {
                    if (nets != null) {
                        nets.forEach(c -> ips.add(c.ip()));
                    }
                }
                out.computeIfAbsent(host, h -> new ArrayList<>())
                        .add(new Fabric.Workload(workload, ips, ep.profileIds() == null ? List.of() : ep.profileIds()));
            } catch (IllegalArgumentException e) {
                skip(f, kv.key(), e.getMessage());
            }
        }
        return out;
    }

    /** Reads node run's published sessions into {@code states}; returns the report's time, or null. */
    private static String bgpStatus(KvStore store, Keys keys, String node, Map<String, String> states, Fabric f) {
        var kv = store.get(bgpStatusKey(keys, node));
        if (kv.isEmpty()) {
            return null;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(kv.get().value());
            for (JsonNode s : n.path("sessions")) {
                String addr = Cidr.host(s.path("address").asText()).ip();
                String state = s.path("state").asText();
                if (!state.matches("[A-Za-z0-9 _-]{1,32}")) {
                    throw new IllegalArgumentException("state " + LogText.quote(state));
                }
                states.put(addr, state);
            }
            String time = n.path("time").asText("");
            return time.matches("[0-9TZ:.+-]{1,40}") ? time : null;
        } catch (IOException | IllegalArgumentException e) {
            skip(f, kv.get().key(), e.getMessage());
            return null;
        }
    }

    private static String address(Fabric f, String value, String what) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Cidr.host(value).ip();
        } catch (IllegalArgumentException e) {
            skip(f, what, e.getMessage());
            return null;
        }
    }

    private static boolean validName(Fabric f, String name, String key) {
        try {
            Names.check("name", name);
            return true;
        } catch (IllegalArgumentException e) {
            skip(f, key, e.getMessage());
            return false;
        }
    }

    private static void skip(Fabric f, String what, String why) {
        f.skipped.add(LogText.quote(what) + ": " + LogText.quote(why));
    }
}
