package org.calicojava.confd;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeSet;
import org.calicojava.model.AsNumber;
import org.calicojava.model.BgpBfd;
import org.calicojava.model.BgpPeer;
import org.calicojava.model.Cidr;
import org.calicojava.model.ClusterId;
import org.calicojava.model.IpPool;
import org.calicojava.model.Json;
import org.calicojava.model.KeyPath;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;
import org.calicojava.model.NodeMesh;

/**
 * Turns the etcd key tree into the values the (logic-less) BGP templates print: this node, the other nodes, the
 * mesh, global and node peers with passive and rr-client flags, AS numbers (node's own, else the global one, else
 * 64512), the route reflector cluster id, the IP pools and this node's affine blocks. Pure: the same key tree always
 * gives the same context. Every value the context holds was validated here, at the boundary: node names (from key
 * segments) by {@link Names}, addresses and CIDRs canonicalised, AS numbers, cluster ids ({@link ClusterId}), peers,
 * pools, blocks, the node mesh flag. A bad value is skipped and reported in {@code warnings} (and by
 * {@link #invalid()}); a missing IPv4 address of this node is a {@link MissingDataException} (it is the router id).
 *
 * <p>Issue 22: peers carry their password (the mesh password for mesh peers), accept-default flag and prefix limit;
 * {@code safeImport} holds what peers outside the mesh may never give us ({@link SafeImport}: this node's addresses,
 * the etcd endpoints' addresses given to the constructor, this node's blocks); {@code maxStaleRoutesTime} is the cap
 * on a restarting peer's stale routes ({@code /calico/bgp/v1/global/max_stale_routes_time}, 1..4095, default 120).
 */
public final class ContextBuilder {
    public static final long DEFAULT_AS = 64512;
    public static final int DEFAULT_MAX_STALE_ROUTES_TIME = 120;

    private final Keys keys;
    private final String nodeName;
    private final AddressCache ips = new AddressCache();
    private final List<String> etcdAddresses;
    private List<Warnings.Invalid> invalid = List.of();

    public ContextBuilder(Keys keys, String nodeName) {
        this(keys, nodeName, List.of());
    }

    /** {@code etcdAddresses}: the IP addresses of the etcd endpoints this confd uses (IP literals, checked here). */
    public ContextBuilder(Keys keys, String nodeName, List<String> etcdAddresses) {
        this.keys = keys;
        this.nodeName = nodeName;
        List<String> canonical = new ArrayList<>();
        for (String a : etcdAddresses) {
            canonical.add(Values.address("etcd endpoint address", ips.canonical(a)));
        }
        this.etcdAddresses = List.copyOf(canonical);
    }

    /** The records the last {@link #build} found invalid (also when it threw {@link MissingDataException}). */
    public List<Warnings.Invalid> invalid() {
        return invalid;
    }

    public Map<String, Object> build(NavigableMap<String, String> kv) {
        Warnings warnings = new Warnings();
        try {
            return build(kv, warnings);
        } finally {
            invalid = warnings.items();
        }
    }

    /**
     * Reads, as {@link #build} does, only what this node's build reads and no other node's does: its peers, its BFD
     * setting and its blocks; the refusals are in {@link #invalid()}. For a check over many nodes (javactl datastore
     * check): one full build of any node reads every shared record, this reads the rest of each node in O(its keys),
     * not O(nodes). Meaningful only for a node that renders (it has an IPv4 address); confd reads nothing of its own
     * for one that does not.
     */
    public void readOwnRecords(NavigableMap<String, String> kv) {
        Warnings warnings = new Warnings();
        try {
            for (int v : new int[] {4, 6}) {
                bgpPeers(kv, keys.bgpHostPeers(nodeName, v), v, warnings);
            }
            bfd(kv, warnings);
            blocks(kv, warnings);
        } finally {
            invalid = warnings.items();
        }
    }

