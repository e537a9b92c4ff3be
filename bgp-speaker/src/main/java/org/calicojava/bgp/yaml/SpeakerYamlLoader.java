package org.calicojava.bgp.yaml;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.calicojava.bgp.config.ConfigException;

/**
 * Reads the speaker's one YAML file ({@link SpeakerDocument} lists its keys) into the session, routing and BFD
 * configurations, with one Jackson mapper: unknown keys are refused (a typo is not silently ignored), booleans must be
 * {@code true} or {@code false}, and every error is one line naming its key, e.g.
 * {@code neighbors[0].holdTime: 2 (expected: 0 or 3..65535)}.
 */
public final class SpeakerYamlLoader {
    private static final ObjectMapper MAPPER = mapper();

    private SpeakerYamlLoader() {}

    private static ObjectMapper mapper() {
        ObjectMapper m = YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .build();
        m.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return m;
    }

    public static SpeakerFile load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return parse(text);
    }

    public static SpeakerFile parse(String yaml) {
        try {
            JsonNode root = MAPPER.readTree(yaml);
            if (root == null || !root.isObject()) {
                throw new ConfigException("config: empty (expected: a mapping with routerId, asNumber, ...)");
            }
            return MAPPER.readValue(yaml, SpeakerDocument.class).file();
        } catch (JsonMappingException e) {
            throw refusal(e);
        } catch (JsonProcessingException e) {
            throw new ConfigException("config: not valid YAML (" + oneLine(e.getOriginalMessage()) + ")");
        }
    }

    /** Jackson's refusal as {@code path: value (expected: ...)}. */
    private static ConfigException refusal(JsonMappingException e) {
        List<JsonMappingException.Reference> path = e.getPath();
        if (e instanceof UnrecognizedPropertyException u) {
            TreeSet<String> known = new TreeSet<>();
            u.getKnownPropertyIds().forEach(k -> known.add(k.toString()));
            return new ConfigException(key(path) + ": unknown key (expected one of: " + String.join(", ", known) + ")");
        }
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof ConfigException || c instanceof IllegalArgumentException) {
                return new ConfigException(under(path, c.getMessage()));
            }
        }
        String key = path.isEmpty() ? "config" : key(path);
        if (e.getCause() instanceof RuntimeException r) { // a bug of ours, but one line for the log all the same
            return new ConfigException(key + ": " + r);
        }
        if (e instanceof MismatchedInputException m) {
            String found = e instanceof InvalidFormatException f && f.getValue() != null
                    ? String.valueOf(f.getValue())
                    : found(e.getProcessor());
            return new ConfigException(key + ": " + found + " (expected: " + expected(m.getTargetType()) + ")");
        }
        return new ConfigException(key + ": " + oneLine(e.getOriginalMessage()));
    }

    /** A message of a mapping at {@code path} whose key is relative to it ({@code maxPrefixes.limit} or {@code limit}). */
    private static String under(List<JsonMappingException.Reference> path, String message) {
        if (path.isEmpty()) {
            return message;
        }
        String last = path.get(path.size() - 1).getFieldName();
        if (last != null && message.startsWith(last + ".")) {
            String parent = key(path.subList(0, path.size() - 1));
            return parent.isEmpty() ? message : parent + "." + message;
        }
        return key(path) + "." + message;
    }

    private static String key(List<JsonMappingException.Reference> path) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            } else if (r.getFieldName() != null) {
                b.append(b.isEmpty() ? "" : ".").append(r.getFieldName());
            }
        }
        return b.toString();
    }

    private static String found(Object processor) {
        if (processor instanceof JsonParser p) {
            JsonToken t = p.currentToken();
            if (t == JsonToken.START_OBJECT || t == JsonToken.FIELD_NAME) {
                return "a mapping";
            }
            if (t == JsonToken.START_ARRAY) {
                return "a list";
            }
            try {
                return t == null ? "nothing" : p.getText();
            } catch (IOException e) {
                return "a value";
            }
        }
        return "a value";
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another value";
        }
        Shape shape = type.getAnnotation(Shape.class);
        if (shape != null) {
            return shape.value();
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping";
        }
        return "a single value";
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
