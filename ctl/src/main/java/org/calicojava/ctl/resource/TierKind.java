package org.calicojava.ctl.resource;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.model.Json;
import org.calicojava.model.KeyPath;
import org.calicojava.model.TierMetadata;
import org.calicojava.store.KeyValue;

/** Tier at {@code /v1/policy/tier/<name>/metadata} = {"order":n}. Delete is refused while the tier has policies. */
final class TierKind implements Kind {
    @Override
    public String kind() {
        return "Tier";
    }

    @Override
    public List<String> aliases() {
        return List.of("tier", "tiers");
    }

    @Override
    public Class<?> specType() {
        return Specs.TierSpec.class;
    }

    @Override
    public Footprint footprint(Meta meta, Object spec, Ctx ctx) {
        String n = Resources.name(meta, "tier");
        Double order = spec == null ? null : ((Specs.TierSpec) spec).order();
        return new Footprint(
                kind(),
                n,
                new Footprint.Keys()
                        .put(ctx.keys().tierMetadata(n), Json.write(new TierMetadata(order)))
                        .map(),
                List.of());
    }

    @Override
    public Footprint deletion(Meta meta, Object spec, Ctx ctx) {
        String n = Resources.name(meta, "tier");
        int policies =
                ctx.store().list(ctx.keys().tiers() + n + "/policy/").kvs().size();
        if (policies > 0) {
            throw new IllegalArgumentException("tier " + n + " has " + policies + " polic"
                    + (policies == 1 ? "y" : "ies") + "; delete them first");
        }
        return new Footprint(
                kind(),
                n,
                new Footprint.Keys().put(ctx.keys().tierMetadata(n), null).map(),
                List.of());
    }

    @Override
    public List<Resource> list(Ctx ctx) {
        List<Resource> out = new ArrayList<>();
        for (KeyValue kv : ctx.store().list(ctx.keys().tiers()).kvs()) {
            if (Resources.parse(ctx, kv.key()) instanceof KeyPath.Tier t) {
                try {
                    out.add(new Resource(
                            kind(),
                            Meta.named(t.tier()),
                            new Specs.TierSpec(t.decode(kv.value()).order())));
                } catch (IllegalArgumentException e) {
                    Resources.skipped(kind(), t.tier(), e);
                }
            }
        }
        return out;
    }

    @Override
    public List<String> columns() {
        return List.of("NAME", "ORDER");
    }

    @Override
    public List<Object> row(Resource r) {
        Double order = ((Specs.TierSpec) r.spec()).order();
        return List.of(r.metadata().name(), order == null ? "" : Resources.number(order));
    }
}
