package org.calicojava.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON with jackson-core's streaming parser and generator only, for one-shot commands' start-up: jackson-databind's
 * ObjectMapper, tree model and record introspection cost about 90 ms of it (measured), this about 5. Used for etcd's
 * gateway (GatewayStore), the records a read command shows ({@link IpPool#read}) and the endpoint records felix
 * decodes on its start ({@link WorkloadEndpoint#read}). A document is read into plain
 * maps, lists, strings, numbers and booleans; the accessors read them as databind's {@code path()/asText()/asLong()}
 * did (a missing field is empty; etcd's gateway sends int64 fields as strings).
 */
public final class LightJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    /** Refuses a field name repeated in an object: see {@link #record}. */
    private static final JsonFactory UNIQUE = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private LightJson() {}

    /** A request body. */
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    public static String write(Body body) {
        StringWriter w = new StringWriter(128);
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    /** A document's root object (empty for an empty document or another root); IOException when it is not JSON. */
    public static Map<String, Object> parse(String body) throws IOException {
        return parse(FACTORY, body);
    }

    /**
     * The document of a record read by hand ({@link IpPool#read}, {@link WorkloadEndpoint#read}) as a map; null when
     * it is left to databind: null, over {@link Json#MAX_VALUE} characters, not JSON, or with a field name repeated in
     * any object (databind reads every occurrence of a field and refuses a bad one even when a later one is good).
     */
    static Map<String, Object> record(String json) {
        if (json == null || json.length() > Json.MAX_VALUE) {
            return null;
        }
        try {
            return parse(UNIQUE, json);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The field is absent, or present with a value of {@code type} (a JSON null is neither). */
    static boolean absentOr(Map<String, Object> m, String field, Class<?> type) {
        return !m.containsKey(field) || type.isInstance(m.get(field));
    }

    private static Map<String, Object> parse(JsonFactory factory, String body) throws IOException {
        try (JsonParser p = factory.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return Map.of();
            }
            Object root = value(p, t);
            return root instanceof Map<?, ?> ? cast(root) : Map.of();
        }
    }

    private static Object value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (JsonToken f = p.nextToken(); f == JsonToken.FIELD_NAME; f = p.nextToken()) {
                    String name = p.currentName();
                    m.put(name, value(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    l.add(value(p, e));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IOException("unexpected JSON token " + t);
        }
    }

    /** The field of an object (null when missing or not an object). */
    public static Object path(Object node, String field) {
        return node instanceof Map<?, ?> m ? m.get(field) : null;
    }

    /** An array's elements (empty when missing or not an array). */
    public static List<Object> array(Object node) {
        return node instanceof List<?> l ? cast(l) : List.of();
    }

    /** A number or a numeric string as a long; 0 otherwise (databind's asLong()). */
    public static long asLong(Object node) {
        if (node instanceof Number n) {
            return n.longValue();
        }
        if (node instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    /** A scalar as text; {@code missing} for a missing field or JSON null (databind's asText(default)). */
    public static String asText(Object node, String missing) {
        if (node == null) {
            return missing;
        }
        if (node instanceof String || node instanceof Number || node instanceof Boolean) {
            return node.toString();
        }
        return ""; // an object or array has no text
    }

    public static boolean asBoolean(Object node) {
        return node instanceof Boolean b
                ? b
                : node instanceof String s && s.trim().equals("true");
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object o) {
        return (T) o;
    }
}
