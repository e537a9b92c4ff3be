package org.calicojava.ctl.resource;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one resource lives in the v1 layout: named keys with their wanted values (null: the key must be absent), and
 * prefixes the resource owns whole (a key under one that is not named is removed). It exists when any of these keys
 * does.
 */
public record Footprint(String kind, String name, Map<String, String> keys, List<String> prefixes) {
    public Footprint {
        keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
        prefixes = List.copyOf(prefixes);
    }

    /** The same keys and prefixes, every value null: what deleting the resource does. */
    public Footprint deleted() {
        Map<String, String> none = new LinkedHashMap<>();
        keys.keySet().forEach(k -> none.put(k, null));
        return new Footprint(kind, name, none, prefixes);
    }

    /** A builder for the ordered key map. */
    static final class Keys {
        private final Map<String, String> map = new LinkedHashMap<>();

        Keys put(String key, String value) {
            map.put(key, value);
            return this;
        }

        Map<String, String> map() {
            return map;
        }
    }
}
