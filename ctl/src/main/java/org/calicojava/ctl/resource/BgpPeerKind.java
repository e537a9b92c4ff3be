package org.calicojava.ctl.resource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.calicojava.model.BgpMaxPrefixes;
import org.calicojava.model.BgpPeer;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;
import org.calicojava.store.KeyValue;

/**
 * BGPPeer at {@code /bgp/v1/global/peer_vN/<ip>} or {@code /bgp/v1/host/<node>/peer_vN/<ip>} (a {@link BgpPeer}).
 * The v1 layout names a peer by scope and address, so {@code metadata.name} is {@code global.<ip>} or
 * {@code node.<node>.<ip>} (':' of IPv6 as '-') or left out. The password comes from a file or a variable
 * ({@link Passwords}); get prints {@code password: {keep: true}} for a stored one.
 */
final class BgpPeerKind implements Kind {
    @Override
    public String kind() {
        return "BGPPeer";
    }

    @Override
    public List<String> aliases() {
        return List.of("bgppeer", "bgppeers", "peer", "peers");
    }

    @Override
    public Class<?> specType() {
        return Specs.BgpPeerSpec.class;
    }

    static String name(String node, String ip) {
        return (node == null ? "global." : "node." + node + ".") + ip.replace(':', '-');
    }

    private record Id(String node, Cidr ip, String key, String name) {}

    private static Id id(Meta meta, Object spec, Ctx ctx) {
        Specs.BgpPeerSpec s = (Specs.BgpPeerSpec) spec;
        if (s == null) {
            throw new IllegalArgumentException("spec.peerIP: missing");
        }
        String node = s.node();
        Cidr ip = Cidr.host(s.peerIp());
        String name = name(node, ip.ip());
        if (meta.name() != null && !meta.name().equals(name)) {
            throw new IllegalArgumentException("metadata.name: " + LogText.quote(meta.name()) + " (expected: " + name
                    + " or none: the v1 layout names a peer by its scope and address)");
        }
        String key =
                node == null ? ctx.keys().bgpGlobalPeer(ip.ip()) : ctx.keys().bgpHostPeer(node, ip.ip());
        return new Id(node, ip, key, name);
    }

    @Override
    public Footprint footprint(Meta meta, Object spec, Ctx ctx) {
        Id id = id(meta, spec, ctx);
        Specs.BgpPeerSpec s = (Specs.BgpPeerSpec) spec;
        if (id.node() != null && !NodeKind.nodes(ctx).containsKey(id.node())) {
            throw new IllegalArgumentException("spec.node: node " + id.node() + " does not exist");
        }
        String stored = ctx.store()
                .get(id.key())
                .map(kv -> {
                    try {
                        return Json.read(kv.value(), BgpPeer.class).password();
                    } catch (IllegalArgumentException e) {
                        return null;
                    }
                })
                .orElse(null);
        String password =
                Passwords.resolve("spec.password", s.password(), stored, org.calicojava.ctl.CallContext.current()::env);
        BgpMaxPrefixes max = s.maxPrefixes() == null ? null : s.maxPrefixes().toV1();
        BgpPeer peer = new BgpPeer(
                id.ip().ip(),
                s.asNumber().toString(),
                password,
                s.acceptDefault(),
                max,
                s.gracefulRestartNotification());
        return new Footprint(
                kind(),
                id.name(),
                new Footprint.Keys().put(id.key(), Json.write(peer)).map(),
                List.of());
    }

    @Override
    public Footprint deletion(Meta meta, Object spec, Ctx ctx) {
        Id id = id(meta, spec, ctx);
        return new Footprint(
                kind(), id.name(), new Footprint.Keys().put(id.key(), null).map(), List.of());
    }

    @Override
    public List<Resource> list(Ctx ctx) {
        List<Resource> out = new ArrayList<>();
        for (int v : new int[] {4, 6}) {
            for (KeyValue kv : ctx.store().list(ctx.keys().bgpGlobalPeers(v)).kvs()) {
                add(out, null, kv);
            }
        }
        String base = ctx.keys().bgpHosts();
        for (KeyValue kv : ctx.store().list(base).kvs()) {
            String[] p = kv.key().substring(base.length()).split("/");
            if (p.length == 3 && (p[1].equals("peer_v4") || p[1].equals("peer_v6"))) {
                add(out, p[0], kv);
            }
        }
        return out;
    }

    private void add(List<Resource> out, String node, KeyValue kv) {
        try {
            if (node != null) {
                Names.check("host", node);
            }
            BgpPeer p = Json.read(kv.value(), BgpPeer.class);
            BgpMaxPrefixes m = p.maxPrefixes();
            out.add(new Resource(
                    kind(),
                    Meta.named(name(node, p.ip())),
                    new Specs.BgpPeerSpec(
                            node,
                            p.ip(),
                            Long.parseLong(p.asNum()),
                            Passwords.shown(p.password()),
                            p.acceptDefault(),
                            m == null ? null : new Specs.MaxPrefixes(m.limit(), m.action(), m.restartAfterS()),
                            p.gracefulRestartNotification())));
        } catch (IllegalArgumentException e) {
            Resources.skipped(kind(), kv.key(), e);
        }
    }

    @Override
    public List<String> columns() {
        return List.of("NAME", "PEERIP", "NODE", "ASN", "PASSWORD", "MAXPREFIXES");
    }

    @Override
    public int narrowColumns() {
        return 4;
    }

    @Override
    public List<Object> row(Resource r) {
        Specs.BgpPeerSpec s = (Specs.BgpPeerSpec) r.spec();
        return Arrays.asList(
                r.metadata().name(),
                s.peerIp(),
                s.node() == null ? "(global)" : s.node(),
                s.asNumber(),
                s.password() == null ? "-" : "set",
                s.maxPrefixes() == null ? "" : s.maxPrefixes().limit());
    }
}
