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
 * gateway (GatewayStore), the records a read command shows ({@link IpPool#read}) and every record felix decodes on its
 * start ({@link #read}: endpoints, profiles' rules, tags and labels, tiers, policies, pools). A document is read into plain
 * maps, lists, strings, numbers and booleans; the accessors read them as databind's {@code path()/asText()/asLong()}
 * did (a missing field is empty; etcd's gateway sends int64 fields as strings).
 */
public final class LightJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    /** Refuses a field name repeated in an object: see {@link #root}. */
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
     * {@code Json.read(json, type)} without databind for the plain shape this project's writers make: {@code plain}
     * reads the document's root (maps, lists, strings, numbers, booleans) and throws for anything it does not read
     * (another type, a JSON null, a list too long) or that the record's constructor refuses; then, and for a document
     * over {@link Json#MAX_VALUE} characters, not JSON, or with a field name repeated in any object (databind reads
     * every occurrence of a field and refuses a bad one even when a later one is good), databind reads it, so the
     * result and the refusal's message are always databind's. Felix decodes its host's whole datastore when it
     * starts; databind's start and record introspection were most of that.
     */
    static <T> T read(String json, Class<T> type, java.util.function.Function<Object, T> plain) {
        Object root = root(json);
        if (root != UNREAD) {
            try {
                return plain.apply(root);
            } catch (RuntimeException e) {
                // not read here: databind reads it, or says why not, in its words
            }
        }
        return Json.read(json, type);
    }

    /** What {@link #root} gives for a document left to databind. */
    static final Object UNREAD = new Object();

    /**
     * A document's root value for a plain reader; {@link #UNREAD} when empty, over {@link Json#MAX_VALUE} characters,
     * not JSON, or with a field name repeated in an object.
     */
    static Object root(String json) {
        if (json == null || json.length() > Json.MAX_VALUE) {
            return UNREAD;
        }
        try (JsonParser p = UNIQUE.createParser(json)) {
            JsonToken t = p.nextToken();
            return t == null ? UNREAD : value(p, t);
        } catch (IOException | RuntimeException e) {
            return UNREAD;
        }
    }

    /** Thrown by the plain readers' accessors below for a value they do not read; no stack trace (not an error). */
    private static final RuntimeException NOT_PLAIN = new RuntimeException("not plain JSON", null, false, false) {};

    /** Throws for a field that is present: one the plain reader leaves to databind. */
    static void absent(Map<?, ?> m, String name) {
        if (m.containsKey(name)) {
            throw NOT_PLAIN;
        }
    }

    /** A JSON object, for a plain reader; throws for anything else. */
    static Map<?, ?> object(Object node) {
        if (node instanceof Map<?, ?> m) {
            return m;
        }
        throw NOT_PLAIN;
    }

    /** An object's field for a plain reader: null when absent; throws for a JSON null (databind's to read). */
    static Object field(Map<?, ?> m, String name) {
        Object v = m.get(name);
        if (v == null && m.containsKey(name)) {
            throw NOT_PLAIN;
        }
        return v;
    }

    /** A field that is a string, or null when absent; throws for another type. */
    static String text(Map<?, ?> m, String name) {
        Object v = field(m, name);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw NOT_PLAIN;
    }

    /** A field that is a JSON number small enough for an int, or null when absent; throws for anything else. */
    static Integer integer(Map<?, ?> m, String name) {
        Object v = field(m, name);
        if (v == null || v instanceof Integer) {
            return (Integer) v;
        }
        throw NOT_PLAIN;
    }

    /** A field that is an int or a decimal JSON number, as a Double; null when absent; throws for anything else. */
    static Double decimal(Map<?, ?> m, String name) {
        Object v = field(m, name);
        if (v == null || v instanceof Double) {
            return (Double) v;
        }
        if (v instanceof Integer i) {
            return i.doubleValue();
        }
        throw NOT_PLAIN;
    }

    /** A field that is a boolean, false when absent; throws for another type. */
    static boolean flag(Map<?, ?> m, String name) {
        Object v = field(m, name);
        if (v == null || v instanceof Boolean) {
            return v == Boolean.TRUE;
        }
        throw NOT_PLAIN;
    }

    /**
     * A field that is a list of at most {@code max} elements, each read by {@code element} (a JSON null in it
     * throws); null when absent; throws for anything else.
     */
    static <T> List<T> list(Map<?, ?> m, String name, int max, java.util.function.Function<Object, T> element) {
        Object v = field(m, name);
        return v == null ? null : list(v, max, element);
    }

    /** A list of at most {@code max} elements, each read by {@code element}; throws for anything else. */
    static <T> List<T> list(Object node, int max, java.util.function.Function<Object, T> element) {
        if (!(node instanceof List<?> l) || l.size() > max) {
            throw NOT_PLAIN;
        }
        List<T> out = new ArrayList<>(l.size());
        for (Object o : l) {
            if (o == null) {
                throw NOT_PLAIN;
            }
            out.add(element.apply(o));
        }
        return out;
    }

    /** A string, for a list's or a map's elements; throws for anything else. */
    static String string(Object node) {
        if (node instanceof String s) {
            return s;
        }
        throw NOT_PLAIN;
    }

    /** An object whose values are all strings (a map of labels); throws for anything else. */
    static Map<String, String> strings(Object node) {
        for (Object v : object(node).values()) {
            string(v);
        }
        return cast(node);
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
