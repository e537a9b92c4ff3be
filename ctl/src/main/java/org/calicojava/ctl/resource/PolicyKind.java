package org.calicojava.ctl.resource;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.model.Json;
import org.calicojava.model.KeyPath;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;
import org.calicojava.model.Policy;
import org.calicojava.store.KeyValue;

/**
 * Policy at {@code /v1/policy/tier/<tier>/policy/<name>} = {"selector","order","inbound_rules","outbound_rules"}:
 * ingress is the v1 inbound rules, egress the outbound ones, exactly what felix renders. {@code spec.tier} defaults
 * to {@code default}; a tier other than {@code default} must exist (kind Tier) so its order is known.
 */
final class PolicyKind implements Kind {
    static final String DEFAULT_TIER = "default";

    @Override
    public String kind() {
        return "Policy";
    }

    @Override
    public List<String> aliases() {
        return List.of("policy", "policies", "pol", "networkpolicy", "globalnetworkpolicy");
    }

    @Override
    public Class<?> specType() {
        return Specs.PolicySpec.class;
    }

    private static String tier(Object spec) {
        String t = spec == null ? null : ((Specs.PolicySpec) spec).tier();
        return Names.check("tier", t == null ? DEFAULT_TIER : t);
    }

    @Override
    public Footprint footprint(Meta meta, Object spec, Ctx ctx) {
        String n = Resources.name(meta, "policy");
        String tier = tier(spec);
        Specs.PolicySpec s =
                spec == null ? new Specs.PolicySpec(null, null, null, null, null) : (Specs.PolicySpec) spec;
        Policy p = s.toPolicy();
        if (!tier.equals(DEFAULT_TIER)
                && ctx.store().get(ctx.keys().tierMetadata(tier)).isEmpty()) {
            throw new IllegalArgumentException(
                    "spec.tier: " + LogText.quote(tier) + " does not exist (create it first: kind Tier)");
        }
        return new Footprint(
                kind(),
                tier + "/" + n,
                new Footprint.Keys()
                        .put(ctx.keys().policy(tier, n), Json.write(p))
                        .map(),
                List.of());
    }

    @Override
    public Footprint deletion(Meta meta, Object spec, Ctx ctx) {
        String n = Resources.name(meta, "policy");
        String tier = tier(spec);
        return new Footprint(
                kind(),
                tier + "/" + n,
                new Footprint.Keys().put(ctx.keys().policy(tier, n), null).map(),
                List.of());
    }

    @Override
    public List<Resource> list(Ctx ctx) {
        List<Resource> out = new ArrayList<>();
        for (KeyValue kv : ctx.store().list(ctx.keys().tiers()).kvs()) {
            if (Resources.parse(ctx, kv.key()) instanceof KeyPath.TierPolicy k) {
                try {
                    Policy p = k.decode(kv.value());
                    out.add(new Resource(
                            kind(),
                            Meta.named(k.name()),
                            new Specs.PolicySpec(
                                    k.tier(),
                                    p.order(),
                                    p.selector(),
                                    RuleV3.of(p.inboundRules()),
                                    RuleV3.of(p.outboundRules()))));
                } catch (IllegalArgumentException e) {
                    Resources.skipped(kind(), k.tier() + "/" + k.name(), e);
                }
            }
        }
        return out;
    }

    @Override
    public List<String> columns() {
        return List.of("NAME", "TIER", "ORDER", "SELECTOR", "INGRESS", "EGRESS");
    }

    @Override
    public int narrowColumns() {
        return 4;
    }

    @Override
    public List<Object> row(Resource r) {
        Specs.PolicySpec s = (Specs.PolicySpec) r.spec();
        return List.of(
                r.metadata().name(),
                s.tier(),
                s.order() == null ? "" : Resources.number(s.order()),
                s.selector(),
                s.ingress().size(),
                s.egress().size());
    }
}
