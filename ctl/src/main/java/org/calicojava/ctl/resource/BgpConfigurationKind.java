package org.calicojava.ctl.resource;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.calicojava.model.AsNumber;
import org.calicojava.model.Json;
import org.calicojava.model.LogText;
import org.calicojava.model.NodeMesh;

/**
 * BGPConfiguration {@code default}: {@code asNumber} at {@code /bgp/v1/global/as_num} (absent: 64512) and the mesh
 * at {@code /bgp/v1/global/node_mesh} = {"enabled","password"} (absent: on, no password). Fields left out are
 * removed (back to their defaults). The mesh password comes by reference ({@link Passwords}).
 */
final class BgpConfigurationKind implements Kind {
    static final String NAME = "default";

    @Override
    public String kind() {
        return "BGPConfiguration";
    }

    @Override
    public List<String> aliases() {
        return List.of("bgpconfiguration", "bgpconfigurations", "bgpconfig", "bgpconfigs");
    }

    @Override
    public Class<?> specType() {
        return Specs.BgpConfigurationSpec.class;
    }

    private static void checkName(Meta meta) {
        if (!NAME.equals(Resources.required(meta))) {
            throw new IllegalArgumentException("metadata.name: " + LogText.quote(meta.name())
                    + " (expected: default; per-node AS numbers are on kind Node)");
        }
    }

    private static Optional<NodeMesh> mesh(Ctx ctx) {
        return ctx.store().get(ctx.keys().bgpNodeMesh()).map(kv -> Json.read(kv.value(), NodeMesh.class));
    }

    @Override
    public Footprint footprint(Meta meta, Object spec, Ctx ctx) {
        checkName(meta);
        Specs.BgpConfigurationSpec s =
                spec == null ? new Specs.BgpConfigurationSpec(null, null, null) : (Specs.BgpConfigurationSpec) spec;
        Object asn = s.asNumber();
        String stored;
        try {
            stored = mesh(ctx).map(NodeMesh::password).orElse(null);
        } catch (IllegalArgumentException e) {
            stored = null;
        }
        String password = Passwords.resolve(
                "spec.nodeMeshPassword", s.nodeMeshPassword(), stored, org.calicojava.ctl.CallContext.current()::env);
        String mesh = s.nodeToNodeMeshEnabled() == null && password == null
                ? null
                : Json.write(new NodeMesh(!Boolean.FALSE.equals(s.nodeToNodeMeshEnabled()), password));
        return new Footprint(
                kind(),
                NAME,
                new Footprint.Keys()
                        .put(ctx.keys().bgpGlobalAsNum(), asn == null ? null : asn.toString())
                        .put(ctx.keys().bgpNodeMesh(), mesh)
                        .map(),
                List.of());
    }

    @Override
    public Footprint deletion(Meta meta, Object spec, Ctx ctx) {
        checkName(meta);
        return new Footprint(
                kind(),
                NAME,
                new Footprint.Keys()
                        .put(ctx.keys().bgpGlobalAsNum(), null)
                        .put(ctx.keys().bgpNodeMesh(), null)
                        .map(),
                List.of());
    }

    @Override
    public List<Resource> list(Ctx ctx) {
        try {
            Long asn = ctx.store()
                    .get(ctx.keys().bgpGlobalAsNum())
                    .map(kv -> AsNumber.parse(kv.value()))
                    .orElse(null);
            Optional<NodeMesh> mesh = mesh(ctx);
            return List.of(new Resource(
                    kind(),
                    Meta.named(NAME),
                    new Specs.BgpConfigurationSpec(
                            asn,
                            mesh.map(NodeMesh::enabled).orElse(null),
                            Passwords.shown(mesh.map(NodeMesh::password).orElse(null)))));
        } catch (IllegalArgumentException e) {
            Resources.skipped(kind(), NAME, e);
            return List.of();
        }
    }

    @Override
    public List<String> columns() {
        return List.of("NAME", "ASNUMBER", "MESH", "MESHPASSWORD");
    }

    @Override
    public int narrowColumns() {
        return 3;
    }

    @Override
    public List<Object> row(Resource r) {
        Specs.BgpConfigurationSpec s = (Specs.BgpConfigurationSpec) r.spec();
        return Arrays.asList(
                r.metadata().name(),
                s.asNumber() == null ? "64512 (default)" : s.asNumber(),
                Boolean.FALSE.equals(s.nodeToNodeMeshEnabled()) ? "off" : "on",
                s.nodeMeshPassword() == null ? "-" : "set");
    }
}
