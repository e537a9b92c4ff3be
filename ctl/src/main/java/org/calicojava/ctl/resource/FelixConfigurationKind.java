package org.calicojava.ctl.resource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.calicojava.model.KeyPath;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;
import org.calicojava.store.KeyValue;

/**
 * FelixConfiguration {@code default} (every {@code /v1/config/<Name>}) or {@code node.<host>} (every
 * {@code /v1/host/<host>/config/<Name>}). The spec's fields are the v1 names with a lower-case first letter
 * ({@code logSeverityScreen} is {@code LogSeverityScreen}), values scalars stored as text; the resource owns all
 * config keys of its scope, so a field left out is removed. get prints "true"/"false" as booleans and integers as
 * numbers when that reads back as the same text.
 */
final class FelixConfigurationKind implements Kind {
    @Override
    public String kind() {
        return "FelixConfiguration";
    }

    @Override
    public List<String> aliases() {
        return List.of("felixconfiguration", "felixconfigurations", "felixconfig", "felixconfigs");
    }

    @Override
    public Class<?> specType() {
        return Map.class;
    }

    /** The config prefix of the resource's scope. */
    private static String prefix(Meta meta, Ctx ctx) {
        String n = Resources.required(meta);
        if (n.equals("default")) {
            return ctx.keys().felixConfigs();
        }
        if (n.startsWith("node.")) {
            return ctx.keys().host(Names.check("host", n.substring(5))) + "/config/";
        }
        throw new IllegalArgumentException(
                "metadata.name: " + LogText.quote(n) + " (expected: default or node.<host>)");
    }

    @Override
    public Footprint footprint(Meta meta, Object spec, Ctx ctx) {
        String prefix = prefix(meta, ctx);
        Footprint.Keys keys = new Footprint.Keys();
        Map<?, ?> fields = spec == null ? Map.of() : (Map<?, ?>) spec;
        for (Map.Entry<?, ?> e : fields.entrySet()) {
            String field = String.valueOf(e.getKey());
            String name =
                    Names.config(field.isEmpty() ? field : Character.toUpperCase(field.charAt(0)) + field.substring(1));
            Object v = e.getValue();
            if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
                throw new IllegalArgumentException("spec." + field + ": " + (v == null ? "null" : "not a single value")
                        + " (expected: a string, number or boolean)");
            }
            keys.put(prefix + name, KeyPath.configValue(v.toString()));
        }
        return new Footprint(kind(), meta.name(), keys.map(), List.of(prefix));
    }

    @Override
    public Footprint deletion(Meta meta, Object spec, Ctx ctx) {
        return new Footprint(kind(), meta.name(), Map.of(), List.of(prefix(meta, ctx)));
    }

    @Override
    public List<Resource> list(Ctx ctx) {
        Map<String, Map<String, Object>> scopes = new TreeMap<>();
        scopes.put("default", new LinkedHashMap<>());
        List<KeyValue> kvs =
                new ArrayList<>(ctx.store().list(ctx.keys().felixConfigs()).kvs());
        kvs.addAll(ctx.store().list(ctx.keys().hosts()).kvs());
        for (KeyValue kv : kvs) {
            KeyPath p = Resources.parse(ctx, kv.key());
            try {
                if (p instanceof KeyPath.GlobalConfig g) {
                    scopes.get("default").put(field(g.name()), shown(g.decode(kv.value())));
                } else if (p instanceof KeyPath.HostConfig h) {
                    scopes.computeIfAbsent("node." + h.host(), k -> new LinkedHashMap<>())
                            .put(field(h.name()), shown(h.decode(kv.value())));
                }
            } catch (IllegalArgumentException e) {
                Resources.skipped(kind(), kv.key(), e);
            }
        }
        List<Resource> out = new ArrayList<>();
        scopes.forEach((n, fields) -> out.add(new Resource(kind(), Meta.named(n), fields)));
        return out;
    }

    private static String field(String name) {
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    /** A stored text as YAML shows it best while applying it back gives the same text. */
    static Object shown(String text) {
        if (text.equals("true") || text.equals("false")) {
            return Boolean.valueOf(text);
        }
        try {
            long n = Long.parseLong(text);
            if (Long.toString(n).equals(text)) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // text
        }
        return text;
    }

    @Override
    public List<String> columns() {
        return List.of("NAME", "SETTINGS");
    }

    @Override
    public List<Object> row(Resource r) {
        Map<?, ?> m = (Map<?, ?>) r.spec();
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + "=" + v));
        return Arrays.asList(r.metadata().name(), String.join(",", parts));
    }
}