    private Map<String, Object> build(NavigableMap<String, String> kv, Warnings warnings) {
        long globalAs = globalAs(kv, warnings);
        boolean mesh = meshEnabled(kv, warnings);
        String meshPassword = mesh ? meshPassword(kv, warnings) : null;
        Map<String, NodeInfo> nodes = new LinkedHashMap<>();
        for (String name : childNames(kv, keys.bgpHosts())) {
            try {
                Names.check("node", name);
            } catch (IllegalArgumentException e) {
                warnings.add(keys.bgpHosts() + name, e.getMessage() + "; node skipped");
                continue;
            }
            nodes.put(name, NodeInfo.read(keys, name, kv, globalAs, ips, warnings));
        }
        NodeInfo me = nodes.get(nodeName);
        if (me == null || me.ipv4() == null) {
            throw new MissingDataException("node " + nodeName + ": no IPv4 address at " + keys.bgpHostIp(nodeName, 4)
                    + " (it is the router id)");
        }
        Map<String, NodeInfo> byIp = new HashMap<>();
        nodes.values().forEach(n -> {
            if (n.ipv4() != null) {
                byIp.putIfAbsent(n.ipv4(), n);
            }
            if (n.ipv6() != null) {
                byIp.putIfAbsent(n.ipv6(), n);
            }
        });
        Map<String, Peer> peers = new LinkedHashMap<>(); // by address: node peers override global ones override mesh
        if (mesh) {
            for (NodeInfo other : nodes.values()) {
                if (!other.name().equals(nodeName)) {
                    meshPeer(me, other, 4, meshPassword, peers);
                    meshPeer(me, other, 6, meshPassword, peers);
                }
            }
        }
        for (int v : new int[] {4, 6}) {
            for (BgpPeer p : bgpPeers(kv, keys.bgpGlobalPeers(v), v, warnings)) {
                explicitPeer("Global", p, me, byIp, peers);
            }
        }
        for (int v : new int[] {4, 6}) {
            for (BgpPeer p : bgpPeers(kv, keys.bgpHostPeers(nodeName, v), v, warnings)) {
                explicitPeer("Node", p, me, byIp, peers);
            }
        }
        List<Peer> all = sortedByAddress(peers);

        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("nodeName", nodeName);
        ctx.put("routerId", me.ipv4());
        ctx.put("ipv4", me.ipv4());
        ctx.put("ipv6", me.ipv6());
        ctx.put("asNumber", me.asNumber());
        ctx.put("globalAsNumber", globalAs);
        ctx.put("meshEnabled", mesh);
        ctx.put("rrClusterId", me.rrClusterId());
        ctx.put("routeReflector", me.rrClusterId() == null ? null : Map.of("clusterId", me.rrClusterId()));
        ctx.put("peers", all);
        ctx.put("peers4", all.stream().filter(Peer::ipv4).toList());
        ctx.put("peers6", all.stream().filter(Peer::ipv6).toList());
        ctx.put("meshPeers", all.stream().filter(p -> p.kind().equals("Mesh")).toList());
        ctx.put(
                "globalPeers",
                all.stream().filter(p -> p.kind().equals("Global")).toList());
        ctx.put("nodePeers", all.stream().filter(p -> p.kind().equals("Node")).toList());
        ctx.put("nodes", nodes.values().stream().map(n -> nodeView(n)).toList());
        List<EncapPool> ipipPools = new ArrayList<>();
        List<Prefix> vxlanPools = new ArrayList<>();
        List<Prefix> pools = pools(kv, warnings, ipipPools, vxlanPools);
        ctx.put("pools", pools);
        ctx.put("ipipPools", ipipPools);
        ctx.put("ipip", ipipPools.isEmpty() ? null : Map.of("hostAddress", me.ipv4(), "pools", ipipPools));
        ctx.put("vxlanPools", vxlanPools);
        ctx.put("vxlanPools4", vxlanPools.stream().filter(Prefix::ipv4).toList());
        ctx.put("vxlanPools6", vxlanPools.stream().filter(Prefix::ipv6).toList());
        ctx.put("vxlan", vxlanPools.isEmpty() ? null : Map.of("pools", vxlanPools));
        ctx.put("pools4", pools.stream().filter(Prefix::ipv4).toList());
        ctx.put("pools6", pools.stream().filter(Prefix::ipv6).toList());
        List<Prefix> blocks = blocks(kv, warnings);
        ctx.put("blocks", blocks);
        ctx.put("blocks4", blocks.stream().filter(Prefix::ipv4).toList());
        ctx.put("blocks6", blocks.stream().filter(Prefix::ipv6).toList());
        List<String> protectedAddresses = new ArrayList<>();
        protectedAddresses.add(me.ipv4());
        if (me.ipv6() != null) {
            protectedAddresses.add(me.ipv6());
        }
        protectedAddresses.addAll(etcdAddresses);
        ctx.put("etcdAddresses", etcdAddresses);
        ctx.put("safeImport", new SafeImport(protectedAddresses, blocks));
        ctx.put("externalPeers", all.stream().anyMatch(Peer::external));
        ctx.put("maxStaleRoutesTime", maxStaleRoutesTime(kv, warnings));
        ctx.put("bfd", bfd(kv, warnings));
        ctx.put("warnings", warnings.list());
        return ctx;
    }

