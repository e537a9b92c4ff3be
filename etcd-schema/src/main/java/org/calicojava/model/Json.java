package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

/**
 * The one JSON mapper for etcd values: unknown fields ignored (forward compatible), nulls omitted, no fraction taken
 * for an integer.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            // 3.7 for an integer field (an ICMP type, a block size) is refused, not truncated to 3
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** The largest value read (etcd's own request limit is 1.5 MiB). */
    public static final int MAX_VALUE = 2 * 1024 * 1024;

    private Json() {}

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads a value; any problem (bad JSON, JSON {@code null}, a value over {@value #MAX_VALUE} characters, failed
     * validation) becomes IllegalArgumentException with a short one-line message. Never returns null.
     */
    public static <T> T read(String json, Class<T> type) {
        if (json == null) {
            throw new IllegalArgumentException("invalid " + type.getSimpleName() + " JSON: no value");
        }
        if (json.length() > MAX_VALUE) {
            throw new IllegalArgumentException("invalid " + type.getSimpleName() + " JSON: " + json.length()
                    + " characters (expected: at most " + MAX_VALUE + ")");
        }
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new IllegalArgumentException("invalid " + type.getSimpleName() + " JSON: null");
            }
            return value;
        } catch (ValueInstantiationException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            if (c instanceof IllegalArgumentException && c.getMessage() != null) {
                throw new IllegalArgumentException(c.getMessage(), e);
            }
            throw new IllegalArgumentException(
                    "invalid " + type.getSimpleName() + " JSON: " + LogText.quote(c.toString()), e);
        } catch (JsonProcessingException e) {
            Throwable c = e.getCause();
            if (c instanceof IllegalArgumentException && c.getMessage() != null) {
                throw (IllegalArgumentException) c;
            }
            throw new IllegalArgumentException(
                    "invalid " + type.getSimpleName() + " JSON: " + LogText.quote(firstLine(e.getOriginalMessage())),
                    e);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) { // a constructor's own bug must not escape as anything but "invalid"
            throw new IllegalArgumentException(
                    "invalid " + type.getSimpleName() + " JSON: " + LogText.quote(e.toString()), e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
