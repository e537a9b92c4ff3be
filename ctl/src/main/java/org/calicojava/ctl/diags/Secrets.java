package org.calicojava.ctl.diags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.model.Json;

/**
 * Masks secrets in everything diags writes, twice over: every value it knows is secret (the BGP passwords found in
 * etcd, the etcd password) is replaced wherever it occurs, and every value that looks like one (a JSON field, YAML key,
 * BIRD {@code password "..."} or {@code --...password...} option) is masked even when it was not known.
 */
public final class Secrets {
    public static final String MASK = "********";
    /** {@code password: x}, {@code password "x";}, {@code "password":"x"}, {@code --etcd-password x}, {@code ..._PASSWORD=x}. */
    private static final Pattern LOOKS_SECRET = Pattern.compile(
            "(?i)(\"?[a-z_.-]*(?:password|passwd|secret|token)\"?\\s*[:=]?\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|[^\\s,;}]+)");

    private final List<String> known = new ArrayList<>();

    /** Remembers a secret (ignored when null or shorter than 3 characters: too common to mask blindly). */
    public void add(String secret) {
        if (secret != null && secret.length() >= 3 && !known.contains(secret)) {
            known.add(secret);
            known.sort(Comparator.comparingInt(String::length).reversed());
        }
    }

    /** Remembers the values of every field named like a secret in a JSON document. */
    public void addFromJson(JsonNode node) {
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (isSecretName(e.getKey()) && e.getValue().isValueNode()) {
                    add(e.getValue().asText());
                } else {
                    addFromJson(e.getValue());
                }
            }
        } else if (node.isArray()) {
            node.forEach(this::addFromJson);
        }
    }

    static boolean isSecretName(String key) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("token") || k.contains("passwd");
    }

    /** A JSON value with its secret fields masked (text that is not JSON: masked as text). */
    public String maskJson(String text) {
        try {
            JsonNode n = Json.MAPPER.readTree(text);
            if (n != null && (n.isObject() || n.isArray())) {
                maskFields(n);
                return mask(Json.MAPPER.writeValueAsString(n));
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not JSON
        }
        return mask(text);
    }

    private static void maskFields(JsonNode n) {
        if (n instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String f : names) {
                if (isSecretName(f) && o.get(f).isValueNode() && !o.get(f).isNull()) {
                    o.put(f, MASK);
                } else {
                    maskFields(o.get(f));
                }
            }
        } else if (n != null && n.isArray()) {
            n.forEach(Secrets::maskFields);
        }
    }

    /** Text with every known secret and every secret-looking value masked. */
    public String mask(String text) {
        String t = text;
        for (String s : known) {
            t = t.replace(s, MASK);
        }
        Matcher m = LOOKS_SECRET.matcher(t);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = m.group(2);
            String masked = v.startsWith("\"") ? "\"" + MASK + "\"" : v.startsWith("'") ? "'" + MASK + "'" : MASK;
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + masked));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