    private Map<String, Object> nodeView(NodeInfo n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", n.name());
        m.put("ipv4", n.ipv4());
        m.put("ipv6", n.ipv6());
        m.put("asNumber", n.asNumber());
        m.put("rrClusterId", n.rrClusterId());
        m.put("self", n.name().equals(nodeName));
        return m;
    }

    private void meshPeer(NodeInfo me, NodeInfo other, int v, String password, Map<String, Peer> peers) {
        String mine = me.ip(v);
        String theirs = other.ip(v);
        if (mine == null || theirs == null || mine.equals(theirs)) {
            return;
        }
        // Only the lower address connects; the higher one waits (passive), so each pair has one active side.
        boolean passive = compareBytes(ips.bytes(mine), ips.bytes(theirs)) > 0;
        peers.put(
                theirs,
                new Peer(
                        "Mesh",
                        theirs,
                        v,
                        other.asNumber(),
                        passive,
                        rrClient(me, other),
                        other.asNumber() == me.asNumber(),
                        mine,
                        other.name(),
                        password,
                        false,
                        null,
                        false));
    }

    private void explicitPeer(
            String kind, BgpPeer p, NodeInfo me, Map<String, NodeInfo> byIp, Map<String, Peer> peers) {
        if (p.ip().equals(me.ipv4()) || p.ip().equals(me.ipv6())) {
            return;
        }
        long as = Long.parseLong(p.asNum());
        int version = ips.version(p.ip());
        NodeInfo node = byIp.get(p.ip());
        boolean rr = node != null && node.asNumber() == as && rrClient(me, node);
        peers.put(
                p.ip(),
                new Peer(
                        kind,
                        p.ip(),
                        version,
                        as,
                        false,
                        rr,
                        as == me.asNumber(),
                        me.ip(version),
                        node == null ? null : node.name(),
                        p.password(),
                        p.acceptsDefault(),
                        PeerLimit.of(p.maxPrefixes()),
                        p.keepsRoutesThroughNotification()));
    }

    private static boolean rrClient(NodeInfo me, NodeInfo other) {
        return me.rrClusterId() != null
                && !me.rrClusterId().equals(other.rrClusterId())
                && me.asNumber() == other.asNumber();
    }

    private long globalAs(Map<String, String> kv, Warnings warnings) {
        String v = kv.get(keys.bgpGlobalAsNum());
        if (v == null || v.isBlank()) {
            return DEFAULT_AS;
        }
        try {
            return AsNumber.parse(EtcdText.plain(v));
        } catch (IllegalArgumentException e) {
            warnings.add(keys.bgpGlobalAsNum(), e.getMessage() + "; using " + DEFAULT_AS);
            return DEFAULT_AS;
        }
    }

    private boolean meshEnabled(Map<String, String> kv, Warnings warnings) {
        String v = kv.get(keys.bgpNodeMesh());
        if (v == null || v.isBlank()) {
            return true; // Calico's default
        }
        try {
            JsonNode enabled = object(v, JsonNode.class).get("enabled");
            if (enabled == null || !enabled.isBoolean()) {
                throw new IllegalArgumentException("enabled: " + (enabled == null ? "missing" : enabled.getNodeType())
                        + " (expected: true or false)");
            }
            return enabled.booleanValue();
        } catch (IllegalArgumentException e) {
            warnings.add(keys.bgpNodeMesh(), e.getMessage() + "; mesh stays enabled");
            return true;
        }
    }

