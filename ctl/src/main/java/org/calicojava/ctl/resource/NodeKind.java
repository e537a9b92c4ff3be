package org.calicojava.ctl.resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.calicojava.model.AsNumber;
import org.calicojava.model.Cidr;
import org.calicojava.model.ClusterId;
import org.calicojava.model.Names;
import org.calicojava.store.KeyValue;

/**
 * Node at {@code /bgp/v1/host/<name>/ip_addr_v4|ip_addr_v6|as_num|rr_cluster_id} plus the host's
 * {@code /v1/host/<name>/initialized} marker: what {@code node add} (and the route reflector command) write. The
 * node's BGP peers are BGPPeer resources, not part of it. Delete is refused while the node has workload endpoints
 * ({@code javactl node remove --remove-endpoints} cleans up a node whole).
 */
final class NodeKind implements Kind {
    @Override
    public String kind() {
        return "Node";
    }

    @Override
    public List<String> aliases() {
        return List.of("node", "nodes", "no");
    }

    @Override
    public Class<?> specType() {
        return Specs.NodeSpec.class;
    }

    private static Footprint.Keys keys(String n, Ctx ctx) {
        return new Footprint.Keys()
                .put(ctx.keys().bgpHostIp(n, 4), null)
                .put(ctx.keys().bgpHostIp(n, 6), null)
                .put(ctx.keys().bgpHostAsNum(n), null)
                .put(ctx.keys().bgpHostRrClusterId(n), null)
                .put(ctx.keys().hostInitialised(n), null);
    }

    @Override
    public Footprint footprint(Meta meta, Object spec, Ctx ctx) {
        String n = Resources.name(meta, "host");
        Specs.NodeBgp bgp = spec == null ? null : ((Specs.NodeSpec) spec).bgp();
        if (bgp == null || bgp.ipv4Address() == null) {
            throw new IllegalArgumentException("spec.bgp.ipv4Address: missing");
        }
        Cidr v4 = Specs.NodeBgp.address("ipv4Address", bgp.ipv4Address(), 4);
        Cidr v6 = Specs.NodeBgp.address("ipv6Address", bgp.ipv6Address(), 6);
        Object asn = bgp.asNumber();
        String rr = bgp.routeReflectorClusterId();
        for (var e : nodes(ctx).entrySet()) {
            if (!e.getKey().equals(n)
                    && (v4.ip().equals(e.getValue().get("ip_addr_v4"))
                            || v6 != null && v6.ip().equals(e.getValue().get("ip_addr_v6")))) {
                throw new IllegalArgumentException(
                        "spec.bgp: address " + (v4.ip().equals(e.getValue().get("ip_addr_v4")) ? v4.ip() : v6.ip())
                                + " is already used by node " + e.getKey());
            }
        }
        Footprint.Keys k = keys(n, ctx)
                .put(ctx.keys().bgpHostIp(n, 4), v4.ip())
                .put(ctx.keys().bgpHostIp(n, 6), v6 == null ? null : v6.ip())
                .put(ctx.keys().bgpHostAsNum(n), asn == null ? null : asn.toString())
                .put(ctx.keys().bgpHostRrClusterId(n), rr)
                .put(ctx.keys().hostInitialised(n), "true");
        return new Footprint(kind(), n, k.map(), List.of());
    }

    @Override
    public Footprint deletion(Meta meta, Object spec, Ctx ctx) {
        String n = Resources.name(meta, "host");
        if (!ctx.store().list(ctx.keys().workloads(n)).kvs().isEmpty()) {
            throw new IllegalArgumentException("node " + n + " has workload endpoints (remove them first, or use "
                    + "javactl node remove " + n + " --remove-endpoints)");
        }
        return new Footprint(kind(), n, keys(n, ctx).map(), List.of());
    }

    /** node -> its BGP keys (last segment -> value), the peers left out. */
    static Map<String, Map<String, String>> nodes(Ctx ctx) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        String base = ctx.keys().bgpHosts();
        for (KeyValue kv : ctx.store().list(base).kvs()) {
            String[] p = kv.key().substring(base.length()).split("/");
            if (p.length == 2) {
                out.computeIfAbsent(p[0], k -> new TreeMap<>()).put(p[1], kv.value());
            }
        }
        return out;
    }

    @Override
    public List<Resource> list(Ctx ctx) {
        List<Resource> out = new ArrayList<>();
        for (var e : nodes(ctx).entrySet()) {
            Map<String, String> v = e.getValue();
            if (!v.containsKey("ip_addr_v4")) {
                continue;
            }
            try {
                Names.check("host", e.getKey());
                String v6 = v.get("ip_addr_v6");
                String as = v.get("as_num");
                String rr = v.get("rr_cluster_id");
                out.add(new Resource(
                        kind(),
                        Meta.named(e.getKey()),
                        new Specs.NodeSpec(new Specs.NodeBgp(
                                Cidr.host(v.get("ip_addr_v4")).ip(),
                                v6 == null ? null : Cidr.host(v6).ip(),
                                as == null ? null : AsNumber.parse(as),
                                rr == null ? null : ClusterId.parse(rr).value()))));
            } catch (IllegalArgumentException ex) {
                Resources.skipped(kind(), e.getKey(), ex);
            }
        }
        return out;
    }

    @Override
    public List<String> columns() {
        return List.of("NAME", "ASN", "IPV4", "IPV6", "RRCLUSTERID");
    }

    @Override
    public int narrowColumns() {
        return 1;
    }

    @Override
    public List<Object> row(Resource r) {
        Specs.NodeBgp b = ((Specs.NodeSpec) r.spec()).bgp();
        return java.util.Arrays.asList(
                r.metadata().name(),
                b.asNumber() == null ? "(default)" : b.asNumber(),
                b.ipv4Address(),
                b.ipv6Address(),
                b.routeReflectorClusterId());
    }
}
