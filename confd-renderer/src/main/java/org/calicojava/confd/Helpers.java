package org.calicojava.confd;

import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Calico-confd-like functions for templates, as mustache lambdas (the section body is rendered first, then passed
 * through): {@code {{#base}}/a/b/c{{/base}}} gives "c", {@code {{#underscores}}10.0.0.1{{/underscores}}} gives
 * "10_0_0_1" (colons too, for names), {@code {{#getv}}/bgp/v1/global/as_num{{/getv}}} the value of a key relative to
 * the etcd root ("" when absent), {@code {{#jsonField}}/bgp/v1/global/node_mesh enabled{{/jsonField}}} one field of a
 * key's JSON value.
 */
public final class Helpers {
    private Helpers() {}

    public static String underscores(String ip) {
        return ip.replace('.', '_').replace(':', '_');
    }

    public static String base(String key) {
        String k = key.trim();
        while (k.endsWith("/") && k.length() > 1) {
            k = k.substring(0, k.length() - 1);
        }
        return k.substring(k.lastIndexOf('/') + 1);
    }

    /** Adds the lambdas to {@code ctx} with YAML encoding (see the other {@code install}). */
    public static void install(Map<String, Object> ctx, TreeNode tree, NavigableMap<String, String> kv, String root) {
        install(ctx, tree, kv, root, TemplateEncoder.YAML);
    }

    /**
     * Adds the lambdas to {@code ctx}; {@code root} is the etcd root the relative keys of getv/jsonField start at.
     * mustache.java writes a lambda's result as it is, so each result goes through {@code encoder} here: {@code getv},
     * {@code jsonField} and {@code tree} give raw etcd text, which only the encoder makes safe (with
     * {@link TemplateEncoder#TOKENS} a value that is not a token fails the render).
     */
    public static void install(
            Map<String, Object> ctx,
            TreeNode tree,
            NavigableMap<String, String> kv,
            String root,
            UnaryOperator<String> encoder) {
        ctx.put("tree", tree);
        ctx.put("base", (Function<String, String>) t -> encoder.apply(base(t)));
        ctx.put("underscores", (Function<String, String>) t -> encoder.apply(underscores(t)));
        ctx.put("getv", (Function<String, String>) k -> {
            String v = kv.get(root + normalise(k));
            return v == null ? "" : encoder.apply(v);
        });
        ctx.put("jsonField", (Function<String, String>) text -> {
            String[] parts = text.trim().split("\\s+", 2);
            TreeNode n = tree.at(normalise(parts[0]));
            if (n == null || parts.length < 2 || !(n.json() instanceof Map<?, ?> m)) {
                return "";
            }
            Object v = m.get(parts[1]);
            return v == null ? "" : encoder.apply(v.toString());
        });
    }

    private static String normalise(String k) {
        String t = k.trim();
        return t.startsWith("/") ? t : "/" + t;
    }
}