    /** The mesh's TCP-MD5 password ({@link NodeMesh}); an invalid one is reported and the mesh runs without. */
    private String meshPassword(Map<String, String> kv, Warnings warnings) {
        String v = kv.get(keys.bgpNodeMesh());
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return object(v, NodeMesh.class).password();
        } catch (IllegalArgumentException e) {
            warnings.add(keys.bgpNodeMesh(), e.getMessage() + "; mesh sessions without a password");
            return null;
        }
    }

    /**
     * BFD for this node's sessions (issue 15): the node's {@code /bgp/v1/host/<node>/bfd} when present and valid, else
     * the global {@code /bgp/v1/global/bfd}; null when off. The map holds only validated integers and a boolean.
     */
    private Map<String, Object> bfd(Map<String, String> kv, Warnings warnings) {
        for (String key : List.of(keys.bgpHostBfd(nodeName), keys.bgpBfd())) {
            String v = kv.get(key);
            if (v == null || v.isBlank()) {
                continue;
            }
            try {
                BgpBfd b = object(v, BgpBfd.class);
                if (!b.enabled()) {
                    return null;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("minRxMs", b.minRxMs());
                m.put("minTxMs", b.minTxMs());
                m.put("multiplier", b.multiplier());
                m.put("graceful", b.graceful());
                return m;
            } catch (IllegalArgumentException e) {
                warnings.add(
                        key,
                        e.getMessage() + (key.equals(keys.bgpBfd()) ? "; BFD off" : "; the global setting applies"));
            }
        }
        return null;
    }

    private int maxStaleRoutesTime(Map<String, String> kv, Warnings warnings) {
        String key = keys.bgpMaxStaleRoutesTime();
        String v = kv.get(key);
        if (v == null || v.isBlank()) {
            return DEFAULT_MAX_STALE_ROUTES_TIME;
        }
        try {
            String s = EtcdText.plain(v);
            if (s == null || !s.matches("[0-9]{1,4}") || Integer.parseInt(s) < 1 || Integer.parseInt(s) > 4095) {
                throw new IllegalArgumentException(
                        "max_stale_routes_time: " + LogText.quote(v) + " (expected: seconds 1..4095)");
            }
            return Integer.parseInt(s);
        } catch (IllegalArgumentException e) {
            warnings.add(key, e.getMessage() + "; using " + DEFAULT_MAX_STALE_ROUTES_TIME);
            return DEFAULT_MAX_STALE_ROUTES_TIME;
        }
    }

    /**
     * The peers below {@code prefix} ({@code .../peer_vN/}): the value must be a peer of family {@code version} and
     * the key's last segment its address (as Calico writes them); anything else is skipped.
     */
    private List<BgpPeer> bgpPeers(NavigableMap<String, String> kv, String prefix, int version, Warnings warnings) {
        List<BgpPeer> out = new ArrayList<>();
        for (Map.Entry<String, String> e : below(kv, prefix).entrySet()) {
            try {
                BgpPeer p = object(e.getValue(), BgpPeer.class);
                if (ips.version(p.ip()) != version) {
                    throw new IllegalArgumentException("ip " + p.ip() + " is not an IPv" + version + " address");
                }
                String segment = EtcdText.noControl("key", e.getKey().substring(prefix.length()));
                if (!ips.canonical(p.ip()).equals(canonicalOrNull(segment))) {
                    throw new IllegalArgumentException(
                            "key names '" + segment + "', value's ip is " + p.ip() + " (expected: the same address)");
                }
                out.add(p);
            } catch (IllegalArgumentException ex) {
                warnings.add(e.getKey(), ex.getMessage() + "; skipped");
            }
        }
        return out;
    }

    private String canonicalOrNull(String ip) {
        try {
            return ips.canonical(ip);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A JSON object of {@code type}: {@code null}, other JSON types and failed validation are refused. */
    static <T> T object(String json, Class<T> type) {
        String s = json == null ? "" : json.strip();
        if (!s.startsWith("{")) {
            throw new IllegalArgumentException(
                    "value: " + (s.isEmpty() ? "empty" : s.equals("null") ? "null" : "not a JSON object")
                            + " (expected: a JSON " + type.getSimpleName() + " object)");
        }
        T v = Json.read(s, type);
        if (v == null) {
            throw new IllegalArgumentException("value: null (expected: a JSON " + type.getSimpleName() + " object)");
        }
        return v;
    }

    /**
     * Every valid pool; the IP-in-IP ones (disabled too: their addresses still route) also into {@code ipip}, the
     * VXLAN ones into {@code vxlan}.
     */
    private List<Prefix> pools(
            NavigableMap<String, String> kv, Warnings warnings, List<EncapPool> ipip, List<Prefix> vxlan) {
        List<Prefix> out = new ArrayList<>();
        for (int v : new int[] {4, 6}) {
            for (Map.Entry<String, String> e : below(kv, keys.pools(v)).entrySet()) {
                try {
                    if (!(KeyPath.parse(keys, e.getKey()) instanceof KeyPath.Pool key)) {
                        continue;
                    }
                    IpPool p = key.decode(e.getValue()); // as felix and IPAM read it: one key per pool
                    out.add(Prefix.of(p.cidr(), p.ipip(), p.disabled()));
                    EncapPool encap = EncapPool.ipip(p);
                    if (encap != null) {
                        ipip.add(encap);
                    }
                    if (p.vxlanMode().enabled()) {
                        vxlan.add(Prefix.of(p.cidr(), false, p.disabled()));
                    }
                } catch (IllegalArgumentException ex) {
                    warnings.add(e.getKey(), ex.getMessage() + "; skipped");
                }
            }
        }
        return out;
    }

    private List<Prefix> blocks(NavigableMap<String, String> kv, Warnings warnings) {
        List<Prefix> out = new ArrayList<>();
        for (int v : new int[] {4, 6}) {
            List<Cidr> cidrs = new ArrayList<>();
            for (String name : childNames(kv, keys.ipamAffinities(nodeName, v))) {
                try {
                    EtcdText.noControl("block", name);
                    if (name.length() > 64) {
                        throw new IllegalArgumentException(
                                "block: " + name.length() + " characters (expected: a CIDR)");
                    }
                    Cidr c = Cidr.parse(name, true);
                    if (c.version() != v) {
                        throw new IllegalArgumentException("block " + c + " is not an IPv" + v + " block");
                    }
                    cidrs.add(c);
                } catch (IllegalArgumentException e) {
                    warnings.add(keys.ipamAffinities(nodeName, v) + name, e.getMessage() + "; skipped");
                }
            }
            cidrs.stream().sorted().forEach(c -> out.add(Prefix.of(c, false, false)));
        }
        return out;
    }

    private static NavigableMap<String, String> below(NavigableMap<String, String> kv, String prefix) {
        return kv.subMap(prefix, true, prefix.substring(0, prefix.length() - 1) + "0", false);
    }

    /** Names of the direct children of directory {@code prefix} (ending in '/'), sorted. */
    static List<String> childNames(NavigableMap<String, String> kv, String prefix) {
        TreeSet<String> names = new TreeSet<>();
        for (String k : below(kv, prefix).keySet()) {
            String rest = k.substring(prefix.length());
            int slash = rest.indexOf('/');
            names.add(slash < 0 ? rest : rest.substring(0, slash));
        }
        names.remove("");
        return new ArrayList<>(names);
    }

    /** The peers in numeric address order (each address parsed once, not per comparison). */
    private List<Peer> sortedByAddress(Map<String, Peer> byAddress) {
        List<Peer> all = new ArrayList<>(byAddress.values());
        all.sort((a, b) -> compareBytes(ips.bytes(a.address()), ips.bytes(b.address())));
        return all;
    }

    private static int compareBytes(byte[] x, byte[] y) {
        return x.length != y.length ? Integer.compare(x.length, y.length) : Arrays.compareUnsigned(x, y);
    }
}
