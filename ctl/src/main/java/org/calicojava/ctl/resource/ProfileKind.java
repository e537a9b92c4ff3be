package org.calicojava.ctl.resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.calicojava.model.Json;
import org.calicojava.model.KeyPath;
import org.calicojava.model.ProfileRules;
import org.calicojava.store.KeyValue;

/**
 * Profile at {@code /v1/policy/profile/<name>/rules|tags|labels} (the profile owns everything under its prefix).
 * Empty tags or labels are written as {@code []}/{@code {}} only where such a key already is (a profile made by
 * {@code profile add} has both), so {@code get | apply} changes nothing either way.
 */
final class ProfileKind implements Kind {
    @Override
    public String kind() {
        return "Profile";
    }

    @Override
    public List<String> aliases() {
        return List.of("profile", "profiles", "pro");
    }

    @Override
    public Class<?> specType() {
        return Specs.ProfileSpec.class;
    }

    static String name(Meta meta) {
        return Resources.name(meta, "profile");
    }

    @Override
    public Footprint footprint(Meta meta, Object spec, Ctx ctx) {
        String n = name(meta);
        Specs.ProfileSpec s = spec == null ? new Specs.ProfileSpec(null, null, null, null) : (Specs.ProfileSpec) spec;
        ProfileRules rules = new ProfileRules(RuleV3.toV1(s.ingress()), RuleV3.toV1(s.egress()));
        List<String> tags = s.tags();
        Map<String, String> labels = s.labelsToApply();
        Footprint.Keys keys = new Footprint.Keys().put(ctx.keys().profileRules(n), Json.write(rules));
        String tagsKey = ctx.keys().profileTags(n);
        if (!tags.isEmpty() || ctx.store().get(tagsKey).isPresent()) {
            keys.put(tagsKey, Json.write(tags));
        }
        String labelsKey = ctx.keys().profileLabels(n);
        if (!labels.isEmpty() || ctx.store().get(labelsKey).isPresent()) {
            keys.put(labelsKey, Json.write(new TreeMap<>(labels)));
        }
        return new Footprint(kind(), n, keys.map(), List.of(ctx.keys().profile(n) + "/"));
    }

    @Override
    public Footprint deletion(Meta meta, Object spec, Ctx ctx) {
        String n = name(meta);
        return new Footprint(kind(), n, Map.of(), List.of(ctx.keys().profile(n) + "/"));
    }

    @Override
    public List<Resource> list(Ctx ctx) {
        Map<String, Map<String, String>> parts = new TreeMap<>();
        for (KeyValue kv : ctx.store().list(ctx.keys().profiles()).kvs()) {
            KeyPath p = Resources.parse(ctx, kv.key());
            String profile = p instanceof KeyPath.ProfileRulesKey r
                    ? r.profile()
                    : p instanceof KeyPath.ProfileTags t
                            ? t.profile()
                            : p instanceof KeyPath.ProfileLabels l ? l.profile() : null;
            if (profile != null) {
                parts.computeIfAbsent(profile, k -> new TreeMap<>()).put(Resources.last(kv.key()), kv.value());
            }
        }
        List<Resource> out = new ArrayList<>();
        for (var e : parts.entrySet()) {
            try {
                String n = e.getKey();
                Map<String, String> v = e.getValue();
                ProfileRules rules = v.containsKey("rules")
                        ? new KeyPath.ProfileRulesKey(n).decode(v.get("rules"))
                        : new ProfileRules(null, null);
                List<String> tags =
                        v.containsKey("tags") ? new KeyPath.ProfileTags(n).decode(v.get("tags")) : List.of();
                Map<String, String> labels = v.containsKey("labels")
                        ? new TreeMap<>(new KeyPath.ProfileLabels(n).decode(v.get("labels")))
                        : Map.of();
                out.add(new Resource(
                        kind(),
                        Meta.named(n),
                        new Specs.ProfileSpec(
                                RuleV3.of(rules.inboundRules()), RuleV3.of(rules.outboundRules()), labels, tags)));
            } catch (IllegalArgumentException ex) {
                Resources.skipped(kind(), e.getKey(), ex);
            }
        }
        return out;
    }

    @Override
    public List<String> columns() {
        return List.of("NAME", "TAGS", "INGRESS", "EGRESS", "LABELS");
    }

    @Override
    public int narrowColumns() {
        return 1;
    }

    @Override
    public List<Object> row(Resource r) {
        Specs.ProfileSpec s = (Specs.ProfileSpec) r.spec();
        return List.of(
                r.metadata().name(),
                String.join(",", s.tags()),
                s.ingress().size(),
                s.egress().size(),
                Resources.labels(s.labelsToApply()));
    }
}
